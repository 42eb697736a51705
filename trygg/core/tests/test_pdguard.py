"""The personal-data guard on a table of true and false positives."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from trygg.core.pdguard import (
    KIND_EMAIL,
    KIND_PERSONAL_IDENTITY_NUMBER,
    KIND_PHONE_NUMBER,
    find_personal_data,
    luhn_valid,
    mask_personal_data,
    validate_no_personal_data,
)

PIN = KIND_PERSONAL_IDENTITY_NUMBER
PHONE = KIND_PHONE_NUMBER
EMAIL = KIND_EMAIL

# (text, the kinds that must be found)
TRUE_POSITIVES = [
    # Personal identity numbers (Luhn-valid test numbers from Skatteverket's ranges)
    ("Pojken har personnummer 811218-9876.", [PIN]),
    ("pnr 8112189876 enligt anmälan", [PIN]),
    ("född 19811218-9876", [PIN]),
    ("198112189876", [PIN]),
    ("Över hundra år: 121212+1212", [PIN]),
    ("med mellanslag 811218 9876", [PIN]),
    ("20100101-2382 var där", [PIN]),
    # Samordningsnummer: day + 60
    ("samordningsnummer 701063-2391", [PIN]),
    ("7010632391", [PIN]),
    # Leap day with a known century
    ("20000229-2381", [PIN]),
    # Phone numbers
    ("Ring 070-123 45 67 efter kl 17", [PHONE]),
    ("mobil 0701234567", [PHONE]),
    ("växel 08-123 456 78", [PHONE]),
    ("tel. 0171-123 45", [PHONE]),
    ("+46 70 123 45 67", [PHONE]),
    ("+46701234567", [PHONE]),
    ("0046 70-123 45 67", [PHONE]),
    ("+46 (0)8 123 456 78", [PHONE]),
    ("Finskt nummer +358 40 123 4567", [PHONE]),
    # E-mail addresses
    ("maila anna.andersson@example.se", [EMAIL]),
    ("Kontakt: Per.Polis+trygg@polisen.se.", [EMAIL]),
    # Several in one text
    ("811218-9876, 070-123 45 67, a@b.se", [PIN, PHONE, EMAIL]),
]

FALSE_POSITIVES = [
    "Skadegörelse vid Bro centrum 2024-05-12 kl. 21.30.",
    "Ärendenummer 5000-123456 hos polisen",
    "Organisationsnummer 556677-8899 (bolaget)",  # month 67: not a personal number
    "811218-9875",  # wrong check digit
    "811318-9876",  # month 13
    "811232-9878",  # day 32
    "19010229-1234",  # 1901 is no leap year
    "Kommunkod 0139, postnummer 197 30 Bro",
    "Ca 1 200 000 kr i skador under 2025",
    "Mötet 06-07-2025 i Kungsängen",
    "Klockan 07.30-08.15 vid stationen",
    "Koordinater 59.5120, 17.6340",
    "SWEREF 6596123 1620456",
    "Linje 557 mot Kungsängen",
    "E-post saknas; skriv till kommunen@",
    "Version 1.2.3-beta",
    "",
]


@pytest.mark.parametrize(("text", "kinds"), TRUE_POSITIVES)
def test_finds_personal_data(text, kinds):
    assert [f.kind for f in find_personal_data(text)] == kinds


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_leaves_ordinary_text_alone(text):
    assert find_personal_data(text) == []


def test_luhn():
    assert luhn_valid("8112189876")
    assert not luhn_valid("8112189875")


def test_validator_rejects_with_a_message_that_does_not_repeat_the_number():
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        validate_no_personal_data("Kontakta 811218-9876 eller 070-123 45 67")
    message = " ".join(excinfo.value.messages)
    assert "811218-9876" not in message
    assert "personal identity number" in message
    assert "phone number" in message
    assert excinfo.value.error_list[0].code == "personal_data"


def test_validator_message_is_swedish_by_default():
    with translation.override("sv"), pytest.raises(ValidationError) as excinfo:
        validate_no_personal_data("maila x@y.se")
    assert "e-postadress" in " ".join(excinfo.value.messages)


def test_validator_accepts_clean_text():
    validate_no_personal_data("Trasig belysning i gångtunneln vid Brogårdsskolan.")
    validate_no_personal_data(None)


def test_mask_replaces_each_finding_and_keeps_the_rest():
    masked, findings = mask_personal_data("Ring 070-123 45 67 om 811218-9876, mejla x@y.se. Tack!")
    assert masked == (
        "Ring [telefonnummer borttaget] om [personnummer borttaget], "
        "mejla [e-post borttagen]. Tack!"
    )
    assert [f.kind for f in findings] == [PHONE, PIN, EMAIL]

"""The personal-data guard (docs/privacy.md §2).

Finds Swedish personal identity numbers (personnummer and samordningsnummer, 10 or 12
digits, with or without '-', '+' or a space before the last four, valid Luhn check digit
and a possible date), phone numbers (Swedish national and international format) and
e-mail addresses in free text.

* ``find_personal_data(text)`` → the findings, with positions.
* ``validate_no_personal_data`` → a Django validator for forms, models and the API:
  rejects the text with a message that says what was found (never the number itself).
* ``mask_personal_data(text)`` → the text with each finding replaced, and the findings,
  for bulk imports (which mask and count rather than reject a whole file).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

KIND_PERSONAL_IDENTITY_NUMBER = "personal_identity_number"
KIND_PHONE_NUMBER = "phone_number"
KIND_EMAIL = "email"

MASKS = {
    KIND_PERSONAL_IDENTITY_NUMBER: "[personnummer borttaget]",
    KIND_PHONE_NUMBER: "[telefonnummer borttaget]",
    KIND_EMAIL: "[e-post borttagen]",
}

KIND_LABELS = {
    KIND_PERSONAL_IDENTITY_NUMBER: _("a personal identity number"),
    KIND_PHONE_NUMBER: _("a phone number"),
    KIND_EMAIL: _("an e-mail address"),
}


_ENGLISH = {
    KIND_PERSONAL_IDENTITY_NUMBER: "a personal identity number",
    KIND_PHONE_NUMBER: "a phone number",
    KIND_EMAIL: "an e-mail address",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


# YYYYMMDD-NNNN / YYMMDD-NNNN / with '+', space or nothing before the last four digits.
_PIN = re.compile(
    r"(?<![\w+-])"
    r"(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?P<sep>[-+ ]?)"
    r"(?P<serial>\d{3})(?P<check>\d)"
    r"(?![\w-])"
)

# Phone numbers: +46 / 0046 / 0 followed by 7–9 more digits in groups separated by a
# space or hyphen (and the usual "(0)"), e.g. 070-123 45 67, 08-123 456 78,
# +46 70 123 45 67, 0046701234567, 0171-123 45; or any +CC international number.
_PHONE_SE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)46[ -]?(?:\(0\)[ -]?)?|0)"
    r"[1-9](?:[ -]?\d){6,8}"
    r"(?![\w])"
)
_PHONE_INTL = re.compile(r"(?<![\w+])\+(?!46)[1-9]\d{0,2}(?:[ -]?\d){6,12}(?!\w)")
# A date written day-month-year (06-07-2024) looks like a phone number: not one.
_DATE_LIKE = re.compile(r"^\d{1,2}[-. ]\d{1,2}[-. ]\d{2,4}$")

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)


_MAYBE = re.compile(r"[\d@]")


def luhn_valid(digits: str) -> bool:
    """The Luhn check used by Swedish personal identity numbers (over 10 digits)."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_possible_date(century: str | None, yy: str, mm: str, dd: str) -> bool:
    month, day = int(mm), int(dd)
    if not 1 <= month <= 12:
        return False
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    if day < 1:
        return False
    if century is not None:
        if century not in {"18", "19", "20"}:
            return False
        year = int(century + yy)
        return day <= calendar.monthrange(year, month)[1]
    # Without the century either one is possible: allow 29 February.
    return day <= (29 if month == 2 else calendar.monthrange(2001, month)[1])


def _find_pins(text: str) -> list[Finding]:
    found = []
    for m in _PIN.finditer(text):
        if not _is_possible_date(m["century"], m["yy"], m["mm"], m["dd"]):
            continue
        ten = m["yy"] + m["mm"] + m["dd"] + m["serial"] + m["check"]
        if luhn_valid(ten):
            found.append(Finding(KIND_PERSONAL_IDENTITY_NUMBER, m.start(), m.end()))
    return found


def _overlaps(a: Finding, others: list[Finding]) -> bool:
    return any(a.start < b.end and b.start < a.end for b in others)


def find_personal_data(text: str | None) -> list[Finding]:
    """All personal data found in ``text``, in order of position."""
    if not text or not _MAYBE.search(text):
        return []  # no digit and no @: nothing to find (the common case, made fast)
    findings = _find_pins(text)
    findings += [
        Finding(KIND_EMAIL, m.start(), m.end())
        for m in _EMAIL.finditer(text)
        if not _overlaps(Finding(KIND_EMAIL, m.start(), m.end()), findings)
    ]
    for pattern in (_PHONE_SE, _PHONE_INTL):
        for m in pattern.finditer(text):
            candidate = Finding(KIND_PHONE_NUMBER, m.start(), m.end())
            if _DATE_LIKE.match(m.group()) or _overlaps(candidate, findings):
                continue
            findings.append(candidate)
    return sorted(findings, key=lambda f: f.start)


def mask_personal_data(text: str) -> tuple[str, list[Finding]]:
    """``text`` with every finding replaced by a mask, and the findings."""
    findings = find_personal_data(text)
    out = []
    position = 0
    for finding in findings:
        out.append(text[position : finding.start])
        out.append(MASKS[finding.kind])
        position = finding.end
    out.append(text[position:])
    return "".join(out), findings


def describe(findings: list[Finding], *, translated: bool = True) -> str:
    """'a personal identity number, a phone number' — in the active language, or in
    English for logs (``translated=False``)."""
    kinds = []
    for finding in findings:
        label = str(KIND_LABELS[finding.kind]) if translated else _ENGLISH[finding.kind]
        if label not in kinds:
            kinds.append(label)
    return ", ".join(kinds)


def validate_no_personal_data(value: str | None) -> None:
    """Django validator: refuse free text that contains personal data."""
    findings = find_personal_data(value)
    if findings:
        raise ValidationError(
            ngettext(
                "The text seems to contain %(what)s. Remove it: Trygg must not store "
                "personal data about individuals.",
                "The text seems to contain personal data (%(what)s). Remove it: Trygg "
                "must not store personal data about individuals.",
                len(findings),
            ),
            code="personal_data",
            params={"what": describe(findings)},
        )

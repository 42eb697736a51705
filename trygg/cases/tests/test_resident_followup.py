"""What a resident gets after reporting: the nearest street address on the case (pages,
e-mail, Open311), the category's extra questions asked and answered, a receipt e-mail
with the case's link, following a case by e-mail with double opt-in, a stop link in
every e-mail, and the addresses erased with the case's other personal data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from trygg.cases import services
from trygg.cases.models import Case, CaseSubscription, Origin, State
from trygg.cases.tests.conftest import BRO_MUNICIPAL
from trygg.core import addresses, audit


@pytest.fixture
def register(world, tmp_path):
    """Two addresses near the test's point in Bro."""
    lat, lon = BRO_MUNICIPAL
    path = tmp_path / "adresser.csv"
    path.write_text(
        "adress;postnummer;postort;lat;lon\n"
        f"Skolvägen 4;197 31;Bro;{lat + 0.0002};{lon}\n"
        f"Skolvägen 6;197 31;Bro;{lat + 0.0009};{lon}\n",
        encoding="utf-8",
    )
    addresses.import_addresses(world.municipality, path, crs="EPSG:4326")
    return world


def _report(client, world, **extra):
    data = {
        "category": world.categories["belysning"].pk,
        "lat": BRO_MUNICIPAL[0],
        "lon": BRO_MUNICIPAL[1],
        "description": "Lampan vid gångvägen är trasig.",
        **extra,
    }
    response = client.post("/rapportera/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.latest("pk")


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


@pytest.mark.django_db(transaction=True)
def test_a_case_gets_the_nearest_address_shown_everywhere(register, client, run_worker):
    case = _report(client, register, email="boende@example.se")
    assert case.address == "Skolvägen 4, 197 31 Bro" and not case.address_typed
    # The public page shows it before moderation (it is the register's, not the text's).
    page = client.get(f"/arenden/{case.pk}/").content.decode()
    assert "Skolvägen 4, 197 31 Bro" in page
    assert "Skolvägen 4" in client.get("/arenden/").content.decode()
    open311 = client.get(f"/open311/v2/requests/{case.pk}.json").json()[0]
    assert open311["address"] == "Skolvägen 4, 197 31 Bro" and open311["zipcode"] == "19731"
    run_worker()
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "Skolvägen 4, 197 31 Bro" in bodies["lampa@teknik.example"]
    assert "Skolvägen 4, 197 31 Bro" in bodies["boende@example.se"]


def _lamp(world, origin=Origin.PUBLIC, **extra):
    return services.create_case(
        world.municipality,
        category=world.categories["belysning"],
        lat=BRO_MUNICIPAL[0],
        lon=BRO_MUNICIPAL[1],
        description="Trasig lampa.",
        origin=origin,
        **extra,
    )


def test_a_typed_address_is_public_only_once_moderated(register, client, world):
    case = _lamp(world, Origin.OPEN311, address="Bakom Annas hus")
    assert case.address == "Bakom Annas hus" and case.address_typed
    assert "Bakom Annas hus" not in client.get(f"/arenden/{case.pk}/").content.decode()
    assert client.get(f"/open311/v2/requests/{case.pk}.json").json()[0]["address"] == "Bro"


def test_cases_reported_before_the_register_get_their_address_on_import(world, tmp_path):
    case = _lamp(world)
    assert case.address == ""
    path = tmp_path / "a.csv"
    path.write_text(f"adress;lat;lon\nSkolvägen 4;{BRO_MUNICIPAL[0]};{BRO_MUNICIPAL[1]}\n")
    addresses.import_addresses(world.municipality, path)
    case.refresh_from_db()
    assert case.address == "Skolvägen 4"


def test_the_category_question_is_asked_and_answered(world, client):
    page = client.get("/rapportera/").content.decode()
    lighting = world.categories["belysning"]
    assert f'data-questions-for="{lighting.pk}"' in page
    assert "Stolpens nummer, om det syns" in page
    case = _report(client, world, **{f"attr-{lighting.pk}-stolpnummer": "B-1234"})
    assert case.attributes == {"stolpnummer": "B-1234"}
    assert case.answers() == [("Stolpens nummer, om det syns", "B-1234")]
    # A list question's answer is shown by its name, not its key.
    path = world.categories["gangvag"]
    case = _report(client, world, category=path.pk, **{f"attr-{path.pk}-problem": "halka"})
    assert case.answers() == [("Vad är problemet?", "Halt eller isigt")]
    # Answers to another category's questions are not stored.
    case = _report(client, world, **{f"attr-{path.pk}-problem": "halka"})
    assert case.attributes == {}


def test_a_required_question_must_be_answered(world, client):
    lighting = world.categories["belysning"]
    lighting.attributes = [{**lighting.attributes[0], "required": True}]
    lighting.save()
    response = client.post(
        "/rapportera/",
        {
            "category": lighting.pk,
            "lat": BRO_MUNICIPAL[0],
            "lon": BRO_MUNICIPAL[1],
            "description": "Lampan är trasig.",
        },
    )
    assert response.status_code == 200
    assert "Answer this question" in response.content.decode() or "Svara på frågan" in (
        response.content.decode()
    )
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_receipt_follow_confirm_update_and_stop(world, client, run_worker):
    case = _report(client, world, email="boende@example.se")
    run_worker()
    receipt = next(m for m in mail.outbox if m.to == ["boende@example.se"])
    assert f"#{case.pk}" in receipt.subject
    case_link, stop_link = _links(receipt.body)
    assert case_link.endswith(f"/arenden/{case.pk}/")
    mail.outbox.clear()

    # A neighbour asks to follow: nothing is sent to them until they confirm.
    response = client.post(f"/arenden/{case.pk}/folj/", {"email": "Granne@Example.se"})
    assert response.status_code == 200
    run_worker()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["granne@example.se"]
    confirm_link = next(u for u in _links(confirmation.body) if "/arenden/folj/" in u)
    services.change_state(case, world.teknik_member, State.ACKNOWLEDGED, text="Vi tittar på det.")
    mail.outbox.clear()
    run_worker()
    assert [m.to for m in mail.outbox] == [["boende@example.se"]]
    path = confirm_link.split("://", 1)[1].split("/", 1)[1]
    assert "Yes, follow" in client.get("/" + path).content.decode() or "Ja, följ rapporten" in (
        client.get("/" + path).content.decode()
    )
    assert client.post("/" + path).status_code == 200
    assert CaseSubscription.objects.get().confirmed_at is not None

    mail.outbox.clear()
    services.change_state(case, world.teknik_member, State.FIXED, text="Lampan är lagad.")
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["boende@example.se", "granne@example.se"]
    for message in mail.outbox:
        assert "Lampan är lagad." in message.body
    neighbours = next(m for m in mail.outbox if m.to == ["granne@example.se"])
    stop = next(u for u in _links(neighbours.body) if "/sluta-folja/" in u)
    stop_path = "/" + stop.split("://", 1)[1].split("/", 1)[1]
    assert client.get(stop_path).status_code == 200  # a button, not an action
    assert CaseSubscription.objects.exists()
    assert client.post(stop_path).status_code == 200
    assert not CaseSubscription.objects.exists()
    # The reporter's own stop link erases their address from the case.
    client.post("/" + stop_link.split("://", 1)[1].split("/", 1)[1])
    case.refresh_from_db()
    assert case.reporter_email == ""


def test_a_forged_or_expired_link_does_nothing(world, client):
    case = _report(client, world, email="boende@example.se")
    assert client.post("/arenden/sluta-folja/not-a-token/").status_code == 404
    assert client.get("/arenden/folj/0123456789abcdef/").status_code == 404
    sub = services.request_subscription(case, "granne@example.se")
    CaseSubscription.objects.filter(pk=sub.pk).update(
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    assert client.post(f"/arenden/folj/{sub.token}/").status_code == 404
    case.refresh_from_db()
    assert case.reporter_email == "boende@example.se"


def test_a_bad_address_is_refused_and_asking_is_rate_limited(world, client, settings):
    case = _report(client, world)
    response = client.post(f"/arenden/{case.pk}/folj/", {"email": "inte en adress"})
    assert response.status_code == 400 and not CaseSubscription.objects.exists()
    settings.PUBLIC_REPORTS_PER_HOUR = 3  # the refused request above counts too
    for n in range(2):
        assert (
            client.post(f"/arenden/{case.pk}/folj/", {"email": f"a{n}@example.se"}).status_code
            == 200
        )
    limited = client.post(f"/arenden/{case.pk}/folj/", {"email": "b@example.se"})
    assert limited.status_code == 429 and "Försök igen om en stund" in limited.content.decode()


def test_followers_are_erased_with_the_cases_personal_data(world, client):
    case = _report(client, world, email="boende@example.se")
    sub = services.request_subscription(case, "granne@example.se")
    services.confirm_subscription(sub)
    never = services.request_subscription(_report(client, world), "glomde@example.se")
    CaseSubscription.objects.filter(pk=never.pk).update(
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    services.change_state(case, world.teknik_member, State.FIXED, text="Lagat.")
    assert services.erase_subscriptions() == 1  # the unconfirmed one only
    audit.update(Case.objects.filter(pk=case.pk), closed_at=timezone.now() - dt.timedelta(days=400))
    assert services.erase_subscriptions() == 1
    assert services.erase_expired_emails() == 1
    assert not CaseSubscription.objects.exists()

"""Each role's start page ("Att göra") shows what waits for it in the demo — and only
what the role may act on."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def whole_demo(django_db_setup, django_db_blocker):
    """Everything make demo loads, once for the module (each test's writes are rolled
    back); the database is emptied afterwards."""
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)


def start_page(client, username):
    client.force_login(_user(username))
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_the_coordinator_sees_what_waits(whole_demo, client):
    from trygg.cases.models import OPEN_STATES, Case
    from trygg.est.models import Observation

    html = start_page(client, "samordnare")
    assert "Att göra" in html
    waiting = Observation.objects.filter(status="new").count()
    assert waiting and f"{waiting} rapporter väntar på granskning" in html
    assert "Veckans möte (vecka" in html and "öppn" in html
    assert "Trygghetsvandringar de närmaste 14 dagarna" in html
    overdue = Case.objects.filter(state__in=OPEN_STATES, deadline__lt=timezone.localdate())
    assert overdue.exists() and "Försenade ärenden" in html
    org = overdue.first().owner_organisation
    assert f"?status=overdue&amp;organisation={org.pk}" in html
    # Not a reporter's or a caretaker's page.
    assert "Allvarliga händelser, senaste 7 dagarna" not in html


def test_a_caretaker_sees_the_organisations_cases_and_changes_one_in_one_click(whole_demo, client):
    from trygg.cases.models import OPEN_STATES, Case

    html = start_page(client, "bostad")
    own = Case.objects.filter(
        owner_organisation__name="Upplands-Brohus", state__in=OPEN_STATES
    ).order_by("-created_at")
    assert own.exists() and "Öppna ärenden för Upplands-Brohus" in html
    newest = own.first()
    assert f'href="/cases/{newest.pk}/"' in html
    # Only the organisation's own cases are listed.
    listed = {int(pk) for pk in re.findall(r'<form method="post" action="/cases/(\d+)/"', html)}
    assert listed and listed <= set(own.values_list("pk", flat=True))

    case = own.exclude(state="in_progress").first()
    response = client.post(
        f"/cases/{case.pk}/",
        {"action": "update", "update-state": "in_progress", "update-is_public": "on", "next": "/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    case.refresh_from_db()
    assert case.state == "in_progress"
    # A foreign address as "next" is ignored.
    response = client.post(
        f"/cases/{case.pk}/",
        {"action": "update", "update-state": "fixed", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/cases/{case.pk}/"


def test_a_partner_reports_in_one_tap_and_sees_the_outcome(whole_demo, client):
    from trygg.est.models import Observation

    html = start_page(client, "bostad")
    assert 'href="/veckobild/report/"' in html and "Rapportera nu" in html
    mine = Observation.objects.filter(reporter__username="bostad").order_by("-occurred_at")
    if mine.exists():
        assert "Dina senaste rapporter" in html


def test_the_police_see_the_weeks_serious_events(whole_demo, client):
    from trygg.live.models import EventAlert

    html = start_page(client, "polis")
    assert "Allvarliga händelser, senaste 7 dagarna" in html
    assert 'href="/veckobild/"' in html
    # The demo's shooting yesterday evening, alerted by the municipality's rules: on the
    # start page with its brief, and — its risk window open — as raised risk now.
    alert = EventAlert.objects.get()
    assert f'href="/lagesbild/handelser/{alert.pk}/"' in html
    assert "Förhöjd risk just nu" in html


def test_a_reader_is_pointed_to_the_lagesbild(whole_demo, client):
    html = start_page(client, "lasare")
    assert "Öppna lägesbilden" in html and 'href="/lagesbild/"' in html
    assert "Rapportera nu" not in html and "Väntar på dig" not in html

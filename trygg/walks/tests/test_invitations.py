"""Walk invitations: planning a walk e-mails each invited organisation a calendar file;
a change the invited see is sent as an update of the same event, an organisation no longer
invited and a cancelled walk get a cancellation. The files are read with the
``icalendar`` package (the oracle: Trygg writes them by hand)."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from trygg.core.models import Area, Sensitivity
from trygg.walks import services
from trygg.walks.models import Walk, WalkStatus

STOCKHOLM = timezone.get_default_timezone()


@pytest.fixture
def send(run_worker, django_capture_on_commit_callbacks):
    """Run ``action`` as a request would (commit hooks), then the worker; the e-mails sent."""

    def run(action):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = action()
        run_worker()
        return result, list(mail.outbox)

    return run


def new_walk(world, **fields):
    day = timezone.localdate() + dt.timedelta(days=10)
    return Walk(
        title="Trygghetsvandring Bro centrum, kväll",
        date=day,
        start_time=dt.time(18, 30),
        area=Area.objects.get(municipality=world.municipality, name="Bro", kind="district"),
        meeting_point="Bro bibliotek; vid entrén",
        template=services.default_template(world.municipality),
        sensitivity=Sensitivity.PARTNERS,
        **fields,
    )


def to(sent, address):
    (email,) = [m for m in sent if address in m.to]
    return email


def event_of(email):
    (name, content, mimetype) = email.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_planning_a_walk_invites_each_organisation_with_a_calendar_file(world, send):
    walk, sent = send(
        lambda: services.plan_walk(
            world.coordinator, new_walk(world), {"invited": [world.teknik, world.brohus]}
        )
    )
    # One e-mail per organisation, to its members.
    assert len(sent) == 2
    email = to(sent, "lampa@teknik.example")
    assert "drift@brohus.example" in to(sent, "drift@brohus.example").to
    assert email.subject.startswith("Inbjudan: Trygghetsvandring Bro centrum, kväll")
    assert "kl. 18.30" in email.subject and "Mötesplats: Bro bibliotek; vid entrén" in email.body
    assert f"/walks/{walk.pk}/" in email.body

    calendar, event = event_of(email)
    assert str(calendar["METHOD"]) == "REQUEST"
    start = dt.datetime.combine(walk.date, dt.time(18, 30), STOCKHOLM)
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(hours=2)
    assert str(event["SUMMARY"]) == walk.title
    assert str(event["LOCATION"]) == "Bro bibliotek; vid entrén, Bro"  # escaped ; survives
    assert int(event["SEQUENCE"]) == 0 and str(event["UID"]).startswith(f"walk-{walk.pk}-")


def test_a_change_updates_the_same_event_and_the_uninvited_get_a_cancellation(world, send):
    walk, _ = send(
        lambda: services.plan_walk(
            world.coordinator, new_walk(world), {"invited": [world.teknik, world.brohus]}
        )
    )
    uid = str(event_of(mail.outbox[0])[1]["UID"])

    # The summary only: nothing the invited see changed, nothing is sent.
    walk.summary = "Anteckning"
    _, sent = send(
        lambda: services.update_walk(
            world.coordinator, walk, {"invited": [world.teknik, world.brohus]}
        )
    )
    assert sent == []

    # A new time, and Brohus no longer invited.
    walk.start_time = dt.time(19, 0)
    _, sent = send(
        lambda: services.update_walk(world.coordinator, walk, {"invited": [world.teknik]})
    )
    update = to(sent, "lampa@teknik.example")
    assert update.subject.startswith("Ändrad:")
    calendar, event = event_of(update)
    assert str(calendar["METHOD"]) == "REQUEST" and str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").astimezone(STOCKHOLM).time() == dt.time(19, 0)
    calendar, event = event_of(to(sent, "drift@brohus.example"))
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1 and str(event["STATUS"]) == "CANCELLED"

    # Called off: the one still invited gets the cancellation.
    _, sent = send(lambda: services.cancel_walk(world.coordinator, walk))
    (cancel,) = sent
    assert "lampa@teknik.example" in cancel.to and cancel.subject.startswith("Inställd:")
    calendar, event = event_of(cancel)
    assert str(calendar["METHOD"]) == "CANCEL" and int(event["SEQUENCE"]) == 2
    walk.refresh_from_db()
    assert walk.status == WalkStatus.CANCELLED


def test_the_walk_page_cancels_a_planned_walk(world, send, client):
    walk, _ = send(
        lambda: services.plan_walk(world.coordinator, new_walk(world), {"invited": [world.teknik]})
    )
    client.force_login(world.coordinator.user)
    assert "Ställ in vandringen" in client.get(f"/walks/{walk.pk}/").content.decode()
    _, sent = send(lambda: client.post(f"/walks/{walk.pk}/cancel/"))
    assert len(sent) == 1 and "lampa@teknik.example" in sent[0].to
    walk.refresh_from_db()
    assert walk.status == WalkStatus.CANCELLED
    page = client.get(f"/walks/{walk.pk}/").content.decode()
    assert "Inställd" in page and "Ställ in vandringen" not in page
    # A reader may not cancel.
    client.force_login(world.reader.user)
    assert client.post(f"/walks/{walk.pk}/cancel/").status_code in (403, 404)

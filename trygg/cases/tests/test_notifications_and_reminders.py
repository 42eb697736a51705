"""E-mail through the task queue: the responsible organisation when a case arrives,
the reporter on public updates, the daily overdue reminder run by the scheduler, and
erasing residents' addresses after the retention period."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from trygg.cases import services
from trygg.cases.models import Case, Origin, State
from trygg.cases.tests.conftest import BRO_MUNICIPAL
from trygg.core import scheduler
from trygg.core.models import ScheduledRun


def _lamp(world, **extra):
    return services.create_case(
        world.municipality,
        category=world.categories["belysning"],
        lat=BRO_MUNICIPAL[0],
        lon=BRO_MUNICIPAL[1],
        description="Lampan är trasig.",
        origin=Origin.PUBLIC,
        **extra,
    )


@pytest.mark.django_db(transaction=True)
def test_the_responsible_organisation_gets_an_email_when_a_case_arrives(world, run_worker):
    case = _lamp(world)
    run_worker()
    # One e-mail to each member of the technical department with an address.
    assert sorted(m.to[0] for m in mail.outbox) == services.responsible_addresses(world.teknik)
    assert "lampa@teknik.example" in services.responsible_addresses(world.teknik)
    message = mail.outbox[0]
    assert f"#{case.pk}" in message.subject
    assert f"/cases/{case.pk}/" in message.body


@pytest.mark.django_db(transaction=True)
def test_the_reporter_hears_about_public_updates_not_internal_ones(world, run_worker):
    case = _lamp(world, reporter_email="boende@example.se")
    run_worker()
    mail.outbox.clear()
    services.add_note(case, world.teknik_member, "Internt: beställt material.", is_public=False)
    run_worker()
    assert mail.outbox == []
    services.change_state(case, world.teknik_member, State.FIXED, text="Lampan är lagad.")
    run_worker()
    assert [m.to for m in mail.outbox] == [["boende@example.se"]]
    assert "Lampan är lagad." in mail.outbox[0].body
    assert f"/arenden/{case.pk}/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_reporters_of_merged_duplicates_hear_when_the_original_is_fixed(world, run_worker):
    original = _lamp(world)
    duplicate = _lamp(world, reporter_email="granne@example.se")
    services.merge(duplicate, original, world.coordinator)
    run_worker()
    mail.outbox.clear()
    services.change_state(original, world.teknik_member, State.FIXED, text="Lagat.")
    run_worker()
    assert [m.to for m in mail.outbox] == [["granne@example.se"]]


@pytest.mark.django_db(transaction=True)
def test_overdue_cases_are_reminded_of_once_a_day_through_the_scheduler(world, run_worker):
    with services.notifications_muted():
        late = _lamp(world)
        _lamp(world)  # not late
    Case.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    seven = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(7, 5)))
    six = seven - dt.timedelta(hours=1)
    assert "trygg.cases.tasks.send_overdue_reminders" not in scheduler.run_due(six)
    assert "trygg.cases.tasks.send_overdue_reminders" in scheduler.run_due(seven)
    # A second scheduler pass (or a second scheduler) the same day enqueues no daily job
    # again (interval jobs, such as the police feed, have a slot of their own).
    again = scheduler.run_due(seven + dt.timedelta(minutes=30))
    assert [name for name in again if scheduler._JOBS[name].interval is None] == []
    assert ScheduledRun.objects.filter(job="trygg.cases.tasks.send_overdue_reminders").count() == 1
    run_worker()
    reminders = [m for m in mail.outbox if "overdue" in m.subject or "försenat" in m.subject]
    assert sorted(m.to[0] for m in reminders) == services.responsible_addresses(world.teknik)
    assert f"#{late.pk}" in reminders[0].body
    late.refresh_from_db()
    assert late.reminded_on == timezone.localdate()
    # Run the reminder again today: nothing new is sent.
    mail.outbox.clear()
    from trygg.cases.tasks import send_overdue_reminders

    send_overdue_reminders.call()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_run_scheduler_once_lists_and_enqueues_the_jobs(world):
    from io import StringIO

    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "trygg.cases.tasks.send_overdue_reminders daily at 07:00" in out.getvalue()
    assert "trygg.cases.tasks.housekeeping daily at 03:00" in out.getvalue()
    assert "trygg.live.tasks.follow_police_feed every 10 min" in out.getvalue()
    assert "trygg.live.tasks.send_weekly_digest Mondays at 07:00" in out.getvalue()


def test_residents_addresses_are_erased_after_the_retention_period(world, settings):
    settings.CASE_EMAIL_RETENTION_DAYS = 30
    case = _lamp(world, reporter_email="boende@example.se")
    services.change_state(case, world.teknik_member, State.FIXED, text="Lagat.")
    assert services.erase_expired_emails() == 0
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    assert services.erase_expired_emails() == 1
    case.refresh_from_db()
    assert case.reporter_email == ""
    from trygg.core.models import AuditEntry

    entry = AuditEntry.objects.filter(object_id=str(case.pk), changes__has_key="reporter_email")
    assert entry.exists()
    assert "boende@example.se" not in str(entry.first().changes)


def test_a_municipalitys_own_retention_period_wins(world, settings):
    """Set in Inställningar → Publik sida: 10 days here, 30 for the installation."""
    from trygg.core.models import SiteProfile

    settings.CASE_EMAIL_RETENTION_DAYS = 30
    SiteProfile.objects.create(municipality=world.municipality, case_email_retention_days=10)
    case = _lamp(world, reporter_email="boende@example.se")
    services.change_state(case, world.teknik_member, State.FIXED, text="Lagat.")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=9))
    assert services.erase_expired_emails() == 0
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=11))
    assert services.erase_expired_emails() == 1

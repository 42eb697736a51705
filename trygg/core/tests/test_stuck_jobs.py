"""A job whose worker died stays "running" no longer than the lease: the housekeeping and
manage.py repair_jobs mark it failed with a message, and it can be retried."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from trygg.core import jobs


def test_a_job_left_running_is_failed_and_can_be_retried(bro, settings):
    from trygg.assessment.models import LagesbildDocument
    from trygg.incidents.models import ImportJob

    settings.JOB_LEASE_MINUTES = 120
    long_ago = timezone.now() - dt.timedelta(hours=3)
    dead = LagesbildDocument.objects.create(
        municipality=bro, version=1, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 30),
        audience="partners", status="running", started_at=long_ago, attempts=1,
    )  # fmt: skip
    alive = ImportJob.objects.create(
        municipality=bro, importer="polisen", file_name="feed.json", started_by_label="x",
        status="running", started_at=timezone.now() - dt.timedelta(minutes=5),
    )  # fmt: skip
    assert {m._meta.label for m in jobs.job_models()} >= {
        "assessment.LagesbildDocument",
        "incidents.ImportJob",
        "walks.ProtocolJob",
    }
    assert [j.pk for j in jobs.stuck()] == [dead.pk]
    out = StringIO()
    call_command("repair_jobs", "--list", stdout=out)
    assert f"assessment.LagesbildDocument {dead.pk}" in out.getvalue()
    dead.refresh_from_db()
    assert dead.status == "running"  # --list changes nothing
    call_command("repair_jobs", stdout=StringIO())
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.has_failed and "120" in dead.message
    assert alive.status == "running"
    dead.mark_queued()  # a failed job can be retried
    assert dead.status == "queued"


def test_housekeeping_repairs_stuck_jobs(bro):
    from trygg.cases.tasks import housekeeping
    from trygg.incidents.models import ImportJob

    ImportJob.objects.create(
        municipality=bro, importer="polisen", file_name="feed.json", started_by_label="x",
        status="running", started_at=timezone.now() - dt.timedelta(days=1),
    )  # fmt: skip
    assert housekeeping.call()["stuck_jobs_failed"] == 1
    assert ImportJob.objects.get().has_failed


def test_housekeeping_purges_old_login_records(bro, settings):
    from axes.models import AccessAttempt, AccessLog

    from trygg.cases.tasks import housekeeping

    settings.LOGIN_RECORDS_RETENTION_DAYS = 30
    old = AccessLog.objects.create(username="anna", ip_address="203.0.113.7", user_agent="x")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - dt.timedelta(days=31))
    recent = AccessLog.objects.create(username="bo", ip_address="203.0.113.8", user_agent="x")
    attempt = AccessAttempt.objects.create(
        username="anna", ip_address="203.0.113.7", user_agent="x", failures_since_start=2
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=timezone.now() - dt.timedelta(days=40)
    )
    assert housekeeping.call()["login_records_purged"] == 2
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessAttempt.objects.exists()

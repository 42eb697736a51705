"""The task worker as run_worker runs it: it waits out a locked or vanished database
instead of exiting; the supervisor's pause grows while the worker keeps failing; the jobs a
dead worker was running are queued again (and done once), failed after three attempts."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from trygg.core import jobs
from trygg.core.management.commands import run_worker


def test_the_worker_waits_out_a_locked_database(monkeypatch):
    calls = []

    def flaky_run(self):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database is locked")

    monkeypatch.setattr(run_worker.db_worker.Worker, "run", flaky_run)
    pauses = []
    monkeypatch.setattr(run_worker.time, "sleep", pauses.append)
    monkeypatch.setattr(run_worker.connections, "close_all", lambda: None)
    worker = run_worker.SteadyWorker(
        queue_names=["default"], interval=1, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="w", excluded_queue_names=[],
    )  # fmt: skip
    worker.run()
    assert len(calls) == 3 and pauses == [1.0, 2.0]


def test_the_supervisors_pause_grows_and_resets():
    pause = 1.0
    seen = []
    for _ in range(8):
        pause = run_worker.backoff(pause, ran_for=0.5)
        seen.append(pause)
    assert seen[:3] == [2.0, 4.0, 8.0] and max(seen) == run_worker.MAX_PAUSE
    assert run_worker.backoff(60.0, ran_for=120) == 1.0


@pytest.fixture
def dead_worker_jobs(bro):
    from trygg.assessment.models import LagesbildDocument
    from trygg.incidents.models import ImportJob

    started = timezone.now() - dt.timedelta(minutes=1)
    doc = LagesbildDocument.objects.create(
        municipality=bro, version=1, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 30),
        audience="partners", status="running", started_at=started, attempts=1, worker="host:1:1",
    )  # fmt: skip
    tired = ImportJob.objects.create(
        municipality=bro, importer="polisen", file_name="feed.json", started_by_label="x",
        status="running", started_at=started, attempts=3, worker="host:1:1",
    )  # fmt: skip
    other = ImportJob.objects.create(
        municipality=bro, importer="polisen", file_name="b.json", started_by_label="x",
        status="running", started_at=started, attempts=1, worker="host:2:1",
    )  # fmt: skip
    return doc, tired, other


@pytest.mark.django_db(transaction=True)
def test_a_dead_workers_jobs_are_queued_again_or_failed(dead_worker_jobs):
    doc, tired, other = dead_worker_jobs
    task = DBTaskResult.objects.create(
        status="RUNNING", worker_ids=["host:1:1"], args_kwargs={"args": [], "kwargs": {}},
        task_path="trygg.assessment.tasks.generate_document", backend_name="default",
        priority=0, queue_name="default", run_after=None,
    )  # fmt: skip
    recovered = jobs.recover("host:1:1")
    assert {type(j).__name__ for j in recovered} == {"LagesbildDocument", "ImportJob"}
    doc.refresh_from_db()
    tired.refresh_from_db()
    other.refresh_from_db()
    assert doc.status == "queued"  # and its task is on the queue again:
    queued = DBTaskResult.objects.filter(status="READY", task_path__endswith="generate_document")
    assert [r.args_kwargs["args"] for r in queued] == [[doc.pk]]
    assert tired.has_failed and "3" in tired.message
    assert other.status == "running"  # another worker's job is left alone
    task.refresh_from_db()
    assert task.status == "FAILED"


def test_a_job_records_the_worker_that_runs_it(bro, monkeypatch):
    from trygg.incidents.models import ImportJob

    monkeypatch.setenv(jobs.WORKER_ENV, "host:9:2")
    job = ImportJob.objects.create(
        municipality=bro, importer="polisen", file_name="feed.json", started_by_label="x"
    )
    job.mark_running()
    job.refresh_from_db()
    assert job.worker == "host:9:2" and job.attempts == 1

"""The scheduler's slots: daily, weekly and every N minutes — each job enqueued once per
slot, also with two schedulers at the same moment (PostgreSQL: real concurrent
transactions)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from trygg.core import scheduler
from trygg.core.models import ScheduledRun
from trygg.core.scheduler import ScheduledJob

STOCKHOLM = dt.timezone(dt.timedelta(hours=1))  # November: CET


class Task:
    """A stand-in task that counts its enqueues."""

    def __init__(self, name: str = "tests.feed"):
        self.module_path = name
        self.enqueued = 0

    def enqueue(self, *args, **kwargs):
        self.enqueued += 1


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=STOCKHOLM)


def test_interval_slots_are_aligned_and_due_at_once():
    job = ScheduledJob(name="feed", task=Task(), interval=dt.timedelta(minutes=10))
    assert job.slot(at(30, 18, 0)) == job.slot(at(30, 18, 9)) == "2026-11-30T17:00Z"
    assert job.slot(at(30, 18, 10)) == "2026-11-30T17:10Z"
    assert job.when == "every 10 min"


def test_weekly_slots_begin_on_their_weekday_and_time():
    job = ScheduledJob(name="digest", task=Task(), at=dt.time(7, 0), weekday=0)
    assert job.slot(at(30, 6, 59)) is None  # Monday 30 November, before 07:00
    assert job.slot(at(30, 7, 0)) == "2026-W49"
    assert job.slot(at(30, 23, 0)) == "2026-W49"  # later that day: the same slot
    assert job.slot(at(29, 23, 0)) is None  # Sunday: not its day
    assert job.slot(at(1, 8, 0).replace(month=12)) is None  # a missed Monday is not caught up
    assert job.when == "Mondays at 07:00"


@pytest.mark.django_db
def test_an_interval_job_runs_once_per_slot(monkeypatch):
    task = Task()
    monkeypatch.setattr(scheduler, "_JOBS", {})
    scheduler.every(minutes=10)(task)
    assert scheduler.run_due(at(30, 18, 1)) == ["tests.feed"]
    assert scheduler.run_due(at(30, 18, 9)) == []  # same slot
    assert scheduler.run_due(at(30, 18, 11)) == ["tests.feed"]
    assert task.enqueued == 2
    assert ScheduledRun.objects.filter(job="tests.feed").count() == 2


def test_registering_nonsense_is_refused():
    with pytest.raises(ValueError):
        scheduler.every(minutes=0)
    with pytest.raises(ValueError):
        scheduler.weekly(6, "07:00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_enqueue_an_interval_job_once_per_slot():
    """Two schedulers pass at the same moment, each on its own connection: the unique
    (job, slot) row lets one enqueue; the other's insert fails and it enqueues nothing —
    for several slots in a row."""
    from trygg.live import tasks  # the real job: the police feed

    name = tasks.follow_police_feed.module_path
    job = scheduler._JOBS[name]
    slots = [at(30, 18, 0) + k * job.interval for k in range(3)]
    results: dict[int, list] = {0: [], 1: []}

    def run(me: int, barrier: threading.Barrier) -> None:
        try:
            for moment in slots:
                barrier.wait()
                results[me] += [n for n in scheduler.run_due(moment) if n == name]
        finally:
            connections.close_all()

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=run, args=(k, barrier)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results[0]) + len(results[1]) == 3  # one per slot, between the two
    assert ScheduledRun.objects.filter(job=name).count() == 3
    assert DBTaskResult.objects.filter(task_path=name).count() == 3

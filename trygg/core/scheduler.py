"""Recurring jobs on the task queue, without cron and without an extra server.

Apps register jobs on a django-tasks task: ``@daily("06:30")``, ``@weekly(0, "07:00")``
(Mondays, due that day only) or ``@every(minutes=10)``. ``python manage.py run_scheduler``
(started beside the worker by ``make demo``; one per installation in production, though two
do no harm)
wakes every 30 seconds and enqueues each job whose current slot — the day, the ISO week,
or the N-minute interval (aligned to the hour) — has begun and has not been enqueued yet.
"Enqueued for this slot" is a row with a unique (job, slot) constraint, claimed in the
same transaction as the enqueue — so a job runs once per slot even with two schedulers,
and a scheduler that was down at 06:30 catches up when it starts (an interval job catches
up only its current slot: missed intervals are not replayed).

``python manage.py run_scheduler --once`` does one such pass (for a system timer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from trygg.core.models import ScheduledRun


class Enqueueable(Protocol):
    module_path: str

    def enqueue(self, *args: Any, **kwargs: Any) -> object: ...


T = TypeVar("T", bound=Enqueueable)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    task: Enqueueable  # a django_tasks Task
    at: dt.time = dt.time(0, 0)  # daily and weekly jobs: the local time of day
    weekday: int | None = None  # weekly jobs: 0 = Monday
    interval: dt.timedelta | None = None  # interval jobs: every so often

    def slot(self, now: dt.datetime) -> str | None:
        """The slot due at ``now`` (the day, the week, or the interval it falls in), or
        None while the job is not due yet."""
        local = timezone.localtime(now)
        if self.interval is not None:
            seconds = int(self.interval.total_seconds())
            start = int(now.timestamp()) // seconds * seconds
            return dt.datetime.fromtimestamp(start, dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
        if self.weekday is not None:
            # Due on its day only (a scheduler down all Monday does not send Monday's
            # digest on Thursday): the slot is the ISO week.
            if local.weekday() != self.weekday or local.time() < self.at:
                return None
            year, week, _ = local.isocalendar()
            return f"{year}-W{week:02d}"
        if local.time() < self.at:
            return None
        return local.date().isoformat()

    @property
    def when(self) -> str:
        """How often, for people: "daily at 07:00", "Mondays at 07:00", "every 10 min"."""
        if self.interval is not None:
            return f"every {int(self.interval.total_seconds() // 60)} min"
        if self.weekday is not None:
            day = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays")[self.weekday]
            return f"{day} at {self.at:%H:%M}"
        return f"daily at {self.at:%H:%M}"


_JOBS: dict[str, ScheduledJob] = {}


def _time(at: str) -> dt.time:
    hour, minute = (int(part) for part in at.split(":"))
    return dt.time(hour, minute)


def _register(**when: Any) -> Callable[[T], T]:
    def register(task: T) -> T:
        name = f"{task.module_path}"
        _JOBS[name] = ScheduledJob(name=name, task=task, **when)
        return task

    return register


def daily(at: str) -> Callable[[T], T]:
    """Register a task to run once a day at ``at`` ("HH:MM", Europe/Stockholm)."""
    return _register(at=_time(at))


def weekly(weekday: int, at: str) -> Callable[[T], T]:
    """Register a task to run once a week, on ``weekday`` (0 = Monday, up to Friday) at
    ``at`` ("HH:MM", Europe/Stockholm)."""
    if not 0 <= weekday <= 4:
        raise ValueError("weekly jobs run on a weekday, 0 (Monday) to 4 (Friday)")
    return _register(at=_time(at), weekday=weekday)


def every(minutes: int) -> Callable[[T], T]:
    """Register a task to run every ``minutes`` minutes (slots aligned to the hour when
    ``minutes`` divides 60; at most once per slot across all schedulers)."""
    if minutes < 1:
        raise ValueError("an interval job runs at most once a minute")
    return _register(interval=dt.timedelta(minutes=minutes))


def jobs() -> list[ScheduledJob]:
    return sorted(_JOBS.values(), key=lambda job: (job.interval is None, job.at, job.name))


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every due job not yet enqueued for its slot; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        slot = job.slot(now)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot)
                job.task.enqueue()
        except IntegrityError:
            continue  # already enqueued for this slot (by us earlier, or another scheduler)
        enqueued.append(job.name)
    return enqueued

"""Recurring jobs on the task queue, without cron and without an extra server.

Apps register jobs with ``@daily("06:30")`` on a django-tasks task. ``python manage.py
run_scheduler`` (started beside the worker by ``make demo``; one per installation in
production, though two do no harm) wakes every 30 seconds and enqueues each job whose
time has come today and that has not been enqueued for today yet. "Enqueued for today"
is a row with a unique (job, day) constraint, claimed in the same transaction as the
enqueue — so a job runs once a day even with two schedulers, and a scheduler that was
down at 06:30 catches up when it starts.

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
    at: dt.time
    task: Enqueueable  # a django_tasks Task

    def slot(self, now: dt.datetime) -> str | None:
        """Today's slot if the job is due at ``now`` (local time), else None."""
        local = timezone.localtime(now)
        if local.time() < self.at:
            return None
        return local.date().isoformat()


_JOBS: dict[str, ScheduledJob] = {}


def daily(at: str) -> Callable[[T], T]:
    """Register a task to run once a day at ``at`` ("HH:MM", Europe/Stockholm)."""
    hour, minute = (int(part) for part in at.split(":"))

    def register(task: T) -> T:
        name = f"{task.module_path}"
        _JOBS[name] = ScheduledJob(name=name, at=dt.time(hour, minute), task=task)
        return task

    return register


def jobs() -> list[ScheduledJob]:
    return sorted(_JOBS.values(), key=lambda job: (job.at, job.name))


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

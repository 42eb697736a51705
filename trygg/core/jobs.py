"""One status shape for every background job (imports, lägesbild documents, walk
protocols, any future job): queued → running → done, or failed with a message — and a
failed job can be retried.

A job is a row of a model that inherits ``BackgroundJob``; the task that does the work runs
it inside ``running(job)``, which records the start, the outcome and, on any exception, the
failure with its message, so that no page polls for ever for a job that died. The page shows
the job with ``web/_job_status.html``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
from collections.abc import Iterator
from typing import ClassVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from trygg.core import audit

log = logging.getLogger(__name__)

MESSAGE_MAX = 2000


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED})


class BackgroundJob(models.Model):
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    message = models.TextField(_("message"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Which worker runs it (``current_worker()``): the supervisor that saw that worker die
    # queues its jobs again (``recover``).
    worker = models.CharField(_("worker"), max_length=100, blank=True)

    # The task that runs the job, as "module.task" — called with ``task_args()``.
    task_name: ClassVar[str] = ""

    class Meta:
        abstract = True

    def task_args(self) -> tuple[object, ...]:
        return (self.pk,)

    def enqueue(self) -> None:
        """Queue the job's task once the current transaction commits."""
        run = import_string(self.task_name)
        args = self.task_args()
        transaction.on_commit(lambda: run.enqueue(*args))

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def is_active(self) -> bool:
        return not self.is_finished

    @property
    def has_failed(self) -> bool:
        return self.status == JobStatus.FAILED

    def _set(self, **values: object) -> None:
        """Write the status fields alone (the work may have changed others in memory)."""
        for name, value in values.items():
            setattr(self, name, value)
        audit.update(type(self)._base_manager.filter(pk=self.pk), **values)

    def mark_running(self) -> None:
        self._set(
            status=JobStatus.RUNNING,
            worker=current_worker(),
            started_at=timezone.now(),
            finished_at=None,
            message="",
            attempts=self.attempts + 1,
        )

    def mark_done(self, message: str = "") -> None:
        self._set(status=JobStatus.DONE, finished_at=timezone.now(), message=message[:MESSAGE_MAX])

    def mark_failed(self, message: str) -> None:
        self._set(
            status=JobStatus.FAILED, finished_at=timezone.now(), message=message[:MESSAGE_MAX]
        )

    def mark_queued(self) -> None:
        """Queue it again (a retry): the previous outcome is cleared."""
        self._set(status=JobStatus.QUEUED, started_at=None, finished_at=None, message="")


@contextlib.contextmanager
def running(job: BackgroundJob, *, failure: str = "") -> Iterator[BackgroundJob]:
    """Run the work of ``job``: running while inside; done when the block ends (unless it
    marked the job itself); failed with the error's message (or ``failure``) when it
    raises — and the exception goes on to the task queue, which records it too."""
    job.mark_running()
    try:
        yield job
    except Exception as exc:
        log.exception("%s %s failed", type(job).__name__, job.pk)
        job.mark_failed(failure or f"{type(exc).__name__}: {exc}")
        raise
    if not job.is_finished:
        job.mark_done()


# --- Jobs a crashed worker left behind ------------------------------------------------

WORKER_ENV = "TRYGG_WORKER_ID"
MAX_ATTEMPTS = 3


def current_worker() -> str:
    """This process as a worker: the id its supervisor gave it, else host and process."""
    return os.environ.get(WORKER_ENV) or f"{socket.gethostname()}:{os.getpid()}"


def recover(worker: str) -> list[BackgroundJob]:
    """The jobs ``worker`` was running when it died (killed, out of memory): queued again
    for the next worker — their work is all or nothing, so nothing of the attempt was kept
    and the job is done exactly once — or, after ``MAX_ATTEMPTS`` runs, failed with a
    message. The task queue's own record of the task is closed as failed."""
    recovered: list[BackgroundJob] = []
    for model in job_models():
        for job in model._base_manager.filter(status=JobStatus.RUNNING, worker=worker):
            _queue_again(job, f"its worker {worker} died")
            recovered.append(job)
    _close_task_results(worker)
    return recovered


def _queue_again(job: BackgroundJob, why: str) -> None:
    """A job whose worker is gone: queued again for the next worker (nothing of the attempt
    was kept), or failed after ``MAX_ATTEMPTS`` runs."""
    name = type(job).__name__
    if job.task_name and job.attempts < MAX_ATTEMPTS:
        with transaction.atomic():
            job.mark_queued()
            job.enqueue()
        log.warning("%s %s: %s; queued again", name, job.pk, why)
    else:
        job.mark_failed(
            str(
                _(
                    "The worker stopped %(n)s times while running this job; it was "
                    "not tried again. Nothing of it was kept."
                )
                % {"n": job.attempts}
            )
        )
        log.warning("%s %s: %s; failed", name, job.pk, why)


def _close_task_results(worker: str) -> None:
    """The task queue's own record of what ``worker`` was running, closed as failed."""
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if worker in (result.worker_ids or []):
            DBTaskResult.objects.filter(pk=result.pk).update(
                status=TaskResultStatus.FAILED, finished_at=timezone.now()
            )


def reclaim_expired(now: dt.datetime | None = None) -> list[BackgroundJob]:
    """Jobs running past their lease (``JOB_LEASE_MINUTES``) whose worker and supervisor
    are both gone (a machine lost, a worker and its supervisor killed): queued again for
    another worker, as ``recover`` does for a worker its own supervisor saw die. Every
    supervisor runs this every minute; the rows are locked (``SKIP LOCKED``), so of several
    supervisors exactly one queues each job again. The lease must be longer than the
    longest job."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=settings.JOB_LEASE_MINUTES)
    reclaimed: list[BackgroundJob] = []
    for model in job_models():
        with transaction.atomic():
            qs = model._base_manager.filter(status=JobStatus.RUNNING, started_at__lt=limit)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            for job in qs:
                worker = job.worker
                _queue_again(job, f"its lease ran out (worker {worker})")
                if worker:
                    _close_task_results(worker)
                reclaimed.append(job)
    return reclaimed


def job_models() -> list[type[BackgroundJob]]:
    """Every concrete kind of background job (imports, documents, protocols, …)."""
    found: list[type[BackgroundJob]] = []
    pending: list[type[BackgroundJob]] = list(BackgroundJob.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if not model._meta.abstract:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def stuck(now: dt.datetime | None = None) -> list[BackgroundJob]:
    """Jobs still "running" longer than the lease (``JOB_LEASE_MINUTES``): the worker that
    took them is gone (killed, out of memory, the machine restarted)."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=settings.JOB_LEASE_MINUTES)
    out: list[BackgroundJob] = []
    for model in job_models():
        out.extend(
            model._base_manager.filter(status=JobStatus.RUNNING, started_at__lt=limit).order_by(
                "started_at"
            )
        )
    return out


def repair(now: dt.datetime | None = None) -> list[BackgroundJob]:
    """Mark every stuck job failed, with a message saying so — it can then be retried
    (documents, protocols) or its file uploaded again (imports); no page polls for ever."""
    repaired = stuck(now)
    for job in repaired:
        job.mark_failed(
            str(
                _(
                    "The worker stopped while running this job (it ran longer than "
                    "%(minutes)s minutes without finishing). Nothing of it was kept; "
                    "try again."
                )
                % {"minutes": settings.JOB_LEASE_MINUTES}
            )
        )
        log.warning("%s %s was stuck running: marked failed", type(job).__name__, job.pk)
    return repaired

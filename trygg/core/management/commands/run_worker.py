"""The task worker as Trygg runs it: django-tasks' database worker, made to last.

``manage.py run_worker`` supervises: it runs the worker in a child process and starts it
again whenever it exits (a crash, the out-of-memory killer, a bug in a task's library),
after a pause that grows from 1 s to a minute while it keeps failing and is back to 1 s once
a worker has run for a minute. SIGTERM or Ctrl-C stop the child gracefully (it finishes the
task at hand), then the supervisor.

The worker itself outlives a busy or vanished database: an ``OperationalError`` while
fetching or finishing a task — SQLite's "database is locked" while another process holds a
long write, PostgreSQL restarting — makes it wait (backoff up to 30 s) and go on, instead
of exiting. When a worker dies in the middle of a job, the supervisor queues that job again
for the next worker (``jobs.recover``): every job's work is all or nothing, so it is done
exactly once; after three attempts it is marked failed with a message. A job whose
supervisor died too (the machine lost power) is found by its lease (``manage.py
repair_jobs``, run by the nightly housekeeping).

Every option of ``db_worker`` works here too (``--queue-name``, ``--interval``, …);
``--batch`` runs the outstanding tasks once, unsupervised.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django_tasks_db.management.commands import db_worker

from trygg.core import jobs

log = logging.getLogger("trygg.worker")

CHILD_FLAG = "--supervised-child"
STEADY_AFTER = 60.0  # a worker that ran this long is not "failing"; the pause starts again
MAX_PAUSE = 60.0
# How often a supervisor looks for jobs whose lease ran out.
RECLAIM_EVERY = float(os.environ.get("JOB_RECLAIM_SECONDS", "60"))


class SteadyWorker(db_worker.Worker):
    """The database worker, waiting out an unavailable database instead of exiting."""

    max_pause = 30.0

    def run(self) -> None:
        pause = 1.0
        while True:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not self.running:
                    return
                log.warning(
                    "The database is not available (%s); trying again in %.0f s", exc, pause
                )
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, self.max_pause)


def backoff(pause: float, ran_for: float) -> float:
    """The pause before the next start: back to 1 s after a run of STEADY_AFTER seconds,
    else twice the last one, at most MAX_PAUSE."""
    if ran_for >= STEADY_AFTER:
        return 1.0
    return min(max(pause, 0.5) * 2, MAX_PAUSE)


class Command(db_worker.Command):
    help = "Run the task worker, restarted whenever it exits (see the module's text)."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(CHILD_FLAG, action="store_true", help="(internal) run one worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.pop("supervised_child") or options["batch"]:
            self.run_one(**options)
        else:
            self.supervise()

    def run_one(self, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = SteadyWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()

    def wait(self, child: subprocess.Popen[bytes]) -> int:
        """Wait for the child to exit; meanwhile, every ``RECLAIM_EVERY`` seconds, queue
        again the jobs whose lease ran out (another machine's worker that died with its
        supervisor): ``jobs.reclaim_expired``."""
        next_reclaim = time.monotonic() + RECLAIM_EVERY
        while True:
            code = child.poll()
            if code is not None:
                return code
            if time.monotonic() >= next_reclaim:
                next_reclaim = time.monotonic() + RECLAIM_EVERY
                try:
                    for job in jobs.reclaim_expired():
                        self.stderr.write(
                            f"{type(job).__name__} {job.pk}: lease ran out; queued again"
                        )
                except (OperationalError, InterfaceError) as exc:
                    log.warning("Could not look for expired leases: %s", exc)
                finally:
                    close_old_connections()
            time.sleep(0.5)

    def supervise(self) -> None:
        argv = [sys.executable, sys.argv[0], *sys.argv[1:], CHILD_FLAG]
        runs = 0
        stopping = False
        child: subprocess.Popen[bytes] | None = None

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True
            if child is not None and child.poll() is None:
                child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        pause = 1.0
        while not stopping:
            runs += 1
            worker = f"{socket.gethostname()}:{os.getpid()}:{runs}"[:64]
            started = time.monotonic()
            child = subprocess.Popen(  # noqa: S603 - this very command, as a child
                [*argv, "--worker-id", worker], env={**os.environ, jobs.WORKER_ENV: worker}
            )
            self.stdout.write(f"Task worker {worker} started (process {child.pid}).")
            code = self.wait(child)
            self.recover(worker)
            if stopping:
                break
            pause = backoff(pause, time.monotonic() - started)
            self.stderr.write(
                f"The task worker exited (exit {code}); starting it again in {pause:.0f} s."
            )
            deadline = time.monotonic() + pause
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
        self.stdout.write("Task worker stopped.")

    def recover(self, worker: str) -> None:
        """Queue again what the worker that just ended was running (a worker stopped
        gracefully finished its task: nothing)."""
        for attempt in range(5):
            try:
                close_old_connections()
                recovered = jobs.recover(worker)
                break
            except (OperationalError, InterfaceError) as exc:
                self.stderr.write(f"Could not check the worker's jobs yet ({exc}).")
                time.sleep(2**attempt)
        else:
            return
        for job in recovered:
            self.stderr.write(
                f"{type(job).__name__} {job.pk} was running when worker {worker} ended: "
                f"{job.get_status_display()}."
            )

"""python manage.py repair_jobs [--list]: the background jobs a dead worker left
"running" (longer than JOB_LEASE_MINUTES), listed — and marked failed so that they can be
retried. The scheduler's housekeeping does the same every night."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from trygg.core import jobs
from trygg.core.management.base import TryggCommand


class Command(TryggCommand):
    help = "List the background jobs left running by a worker that died, and mark them failed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="only list them")

    def handle(self, *args: Any, **options: Any) -> None:
        found = jobs.stuck()
        for job in found:
            self.stdout.write(
                f"{job._meta.label} {job.pk}: running since {job.started_at:%Y-%m-%d %H:%M}"
            )
        if options["list"]:
            self.stdout.write(f"{len(found)} stuck job(s).")
            return
        repaired = jobs.repair()
        self.stdout.write(self.style.SUCCESS(f"{len(repaired)} stuck job(s) marked failed."))

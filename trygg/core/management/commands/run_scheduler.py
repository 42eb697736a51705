"""Enqueue Trygg's recurring jobs (reminders, housekeeping) when they are due."""

import time
from typing import Any

from django.apps import apps
from django.core.management.base import CommandParser

from trygg.core import scheduler
from trygg.core.management.base import TryggCommand


class Command(TryggCommand):
    help = (
        "Enqueue the recurring jobs (the police feed, reminders, housekeeping) on the task queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between passes.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Importing each app's tasks module registers its jobs.
        for config in apps.get_app_configs():
            if config.name.startswith("trygg."):
                try:
                    __import__(f"{config.name}.tasks")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.tasks":
                        raise
        names = ", ".join(f"{job.name} {job.when}" for job in scheduler.jobs())
        self.stdout.write(f"Scheduled jobs: {names or 'none'}")
        while True:
            for name in scheduler.run_due():
                self.stdout.write(f"Enqueued {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])

"""python manage.py backfill_police_feed PATH [--municipality CODE ...]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from trygg.core.importing import ImportRefused
from trygg.core.management.base import TryggCommand
from trygg.incidents import feed
from trygg.incidents.models import PoliceFeedFollow


class Command(TryggCommand):
    help = (
        "Import an archive of past police-feed snapshots — a directory of the feed's JSON "
        "responses, or a JSON-lines file of its records — for one or more municipalities "
        "(default: those that follow the feed, else the only one). Every record is checked "
        "first; all or nothing; re-running changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="directory of *.json snapshots, or a .jsonl file")
        parser.add_argument(
            "--municipality", action="append", help="SCB code (may be given more than once)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["municipality"]:
            municipalities = [self.municipality(code) for code in options["municipality"]]
        else:
            municipalities = [
                f.municipality
                for f in PoliceFeedFollow.objects.filter(is_active=True).select_related(
                    "municipality"
                )
            ] or [self.municipality(None)]
        path = Path(options["path"])
        try:
            results = feed.backfill(path, municipalities, by=self.actor_label)
        except ImportRefused as exc:
            raise self.refused(str(path), exc) from exc
        for result in results:
            self.stdout.write(f"{result.municipality.name}: {result.job.message}")

"""python manage.py import_polisen FILE|URL [--municipality CODE]"""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from trygg.core.management.base import TryggCommand
from trygg.incidents.importers.polisen import FEED_URL, MIN_SECONDS_BETWEEN_CALLS
from trygg.incidents.management.importing import run_and_report
from trygg.incidents.models import ImportJob
from trygg.incidents.services import start_import


def seconds_to_wait(last_call, now, minimum: int = MIN_SECONDS_BETWEEN_CALLS) -> float:
    """How long to wait before calling the feed again (its terms: ≥ 10 s between calls)."""
    if last_call is None:
        return 0.0
    return max(0.0, minimum - (now - last_call).total_seconds())


class Command(TryggCommand):
    help = (
        "Import the police's public events (Polisens händelser) for one municipality from a "
        f"JSON file, or from the feed's URL ({FEED_URL}) at most once per "
        f"{MIN_SECONDS_BETWEEN_CALLS} s. All or nothing; re-running changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON file, or an https:// URL of the feed")
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")

    def handle(self, *args, **options):
        municipality = self.municipality(options["municipality"])
        target = options["file"]
        if target.startswith(("https://", "http://")):
            path = self._download(target)
        else:
            path = Path(target)
        job = start_import(
            municipality,
            "polisen",
            file_name=target,
            label=self.actor_label,
            options={"path": str(path), "url": target if path != Path(target) else ""},
        )
        run_and_report(self, job)

    def _download(self, url: str) -> Path:
        last = (
            ImportJob.objects.filter(importer="polisen")
            .exclude(options__url="")
            .exclude(started_at=None)
            .order_by("-started_at")
            .values_list("started_at", flat=True)
            .first()
        )
        wait = seconds_to_wait(last, timezone.now())
        if wait:
            self.stdout.write(f"Waiting {wait:.1f} s: the feed allows one call per 10 s.")
            time.sleep(wait)
        if not url.startswith("https://"):
            raise CommandError("Only https:// URLs are fetched.")
        request = urllib.request.Request(  # noqa: S310 - https only, checked above
            url, headers={"User-Agent": "Trygg (municipal safety work)"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                data = response.read(50 * 1024 * 1024)
        except OSError as exc:
            raise CommandError(f"Could not fetch {url}: {exc}") from exc
        folder = Path(settings.MEDIA_ROOT) / "imports" / "polisen"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"events-{timezone.now():%Y%m%dT%H%M%S}.json"
        path.write_bytes(data)
        return path

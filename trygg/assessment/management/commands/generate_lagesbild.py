"""python manage.py generate_lagesbild --municipality CODE --from YYYY-MM-DD --to YYYY-MM-DD
[--public] --out FILE.pdf"""

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import CommandError

from trygg.assessment.document import LagesbildRequest, generate
from trygg.core.management.base import TryggCommand


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


class Command(TryggCommand):
    help = (
        "Generate the statutory lägesbild (PDF) for a period: the partners' version, or --public."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)
        parser.add_argument(
            "--public", action="store_true", help="the public version (counts < 5 shown as <5)"
        )
        parser.add_argument("--language", default="sv", choices=["sv", "en"])
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, **options):
        municipality = self.municipality(options["municipality"])
        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        if date_from > date_to:
            raise CommandError("--from is after --to")
        started = time.perf_counter()
        pdf = generate(
            LagesbildRequest(
                municipality,
                date_from,
                date_to,
                public=options["public"],
                language=options["language"],
            )
        )
        out = Path(options["out"])
        out.write_bytes(pdf)
        self.stdout.write(
            self.style.SUCCESS(
                f"{out}: {len(pdf) / 1024:.0f} kB in {time.perf_counter() - started:.1f} s"
            )
        )

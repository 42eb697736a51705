"""python manage.py import_population FILE --municipality CODE [--year YYYY]"""

from typing import Any

from django.core.management.base import CommandParser

from trygg.core.importing import ImportRefused
from trygg.core.management.base import TryggCommand
from trygg.core.services.populations import import_population


class Command(TryggCommand):
    help = (
        "Import residents per area and year from a table exported from SCB's "
        "Statistikdatabasen (CSV or XLSX; per DeSO, RegSO, the municipality or an area's "
        "name; optionally by age band and sex). DeSO figures are shared out to the "
        "municipality's own districts by overlap. All or nothing; re-running changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")
        parser.add_argument("--year", type=int, help="only this year (or: the table's year)")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = self.municipality(options["municipality"])
        try:
            result = import_population(municipality, options["file"], year=options["year"])
        except ImportRefused as exc:
            raise self.refused(options["file"], exc) from exc
        self.stdout.write(self.style.SUCCESS(f"{municipality.name}: {result.summary}."))

"""python manage.py import_addresses FILE.csv|.xlsx [--crs EPSG:3006] [--municipality CODE]"""

from typing import Any

from django.core.management.base import CommandParser

from trygg.core.addresses import CRS_CHOICES, import_addresses
from trygg.core.importing import ImportRefused
from trygg.core.management.base import TryggCommand


class Command(TryggCommand):
    help = (
        "Import the municipality's address points (belägenhetsadresser) from a CSV or XLSX "
        "file: the address (or street and number), postcode, postal town, and the position "
        "as lat/lon (WGS84) or e/n in SWEREF 99 TM or a SWEREF 99 local zone (--crs). The file "
        "is the register: addresses not in it are removed. Every row is checked; on any error "
        "nothing is written. Re-running the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV (; , or tab separated, UTF-8) or XLSX file")
        parser.add_argument(
            "--crs",
            default="EPSG:3006",
            choices=CRS_CHOICES,
            help="projection of e/n columns (default EPSG:3006, SWEREF 99 TM; "
            "EPSG:3011 is SWEREF 99 18 00). Files with lat/lon columns are WGS84.",
        )
        parser.add_argument(
            "--encoding", default="utf-8", help="a CSV file's encoding (default utf-8; cp1252)"
        )
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")
        parser.add_argument(
            "--demo", action="store_true", help="mark the addresses as synthetic demo data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = self.municipality(options["municipality"])
        try:
            with self.progress(None, "addresses") as advance:
                result = import_addresses(
                    municipality,
                    options["file"],
                    crs=options["crs"],
                    encoding=options["encoding"],
                    is_demo=options["demo"],
                    progress=advance,
                )
        except ImportRefused as exc:
            raise self.refused(options["file"], exc) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{municipality.name}: addresses {result.summary} (CRS {result.crs})."
            )
        )

"""python manage.py import_areas FILE.geojson --name-field NAME [--kind district]"""

import json
from typing import Any

from django.core.management.base import CommandParser

from trygg.core.importing import ImportRefused
from trygg.core.management.base import TryggCommand
from trygg.core.models import AreaKind
from trygg.core.services import import_areas


class Command(TryggCommand):
    help = (
        "Import districts/neighbourhoods from a GeoJSON FeatureCollection of Polygon/"
        "MultiPolygon features in WGS84 (or EPSG:3006 when the file's crs says so). Every "
        "feature is validated; on any error nothing is written. Re-running the same file "
        "changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="GeoJSON file")
        parser.add_argument(
            "--name-field", default="name", help="property holding the area's name (default: name)"
        )
        parser.add_argument("--kind", default=AreaKind.DISTRICT, choices=AreaKind.values)
        parser.add_argument("--code-field", help="property holding an area code (e.g. DeSO code)")
        parser.add_argument("--population-field", help="property holding the population")
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")
        parser.add_argument(
            "--demo", action="store_true", help="mark the boundaries as synthetic demo data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = self.municipality(options["municipality"])
        try:
            with open(options["file"], "rb") as fh:
                total = len(json.load(fh).get("features") or [])
        except (OSError, ValueError, AttributeError):
            total = 0  # the service reports what is wrong with the file
        try:
            with self.progress(total, "areas") as advance:
                result = import_areas(
                    municipality,
                    options["file"],
                    name_field=options["name_field"],
                    kind=options["kind"],
                    code_field=options["code_field"],
                    population_field=options["population_field"],
                    is_demo=options["demo"],
                    progress=advance,
                )
        except ImportRefused as exc:
            raise self.refused(options["file"], exc) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{municipality.name}: {result.summary} (CRS {result.crs}).")
        )

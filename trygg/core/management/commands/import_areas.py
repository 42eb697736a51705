"""python manage.py import_areas FILE --municipality CODE --name-field F [--code-field F]
[--population-field F] [--kind district] [--layer NAME]"""

from typing import Any

from django.core.management.base import CommandParser

from trygg.core.importing import ImportRefused
from trygg.core.management.base import TryggCommand
from trygg.core.models import AreaKind
from trygg.core.services import import_areas


class Command(TryggCommand):
    help = (
        "Import districts/neighbourhoods (or DeSO, RegSO) from a GeoPackage, a zipped "
        "Shapefile or a GeoJSON file of Polygon/MultiPolygon features, in any coordinate "
        "reference system the file declares (SWEREF 99 TM, the SWEREF 99 local zones such as "
        "18 00, RT 90, WGS84). Every feature is validated; on any error nothing is written. "
        "Re-running the same file changes nothing; a changed file becomes a new version of "
        "the layer and the records in the areas are re-assigned."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=".gpkg, .zip (Shapefile) or .geojson file")
        parser.add_argument(
            "--name-field", default="name", help="column holding the area's name (default: name)"
        )
        parser.add_argument("--kind", default=AreaKind.DISTRICT, choices=AreaKind.values)
        parser.add_argument("--code-field", help="column holding an area code (e.g. DeSO code)")
        parser.add_argument("--population-field", help="column holding the population")
        parser.add_argument("--layer", help="the layer to read, when the file has several")
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")
        parser.add_argument(
            "--demo", action="store_true", help="mark the boundaries as synthetic demo data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = self.municipality(options["municipality"])
        try:
            with self.progress(None, "areas") as advance:
                result = import_areas(
                    municipality,
                    options["file"],
                    name_field=options["name_field"],
                    kind=options["kind"],
                    code_field=options["code_field"],
                    population_field=options["population_field"],
                    layer=options["layer"],
                    is_demo=options["demo"],
                    progress=advance,
                )
        except ImportRefused as exc:
            raise self.refused(options["file"], exc) from exc
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"  {warning}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{municipality.name}: {result.summary} ({result.format}, CRS {result.crs})."
            )
        )

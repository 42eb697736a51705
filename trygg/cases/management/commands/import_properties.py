"""python manage.py import_properties FILE.geojson --owner ORGANISATION [--name-field NAME]"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from trygg.cases.services import import_properties
from trygg.core.importing import ImportRefused
from trygg.core.management.base import TryggCommand
from trygg.core.models import Organisation


class Command(TryggCommand):
    help = (
        "Import an owner's properties (e.g. a housing company's yards) from a GeoJSON "
        "FeatureCollection, for routing cases inside them to the owner. Every feature is "
        "validated; on any error nothing is written. Re-running changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--owner", required=True, help="the owning organisation's name")
        parser.add_argument("--name-field", default="name")
        parser.add_argument("--municipality", help="SCB municipality code")

    def handle(self, *args, **options):
        municipality = self.municipality(options["municipality"])
        try:
            owner = Organisation.objects.get(municipality=municipality, name=options["owner"])
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"No organisation named {options['owner']!r}.") from exc
        try:
            counts = import_properties(
                municipality, options["file"], owner=owner, name_field=options["name_field"]
            )
        except ImportRefused as exc:
            raise self.refused(options["file"], exc) from exc
        except (OSError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{owner}: {counts['created']} new, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged properties."
            )
        )

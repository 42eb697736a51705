"""Create an api_key for an app that posts service requests through Open311."""

from trygg.cases.open311.keys import create_key
from trygg.core.management.base import TryggCommand


class Command(TryggCommand):
    help = "Create an Open311 api_key (printed once; only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Whose key it is, e.g. the app's name.")
        parser.add_argument("--municipality", help="Municipality code (if several).")
        parser.add_argument(
            "--requests-per-minute", type=int, default=None, help="Rate limit of this key."
        )

    def handle(self, *args, **options):
        municipality = self.municipality(options["municipality"])
        record, key = create_key(municipality, options["name"], options["requests_per_minute"])
        self.stderr.write(
            f"Open311 key {record.name!r} for {municipality} "
            f"({record.requests_per_minute} requests/minute). Keep it secret; it is not "
            "shown again. Revoke it with: manage.py revoke_open311_key "
            f"{record.prefix}"
        )
        self.stdout.write(key)

"""Revoke an Open311 api_key."""

from django.core.management.base import CommandError

from trygg.cases.models import Open311Key
from trygg.cases.open311.keys import revoke
from trygg.core.management.base import TryggCommand


class Command(TryggCommand):
    help = "Revoke an Open311 api_key, named by its prefix (shown when it was created)."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, **options):
        matches = list(Open311Key.objects.filter(prefix=options["prefix"], revoked_at__isnull=True))
        if len(matches) != 1:
            raise CommandError(f"No single active key with prefix {options['prefix']!r}.")
        revoke(matches[0])
        self.stdout.write(f"Revoked {matches[0]}.")

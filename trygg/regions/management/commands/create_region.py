"""python manage.py create_region NAME (--county CODE | --codes CODE,CODE,… | --all)
[--kind KIND] [--person USERNAME:ROLE …]"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from trygg.core import sweden
from trygg.core.management.base import TryggCommand
from trygg.core.models import RegionKind
from trygg.core.roles import RegionalRole
from trygg.core.services.regions import add_person, codes_of_county, create_region


class Command(TryggCommand):
    help = (
        "Create a region (a county, a police region or area, a shared service) from SCB "
        "municipality codes of the national list; municipalities not yet in Trygg are "
        "created with their outline. Idempotent: run again to add municipalities or people. "
        "Each municipality decides in its Inställningar whether the region reads its "
        "partners' level."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help='e.g. "Stockholms län" or "Lokalpolisområde Järfälla"')
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--county", help="SCB's two-digit county code: all its municipalities")
        which.add_argument("--codes", help="comma-separated municipality codes, e.g. 0123,0139")
        which.add_argument("--all", action="store_true", help="all 290 municipalities")
        parser.add_argument(
            "--kind", choices=[k.value for k in RegionKind], default=RegionKind.COUNTY.value
        )
        parser.add_argument(
            "--person",
            action="append",
            default=[],
            metavar="USERNAME:ROLE",
            help=f"give an account a regional role ({', '.join(r.value for r in RegionalRole)})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["all"]:
                codes = [m.code for m in sweden.municipalities()]
            elif options["county"]:
                codes = codes_of_county(options["county"])
            else:
                codes = options["codes"].split(",")
            region = create_region(options["name"], options["kind"], codes)
            for person in options["person"]:
                username, _sep, role = person.partition(":")
                user = get_user_model().objects.filter(username=username).first()
                if user is None:
                    raise CommandError(f"No account {username!r}.")
                if role not in RegionalRole.values:
                    raise CommandError(f"{role!r} is not a regional role.")
                add_person(region, user, role)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{region.name}: {region.members.count()} municipalities, "
                f"{region.people.filter(is_active=True).count()} people."
            )
        )

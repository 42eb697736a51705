"""python manage.py create_api_token USERNAME --organisation NAME --name LABEL"""

from typing import Any

from django.core.management.base import CommandError, CommandParser

from trygg.core.management.base import TryggCommand
from trygg.core.models import Membership
from trygg.core.tokens import create_token


class Command(TryggCommand):
    help = (
        "Create an API token acting as USERNAME for one of their organisations. The token "
        "is printed once; only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="the organisation's name")
        parser.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            membership = Membership.objects.get(
                user__username=options["username"],
                organisation__name=options["organisation"],
                is_active=True,
            )
        except Membership.DoesNotExist as exc:
            raise CommandError(
                f"{options['username']} has no active membership of {options['organisation']!r}."
            ) from exc
        token, key = create_token(membership, options["name"])
        self.stdout.write(f"API token {token} for {membership}:")
        self.stdout.write(key)

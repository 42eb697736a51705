"""python manage.py create_municipality CODE NAME [--coordinator EMAIL]"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from trygg.core.management.base import TryggCommand
from trygg.setup.services import create_municipality


class Command(TryggCommand):
    help = (
        "Set up an empty municipality with Sweden-wide defaults (observation categories, "
        "scales, case categories, a walk checklist, serious-event rules) and its own "
        "organisation; with --coordinator, e-mail its first coordinator an invitation. "
        "Everything else is done in Trygg's Inställningar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="SCB's four-digit municipality code, e.g. 0580")
        parser.add_argument("name", help="the municipality's name, e.g. Linköping")
        parser.add_argument("--organisation", help="its own organisation (default: NAME kommun)")
        parser.add_argument("--coordinator", help="e-mail address of the first coordinator")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = create_municipality(
                options["code"],
                options["name"],
                organisation_name=options["organisation"],
                coordinator_email=options["coordinator"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        m = created.municipality
        self.stdout.write(
            self.style.SUCCESS(
                f"{m.name} ({m.code}) with {created.organisation.name}: "
                f"{created.added_defaults} default categories and scale steps added."
            )
        )
        if created.invitation_link:
            self.stdout.write(
                f"Invitation for the coordinator (also sent by e-mail): {created.invitation_link}"
            )
        else:
            self.stdout.write(
                "No coordinator invited: run again with --coordinator EMAIL, or create an "
                "account with createsuperuser and give it a membership."
            )

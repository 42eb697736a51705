"""python manage.py weekly_report --municipality CODE --week YYYY-Www --out FILE.pdf"""

from pathlib import Path

from django.core.management.base import CommandError

from trygg.core.management.base import TryggCommand
from trygg.core.models import Membership
from trygg.core.permissions import Permission, Principal
from trygg.core.roles import roles_with
from trygg.est import report
from trygg.est.weeks import Week


class Command(TryggCommand):
    help = "The week's joint situation picture and the meeting's decisions as a PDF (Swedish)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")
        parser.add_argument("--week", required=True, help="ISO week, e.g. 2026-W07")
        parser.add_argument("--out", required=True)
        parser.add_argument("--language", default="sv", choices=["sv", "en"])

    def handle(self, *args, **options):
        municipality = self.municipality(options["municipality"])
        try:
            week = Week.parse(options["week"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        # The picture as the coordination sees it (partners' level; restricted reports
        # only where the coordination is named).
        membership = (
            Membership.objects.filter(
                organisation__municipality=municipality,
                role__in=roles_with(Permission.RUN_WEEKLY_MEETING),
                is_active=True,
            )
            .select_related("user", "organisation__municipality")
            .first()
        )  # fmt: skip
        if membership is None:
            raise CommandError("The municipality has no coordinator account.")
        pdf = report.render(
            Principal(user=membership.user, membership=membership), week, options["language"]
        )
        Path(options["out"]).write_bytes(pdf)
        self.stdout.write(
            self.style.SUCCESS(f"Week {week}: {len(pdf):,} bytes written to {options['out']}.")
        )

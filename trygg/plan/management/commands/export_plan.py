"""python manage.py export_plan --municipality CODE --format pdf|xlsx --out FILE
[--decided N]: a decided version's PDF exactly as it was frozen (default: the working plan,
marked as a draft)."""

from pathlib import Path

from django.core.management.base import CommandError

from trygg.core.management.base import TryggCommand
from trygg.plan import exports
from trygg.plan.models import ActionPlan


class Command(TryggCommand):
    help = "Export the municipality's action plan (the current one, or --plan ID) as PDF or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")
        parser.add_argument("--format", choices=["pdf", "xlsx"], required=True)
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--plan", type=int, help="the plan's id (default: the newest)")
        parser.add_argument("--language", default="sv", choices=["sv", "en"])
        parser.add_argument(
            "--decided",
            type=int,
            metavar="N",
            help="PDF of decided version N as frozen (default: the working plan, a draft)",
        )

    def handle(self, *args, **options):
        municipality = self.municipality(options["municipality"])
        plans = ActionPlan.objects.filter(municipality=municipality)
        plan = plans.filter(pk=options["plan"]).first() if options["plan"] else plans.first()
        if plan is None:
            raise CommandError(f"{municipality} has no action plan.")
        version = None
        if options["decided"] is not None:
            version = plan.versions.filter(number=options["decided"]).first()
            if version is None:
                raise CommandError(f"{plan} has no decided version {options['decided']}.")
            if options["format"] != "pdf":
                raise CommandError("--decided exports a PDF: use --format pdf.")
        if options["format"] == "pdf":
            content = exports.plan_pdf(plan, lang=options["language"], version=version)
        else:
            content = exports.plan_xlsx(plan, lang=options["language"])
        Path(options["out"]).write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(
                f"{plan}: {options['format'].upper()} written to {options['out']} "
                f"({len(content):,} bytes)."
            )
        )

"""python manage.py import_incidents FILE.csv|.xlsx --source NAME [--mapping PRESET]"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.text import slugify

from trygg.core.management.base import TryggCommand
from trygg.core.models import Organisation, Sensitivity
from trygg.incidents.importers.tabular import FIELDS, PRESETS
from trygg.incidents.management.importing import run_and_report
from trygg.incidents.models import Source, SourceKind
from trygg.incidents.services import start_import


class Command(TryggCommand):
    help = (
        "Import a partner's incident log (CSV or XLSX): columns found by a mapping preset "
        f"({', '.join(PRESETS)}) and --map COLUMN=FIELD pairs. Fields: "
        + "; ".join(f"{k}: {v}" for k, v in FIELDS.items())
        + ". All or nothing; re-running the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8, ; or , separated) or XLSX file")
        parser.add_argument("--source", required=True, help="the source's short name")
        parser.add_argument("--mapping", default="standard", choices=list(PRESETS))
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="map a column of the file to a field (repeatable)",
        )
        parser.add_argument("--encoding", default="utf-8", help="CSV encoding (default utf-8)")
        parser.add_argument(
            "--covers",
            metavar="FROM:TO",
            help="the whole period the file reports, even days with nothing, e.g. "
            "2026-10-01:2026-10-31 (default: its first to its last row); a row outside it "
            "is an error",
        )
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")
        parser.add_argument(
            "--owner",
            help="create the source if it does not exist, owned by this organisation (name)",
        )
        parser.add_argument(
            "--sensitivity",
            default=Sensitivity.PARTNERS,
            choices=Sensitivity.values,
            help="default sensitivity of a source created with --owner",
        )

    def handle(self, *args, **options):
        municipality = self.municipality(options["municipality"])
        explicit = {}
        for pair in options["map"]:
            column, sep, field = pair.rpartition("=")
            if not sep or not column or not field:
                raise CommandError(f"--map {pair!r}: write it as COLUMN=FIELD")
            explicit[column] = field
        covers = None
        if options["covers"]:
            start, sep, end = options["covers"].partition(":")
            try:
                days = [dt.date.fromisoformat(start), dt.date.fromisoformat(end)]
            except ValueError as exc:
                raise CommandError(
                    f"--covers {options['covers']!r}: write it as YYYY-MM-DD:YYYY-MM-DD"
                ) from exc
            if not sep or days[0] > days[1]:
                raise CommandError(
                    f"--covers {options['covers']!r}: the period ends before it starts"
                )
            covers = [d.isoformat() for d in days]
        source = self._source(municipality, options)
        path = Path(options["file"])
        job = start_import(
            municipality,
            "incidents",
            file_name=str(path),
            label=self.actor_label,
            options={
                "path": str(path),
                "source": source.slug,
                "preset": options["mapping"],
                "map": explicit,
                "encoding": options["encoding"],
                **({"covers": covers} if covers else {}),
            },
        )
        run_and_report(self, job)

    def _source(self, municipality, options) -> Source:
        slug = slugify(options["source"])
        source = Source.objects.filter(municipality=municipality, slug=slug).first()
        if source:
            return source
        if not options["owner"]:
            known = ", ".join(
                Source.objects.filter(municipality=municipality).values_list("slug", flat=True)
            )
            raise CommandError(
                f"No source {slug!r} in {municipality.name} (sources: {known or 'none'}). "
                "Create it with --owner ORGANISATION."
            )
        try:
            owner = Organisation.objects.get(municipality=municipality, name=options["owner"])
        except Organisation.DoesNotExist as exc:
            raise CommandError(
                f"No organisation {options['owner']!r} in {municipality.name}."
            ) from exc
        return Source.objects.create(
            municipality=municipality,
            slug=slug,
            name=options["source"],
            kind=SourceKind.MUNICIPAL_LOG
            if owner.kind == "municipal_department"
            else SourceKind.PARTNER_LOG,
            owner_organisation=owner,
            default_sensitivity=options["sensitivity"],
        )

"""The importers, by name. Each knows how to parse its file and which source it feeds."""

from __future__ import annotations

import datetime as dt

from trygg.core.dates import local_tz
from trygg.core.models import Municipality, OrganisationKind, Sensitivity
from trygg.incidents.importers import polisen, tabular
from trygg.incidents.importers.base import ImportRefused, ParseResult, RowIssue
from trygg.incidents.models import Source, SourceKind

LOCAL_TZ = local_tz()


def polisen_source(municipality: Municipality) -> Source:
    """The municipality's source for the police's public events, created on first use
    and owned by its police organisation."""
    source = Source.objects.filter(municipality=municipality, slug="polisen").first()
    if source:
        return source
    owner = (
        municipality.organisations.filter(kind=OrganisationKind.POLICE, is_active=True).first()
        or municipality.organisations.filter(is_active=True).order_by("id").first()
    )
    if owner is None:
        raise ImportRefused(
            [RowIssue(0, "", f"{municipality.name} has no organisation to own the police feed")]
        )
    return Source.objects.create(
        municipality=municipality,
        slug="polisen",
        name="Polisens händelser",
        kind=SourceKind.POLICE_FEED,
        owner_organisation=owner,
        default_sensitivity=Sensitivity.PUBLIC,
    )


class PolisenImporter:
    name = "polisen"

    @staticmethod
    def parse(job, data, progress):
        return polisen.parse(data, job.municipality.name, progress)

    @staticmethod
    def source(job):
        return polisen_source(job.municipality)


class TabularImporter:
    name = "incidents"

    @staticmethod
    def source(job) -> Source:
        try:
            return Source.objects.get(municipality=job.municipality, slug=job.options["source"])
        except Source.DoesNotExist as exc:
            raise ImportRefused(
                [RowIssue(0, "source", f"no source {job.options['source']!r} in this municipality")]
            ) from exc

    @classmethod
    def parse(cls, job, data, progress):
        result = tabular.parse(
            data,
            file_name=job.file_name,
            municipality=job.municipality,
            preset=job.options.get("preset") or "standard",
            explicit_map=job.options.get("map") or {},
            encoding=job.options.get("encoding") or "utf-8",
            progress=progress,
        )
        declared = job.options.get("covers")
        if declared:
            declare_coverage(result, declared)
        return result


def declare_coverage(result: ParseResult, declared: list[str]) -> None:
    """The period the file says it reports completely ("all of October", even days with
    nothing), as ["YYYY-MM-DD", "YYYY-MM-DD"]: a row outside it is an error, since the
    file and its stated period disagree."""
    start, end = (dt.date.fromisoformat(day) for day in declared)
    if start > end:
        raise ImportRefused(
            [RowIssue(0, "covers", f"the period {start} – {end} ends before it starts")]
        )
    for row in result.rows:
        day = row.occurred_at.astimezone(LOCAL_TZ).date()
        if not start <= day <= end:
            result.error(
                row.row,
                "date",
                f"{day} lies outside the period the file covers ({start} – {end})",
            )
    result.covers = (start, end)


IMPORTERS = {"polisen": PolisenImporter, "incidents": TabularImporter}

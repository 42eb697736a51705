"""The importers, by name. Each knows how to read its file (an ``IncidentFile``: checked
whole, then its rows) and which source it feeds."""

from __future__ import annotations

import datetime as dt

from trygg.core.models import Municipality, OrganisationKind, Sensitivity
from trygg.incidents.importers import polisen, tabular
from trygg.incidents.importers.base import (
    ImportRefused,
    IncidentFile,
    ParsedInMemory,
    RowIssue,
)
from trygg.incidents.models import Source, SourceKind


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
    def read(job, open_file: tabular.FileOpener) -> IncidentFile:
        def parse(progress):
            with open_file() as fh:
                return polisen.parse(fh.read(), job.municipality.name, progress)

        return ParsedInMemory(parse)

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

    @staticmethod
    def read(job, open_file: tabular.FileOpener) -> IncidentFile:
        declared = job.options.get("covers")
        return tabular.IncidentLog(
            open_file,
            file_name=job.file_name,
            municipality=job.municipality,
            preset=job.options.get("preset") or "standard",
            explicit_map=job.options.get("map") or {},
            encoding=job.options.get("encoding") or "utf-8",
            covers=(
                (dt.date.fromisoformat(declared[0]), dt.date.fromisoformat(declared[1]))
                if declared
                else None
            ),
        )


IMPORTERS = {"polisen": PolisenImporter, "incidents": TabularImporter}

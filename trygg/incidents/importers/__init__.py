"""The importers, by name. Each knows how to parse its file and which source it feeds."""

from __future__ import annotations

from trygg.incidents.importers import polisen, tabular
from trygg.incidents.importers.base import ImportRefused, RowIssue
from trygg.incidents.models import Source


class PolisenImporter:
    name = "polisen"

    @staticmethod
    def parse(job, data, progress):
        return polisen.parse(data, job.municipality.name, progress)

    @staticmethod
    def source(job):
        from trygg.incidents.services import polisen_source

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
        return tabular.parse(
            data,
            file_name=job.file_name,
            municipality=job.municipality,
            preset=job.options.get("preset") or "standard",
            explicit_map=job.options.get("map") or {},
            encoding=job.options.get("encoding") or "utf-8",
            progress=progress,
        )


IMPORTERS = {"polisen": PolisenImporter, "incidents": TabularImporter}

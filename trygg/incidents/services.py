"""Incident operations: the idempotent bulk upsert shared by every importer, import jobs
(run from the command line or by the task worker), and the daily summary table."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from trygg.core import audit, geo
from trygg.core.models import AreaKind, AuditAction, Municipality, OrganisationKind, Sensitivity
from trygg.core.services import area_index
from trygg.incidents.importers.base import (
    MAX_ISSUES_KEPT,
    ImportRefused,
    IncidentRow,
    ParseResult,
    RowIssue,
)
from trygg.incidents.models import (
    DailyCount,
    ImportJob,
    ImportStatus,
    Incident,
    IncidentRevision,
    PositionPrecision,
    Source,
    SourceKind,
    TimePrecision,
)

log = logging.getLogger(__name__)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
CELL_M = 250
BATCH = 2000

# Fields an import writes, in a fixed order (for the content hash and for updates).
WRITTEN_FIELDS = (
    "category",
    "source_type",
    "occurred_at",
    "occurred_precision",
    "occurred_date",
    "occurred_hour",
    "occurred_weekday",
    "reported_at",
    "lat",
    "lon",
    "position_precision",
    "area_id",
    "cell_e",
    "cell_n",
    "description",
    "counts_in_statistics",
)


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


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


def _derive(municipality: Municipality, rows: list[IncidentRow]) -> list[dict]:
    """Local date/hour/weekday, area and 250 m SWEREF 99 TM grid cell for each row,
    computed for all rows at once."""
    n = len(rows)
    lats = np.array([r.lat if r.lat is not None else np.nan for r in rows], dtype=float)
    lons = np.array([r.lon if r.lon is not None else np.nan for r in rows], dtype=float)
    exact = np.array(
        [r.position_precision != PositionPrecision.MUNICIPALITY for r in rows], dtype=bool
    )
    has_point = ~np.isnan(lats) & exact
    areas = np.full(n, -1, dtype=np.int64)
    cell_e = np.full(n, np.nan)
    cell_n = np.full(n, np.nan)
    if has_point.any():
        areas[has_point] = area_index(municipality, AreaKind.DISTRICT).locate_many(
            lats[has_point], lons[has_point]
        )
        east, north = geo.transformer(geo.WGS84, geo.SWEREF99TM).transform(
            lons[has_point], lats[has_point]
        )
        cell_e[has_point] = np.floor(np.asarray(east) / CELL_M)
        cell_n[has_point] = np.floor(np.asarray(north) / CELL_M)
    values = []
    for i, r in enumerate(rows):
        local = r.occurred_at.astimezone(STOCKHOLM)
        area_id = r.area_id if r.area_id is not None else (int(areas[i]) if areas[i] >= 0 else None)
        values.append(
            {
                "category": str(r.category),
                "source_type": r.source_type,
                "occurred_at": r.occurred_at.astimezone(dt.UTC),
                "occurred_precision": str(r.occurred_precision),
                "occurred_date": local.date(),
                "occurred_hour": None if r.occurred_precision == TimePrecision.DAY else local.hour,
                "occurred_weekday": local.weekday(),
                "reported_at": r.reported_at.astimezone(dt.UTC) if r.reported_at else None,
                "lat": None if np.isnan(lats[i]) else round(float(lats[i]), 6),
                "lon": None if np.isnan(lons[i]) else round(float(lons[i]), 6),
                "position_precision": str(r.position_precision),
                "area_id": area_id,
                "cell_e": None if np.isnan(cell_e[i]) else int(cell_e[i]),
                "cell_n": None if np.isnan(cell_n[i]) else int(cell_n[i]),
                "description": r.description,
                "counts_in_statistics": r.counts_in_statistics,
            }
        )
    return values


def _hash(values: dict) -> str:
    text = "\x1f".join(
        v.isoformat() if isinstance(v, dt.datetime | dt.date) else repr(v)
        for v in (values[f] for f in WRITTEN_FIELDS)
    )
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def write_incidents(
    source: Source,
    rows: list[IncidentRow],
    *,
    job: ImportJob | None = None,
    is_demo: bool = False,
    progress: Callable[[int], None] | None = None,
) -> WriteResult:
    """Insert new incidents and update changed ones, by (source, source_ref): all or
    nothing, and a re-run of the same rows writes nothing. Changes are kept as
    revisions. The daily summary is rebuilt for the days touched."""
    municipality = source.municipality
    derived = _derive(municipality, rows)
    result = WriteResult()
    with transaction.atomic():
        existing = {
            ref: (pk, content_hash)
            for ref, pk, content_hash in Incident.objects.filter(source=source).values_list(
                "source_ref", "id", "content_hash"
            )
        }
        to_create: list[Incident] = []
        to_update: dict[int, dict] = {}
        days: set[dt.date] = set()
        for row, values in zip(rows, derived, strict=True):
            content_hash = _hash(values)
            current = existing.get(row.source_ref)
            if current is None:
                to_create.append(
                    Incident(
                        municipality=municipality,
                        owner_organisation_id=source.owner_organisation_id,
                        sensitivity=source.default_sensitivity,
                        source=source,
                        source_ref=row.source_ref,
                        import_job=job,
                        is_demo=is_demo or source.is_demo,
                        content_hash=content_hash,
                        **values,
                    )
                )
                days.add(values["occurred_date"])
            elif current[1] != content_hash:
                to_update[current[0]] = values | {"content_hash": content_hash}
                days.add(values["occurred_date"])
            else:
                result.unchanged += 1
        for start in range(0, len(to_create), BATCH):
            batch = to_create[start : start + BATCH]
            Incident.objects.bulk_create(batch, batch_size=BATCH)
            if progress:
                progress(len(batch))
        result.created = len(to_create)
        if to_update:
            result.updated = _apply_updates(to_update, job, days)
        if result.created or result.updated:
            rebuild_daily_counts(municipality, days)
            audit.record_event(
                AuditAction.IMPORT,
                changes={
                    "source": source.slug,
                    "import_job": job.pk if job else None,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    return result


def _apply_updates(to_update: dict[int, dict], job, days: set) -> int:
    ids = list(to_update)
    fields = [*WRITTEN_FIELDS, "content_hash"]
    attnames = {"area_id": "area_id"}
    revisions = []
    for start in range(0, len(ids), BATCH):
        chunk = Incident.objects.filter(pk__in=ids[start : start + BATCH])
        instances = list(chunk)
        for incident in instances:
            new = to_update[incident.pk]
            days.add(incident.occurred_date)  # the day it moved from, too
            changes = {}
            for f in WRITTEN_FIELDS:
                old_value = getattr(incident, attnames.get(f, f))
                if old_value != new[f]:
                    changes[f] = [_jsonable(old_value), _jsonable(new[f])]
                setattr(incident, f, new[f])
            incident.content_hash = new["content_hash"]
            incident.import_job = job
            revisions.append(IncidentRevision(incident=incident, import_job=job, changes=changes))
        Incident.objects.bulk_update(
            instances, [f if f != "area_id" else "area" for f in fields] + ["import_job"]
        )
    IncidentRevision.objects.bulk_create(revisions, batch_size=BATCH)
    return len(ids)


def rebuild_daily_counts(municipality: Municipality, days: set[dt.date] | None = None) -> None:
    """Recompute the summary rows of ``days`` (all days when None) in one statement."""
    table = DailyCount._meta.db_table
    incident_table = Incident._meta.db_table
    delete = DailyCount.objects.filter(municipality=municipality)
    where = ""
    params: list = [municipality.pk]
    if days is not None:
        if not days:
            return
        first, last = min(days), max(days)
        delete = delete.filter(day__gte=first, day__lte=last)
        where = "AND occurred_date >= %s AND occurred_date <= %s"
        params += [first, last]
    delete._raw_delete(delete.db)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (municipality_id, day, category, area_id, source_id,
                                 sensitivity, count)
            SELECT municipality_id, occurred_date, category, area_id, source_id,
                   sensitivity, COUNT(*)
            FROM {incident_table}
            WHERE municipality_id = %s AND counts_in_statistics AND sensitivity <> 'restricted'
                  {where}
            GROUP BY municipality_id, occurred_date, category, area_id, source_id, sensitivity
            """,  # noqa: S608 - table names are ours, values are parameters
            params,
        )


# --- Import jobs -------------------------------------------------------------------------


def _file_bytes(job: ImportJob) -> bytes:
    if job.upload:
        with job.upload.open("rb") as fh:
            return fh.read()
    return Path(job.options["path"]).read_bytes()


def _keep(issues: list[RowIssue]) -> list[dict]:
    return [i.as_dict() for i in issues[:MAX_ISSUES_KEPT]]


class JobProgress:
    """Writes the job's progress every few hundred rows (outside any transaction, so
    the upload page can show it while the import runs)."""

    def __init__(self, job: ImportJob, every: int = 500):
        self.job = job
        self.every = every
        self.pending = 0

    def __call__(self, n: int) -> None:
        self.pending += n
        if self.pending >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.job.rows_done += self.pending
            self.pending = 0
            ImportJob.objects.filter(pk=self.job.pk).update(rows_done=self.job.rows_done)


def run_import_job(job: ImportJob, *, cli_progress=None) -> ImportJob:
    """Run an import job: parse and validate the whole file, then write all or nothing.
    The job records the outcome either way."""
    from trygg.incidents.importers import IMPORTERS

    job.status = ImportStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    tracker = JobProgress(job)

    def progress(n: int) -> None:
        tracker(n)
        if cli_progress:
            cli_progress(n)

    try:
        data = _file_bytes(job)
        job.file_sha256 = hashlib.sha256(data).hexdigest()
        importer = IMPORTERS[job.importer]
        parsed: ParseResult = importer.parse(job, data, progress)
        tracker.flush()
        job.rows_total = parsed.total
        job.skipped_count = parsed.skipped
        job.warning_count = len(parsed.warnings)
        job.warnings = _keep(parsed.warnings)
        if parsed.errors:
            raise ImportRefused(parsed.errors)
        source = importer.source(job)
        with audit.acting(
            user=job.started_by,
            label=job.started_by_label,
            municipality_id=job.municipality_id,
            path=f"import job {job.pk}",
        ):
            written = write_incidents(source, parsed.rows, job=job)
        job.source = source
        job.created_count = written.created
        job.updated_count = written.updated
        job.unchanged_count = written.unchanged
        job.status = ImportStatus.SUCCEEDED
        job.message = _summary(job, parsed)
    except ImportRefused as exc:
        job.status = ImportStatus.FAILED
        job.error_count = len(exc.errors)
        job.errors = _keep(exc.errors)
        job.message = f"{len(exc.errors)} error(s); nothing was imported."
    except OSError as exc:
        job.status = ImportStatus.FAILED
        job.error_count = 1
        job.errors = [RowIssue(0, "", f"cannot read the file: {exc.strerror or exc}").as_dict()]
        job.message = "The file could not be read; nothing was imported."
    except Exception:
        log.exception("import job %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.message = "Internal error; nothing was imported. The error has been logged."
        raise
    finally:
        job.finished_at = timezone.now()
        if job.status == ImportStatus.SUCCEEDED:
            job.rows_done = job.rows_total
        job.save()
    return job


def _summary(job: ImportJob, parsed: ParseResult) -> str:
    parts = [
        f"{job.created_count} created",
        f"{job.updated_count} updated",
        f"{job.unchanged_count} unchanged",
    ]
    if parsed.skipped:
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(parsed.skip_reasons.items()))
        parts.append(f"{parsed.skipped} skipped ({reasons})")
    if parsed.warnings:
        parts.append(f"{len(parsed.warnings)} warning(s)")
    return ", ".join(parts) + "."


def start_import(
    municipality: Municipality,
    importer: str,
    *,
    file_name: str,
    user=None,
    label: str = "",
    options: dict | None = None,
    upload=None,
) -> ImportJob:
    return ImportJob.objects.create(
        municipality=municipality,
        importer=importer,
        file_name=file_name[:300],
        started_by=user if getattr(user, "is_authenticated", False) else None,
        started_by_label=(
            user.get_username() if user is not None and user.is_authenticated else label
        )[:200],
        options=options or {},
        upload=upload,
    )

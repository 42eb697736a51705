"""Incident operations: the idempotent bulk upsert shared by every importer, import jobs
(run from the command line or by the task worker), and the daily summary table."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from trygg.core import audit, geo, records
from trygg.core.dates import local_tz
from trygg.core.models import AreaKind, AuditAction, Municipality
from trygg.core.permissions import Permission, Principal
from trygg.core.services import area_index
from trygg.core.services.areas import reassign_points
from trygg.core.signals import incidents_changed
from trygg.incidents import coverage
from trygg.incidents.importers import (  # noqa: F401 - polisen_source: services' interface
    IMPORTERS,
    polisen_source,
)
from trygg.incidents.importers.base import (
    ImportRefused,
    IncidentRow,
    ParseResult,
    RowIssue,
    kept,
)
from trygg.incidents.importers.tabular import FileOpener
from trygg.incidents.models import (
    DailyCount,
    FieldReport,
    ImportJob,
    ImportStatus,
    Incident,
    IncidentRevision,
    PositionPrecision,
    Source,
    TimePrecision,
)

log = logging.getLogger(__name__)
LOCAL_TZ = local_tz()
CELL_M = 250
BATCH = 5000  # rows derived, looked up and written together

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
    job: ImportJob | None = None  # the job the written rows carry (made on demand)


def _nullable(array: np.ndarray, decimals: int | None = None) -> list:
    """A float array as a list of Python values, NaN as None (one pass, no per-item numpy)."""
    if decimals is not None:
        array = np.round(array, decimals)
    values = array.tolist()
    return [None if v != v else v for v in values]  # NaN != NaN


def _derive(municipality: Municipality, rows: list[IncidentRow]) -> list[tuple]:
    """The written values of each row, in WRITTEN_FIELDS order: local date, hour and
    weekday, area and 250 m SWEREF 99 TM grid cell — positions computed for all rows at
    once."""
    n = len(rows)
    lats = np.array([np.nan if r.lat is None else r.lat for r in rows], dtype=float)
    lons = np.array([np.nan if r.lon is None else r.lon for r in rows], dtype=float)
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
    lat_list, lon_list = _nullable(lats, 6), _nullable(lons, 6)
    area_list = areas.tolist()
    cell_e_list = [None if v is None else int(v) for v in _nullable(cell_e)]
    cell_n_list = [None if v is None else int(v) for v in _nullable(cell_n)]
    day_precision = TimePrecision.DAY
    out = []
    for i, r in enumerate(rows):
        occurred = r.occurred_at
        local = occurred if occurred.tzinfo is LOCAL_TZ else occurred.astimezone(LOCAL_TZ)
        area_id = r.area_id if r.area_id is not None else area_list[i]
        out.append(
            (
                str(r.category),
                r.source_type,
                occurred,
                str(r.occurred_precision),
                local.date(),
                None if r.occurred_precision == day_precision else local.hour,
                local.weekday(),
                r.reported_at,
                lat_list[i],
                lon_list[i],
                str(r.position_precision),
                area_id if area_id is not None and area_id >= 0 else None,
                cell_e_list[i],
                cell_n_list[i],
                r.description,
                r.counts_in_statistics,
            )
        )
    return out


DATE_INDEX = WRITTEN_FIELDS.index("occurred_date")


def _hash(values: tuple) -> str:
    text = "\x1f".join(map(str, values))
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def _same(a, b) -> bool:
    """Equality that holds across time zones: Python never calls an aware datetime in a
    repeated (DST) hour equal to one in another zone (PEP 495), so compare in UTC."""
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.astimezone(dt.UTC) == b.astimezone(dt.UTC)
    return a == b


def write_incidents(
    source: Source,
    rows: Iterable[IncidentRow],
    *,
    job: ImportJob | None = None,
    make_job: Callable[[], ImportJob] | None = None,
    is_demo: bool = False,
    covers: coverage.Span | None = None,
    record_coverage: bool = True,
) -> WriteResult:
    """Insert new incidents and update changed ones, by (source, source_ref): all or
    nothing, and a re-run of the same rows writes nothing. Changes are kept as
    revisions. The daily summary is rebuilt for the days touched.

    ``rows`` may be a stream (``IncidentFile.rows()``): they are written a chunk at a time
    inside the one transaction, so memory does not grow with the file. Their ids must be
    distinct (the importers check that first).

    ``covers``: the days the rows report completely (an importer that knows, such as a
    feed, says so); by default the first to the last day of the rows. Recorded as the
    source's coverage (trygg.incidents.coverage) unless ``record_coverage`` is false (a
    caller that records it itself, such as the feed follower).

    ``make_job``: instead of ``job``, made only when something is new or changed (a feed
    polled every ten minutes does not leave a job behind for each poll that changed
    nothing). The job written is ``result.job``; incidents created or changed carry it,
    so ``Incident.objects.filter(import_job=result.job)`` is what this write changed."""
    municipality = source.municipality
    result = WriteResult(job=job)
    now = timezone.now()

    def constant() -> tuple:
        return (
            municipality.pk,
            source.owner_organisation_id,
            source.default_sensitivity,
            source.pk,
            result.job.pk if result.job else None,
            is_demo or source.is_demo,
            now,
            now,
        )

    days: set[dt.date] = set()  # the days written: their summary rows are rebuilt
    first_day: dt.date | None = None  # the rows' span: the coverage when none is declared
    last_day: dt.date | None = None
    with transaction.atomic():
        # A source's first import (the big one) need not look up what it already holds.
        has_existing = Incident.objects.filter(source=source).exists()
        for chunk in _chunks(rows, BATCH):
            derived = _derive(municipality, chunk)
            existing = _existing(source, [row.source_ref for row in chunk]) if has_existing else {}
            to_create: list[tuple] = []
            to_update: dict[int, tuple] = {}
            for row, values in zip(chunk, derived, strict=True):
                content_hash = _hash(values)
                current = existing.get(row.source_ref)
                day = values[DATE_INDEX]
                first_day = day if first_day is None else min(first_day, day)
                last_day = day if last_day is None else max(last_day, day)
                if current is None:
                    to_create.append((row.source_ref, content_hash, *values))
                    days.add(day)
                elif current[1] != content_hash:
                    to_update[current[0]] = (values, content_hash)
                    days.add(day)
                else:
                    result.unchanged += 1
            if (to_create or to_update) and result.job is None and make_job is not None:
                result.job = make_job()
            _insert(constant(), to_create)
            result.created += len(to_create)
            if to_update:
                updated = _apply_updates(to_update, result.job, days)
                result.updated += updated
                # Rows whose stored hash differed but whose values did not (e.g. after a
                # change of the hash itself) are refreshed silently: unchanged.
                result.unchanged += len(to_update) - updated
        if covers is None and first_day is not None:
            covers = (first_day, last_day)
        if covers is not None and record_coverage:
            coverage.record(source, covers[0], covers[1], result.job)
        if result.created or result.updated:
            rebuild_daily_counts(municipality, days)
            if result.job is not None:
                transaction.on_commit(
                    functools.partial(
                        incidents_changed.send,
                        sender=Incident,
                        municipality_id=municipality.pk,
                        source_id=source.pk,
                        job_id=result.job.pk,
                    )
                )
            audit.record_event(
                AuditAction.IMPORT,
                changes={
                    "source": source.slug,
                    "import_job": result.job.pk if result.job else None,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    return result


def _chunks(rows: Iterable[IncidentRow], size: int) -> Iterator[list[IncidentRow]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _existing(source: Source, refs: list[str]) -> dict[str, tuple[int, str]]:
    """ref → (id, content hash) of the source's incidents among ``refs`` (one chunk), by the
    unique (source, source_ref) index. Plain SQL, the ids as one array on PostgreSQL: the
    ORM's handling of thousands of parameters costs more than the index probes."""
    table = Incident._meta.db_table
    if connection.vendor == "postgresql":
        condition, params = "source_ref = ANY(%s)", [source.pk, refs]
    else:
        condition, params = f"source_ref IN ({', '.join(['%s'] * len(refs))})", [source.pk, *refs]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_ref, id, content_hash FROM {table} "  # noqa: S608 - our table
            f"WHERE source_id = %s AND {condition}",
            params,
        )
        return {ref: (pk, content_hash) for ref, pk, content_hash in cursor.fetchall()}


INSERT_COLUMNS = (
    "municipality_id",
    "owner_organisation_id",
    "sensitivity",
    "source_id",
    "import_job_id",
    "is_demo",
    "created_at",
    "updated_at",
    "source_ref",
    "content_hash",
    *WRITTEN_FIELDS,
)


def _insert(constant: tuple, rows: list[tuple]) -> None:
    """Insert new incidents fast: COPY on PostgreSQL, executemany on SQLite — the rows'
    values are already validated and derived, so the ORM's per-object work is skipped.
    ``constant`` holds the values shared by every row (INSERT_COLUMNS' first ones)."""
    if not rows:
        return
    table = Incident._meta.db_table
    columns = ", ".join(INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(constant + row)
            return
        # SQLite: the text Django's SQLite backend stores — naive UTC datetimes
        # "YYYY-MM-DD HH:MM:SS[.ffffff]" and ISO dates.
        utc = dt.UTC
        shared = tuple(
            str(v.astimezone(utc).replace(tzinfo=None)) if isinstance(v, dt.datetime) else v
            for v in constant
        )
        offset = len(constant)
        occurred_at = INSERT_COLUMNS.index("occurred_at") - offset
        reported_at = INSERT_COLUMNS.index("reported_at") - offset
        occurred_date = INSERT_COLUMNS.index("occurred_date") - offset
        placeholders = ", ".join(["%s"] * len(INSERT_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        for start in range(0, len(rows), BATCH * 5):
            batch = []
            for row in rows[start : start + BATCH * 5]:
                row = list(row)
                row[occurred_at] = str(row[occurred_at].astimezone(utc).replace(tzinfo=None))
                if row[reported_at] is not None:
                    row[reported_at] = str(row[reported_at].astimezone(utc).replace(tzinfo=None))
                row[occurred_date] = row[occurred_date].isoformat()
                batch.append(shared + tuple(row))
            cursor.executemany(sql, batch)


def _apply_updates(to_update: dict[int, tuple], job, days: set) -> int:
    ids = list(to_update)
    fields = [*WRITTEN_FIELDS, "content_hash"]
    revisions = []
    for start in range(0, len(ids), BATCH):
        chunk = Incident.objects.filter(pk__in=ids[start : start + BATCH])
        instances = list(chunk)
        for incident in instances:
            new, content_hash = to_update[incident.pk]
            days.add(incident.occurred_date)  # the day it moved from, too
            changes = {}
            for f, value in zip(WRITTEN_FIELDS, new, strict=True):
                old_value = getattr(incident, f)
                if not _same(old_value, value):
                    changes[f] = [audit.jsonable(old_value), audit.jsonable(value)]
                setattr(incident, f, value)
            incident.content_hash = content_hash
            if changes:
                incident.import_job = job
                revisions.append(
                    IncidentRevision(incident=incident, import_job=job, changes=changes)
                )
        Incident.objects.bulk_update(
            instances, [f if f != "area_id" else "area" for f in fields] + ["import_job"]
        )
    IncidentRevision.objects.bulk_create(revisions, batch_size=BATCH)
    return len(revisions)


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


def reassign_to_areas(
    sender: object, municipality: Municipality, kind: str, **kwargs: object
) -> int:
    """``areas_changed``: incidents with a point go to the area they lie in now, and the
    summary table follows (inside the area import's transaction)."""
    if kind != AreaKind.DISTRICT:
        return 0
    # An incident placed by its area (a file naming the district) keeps that area.
    positioned = Incident.objects.filter(municipality=municipality).exclude(
        position_precision__in=[PositionPrecision.MUNICIPALITY, PositionPrecision.AREA]
    )
    moved = reassign_points(positioned, municipality, kind)
    if moved:
        rebuild_daily_counts(municipality)
    return moved


# --- Import jobs -------------------------------------------------------------------------


def _file_opener(job: ImportJob) -> FileOpener:
    """Opens the job's file afresh each time it is called (the importers read it twice)."""
    if job.upload:
        storage, name = job.upload.storage, job.upload.name
        return lambda: storage.open(name, "rb")
    path = Path(job.options["path"])
    return lambda: path.open("rb")


def _sha256(open_file: FileOpener) -> str:
    digest = hashlib.sha256()
    with open_file() as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


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
    job.mark_running()
    tracker = JobProgress(job)

    def progress(n: int) -> None:
        tracker(n)
        if cli_progress:
            cli_progress(n)

    try:
        open_file = _file_opener(job)
        job.file_sha256 = _sha256(open_file)
        importer = IMPORTERS[job.importer]
        incident_file = importer.read(job, open_file)
        parsed: ParseResult = incident_file.check(progress)
        tracker.flush()
        job.rows_total = parsed.total
        job.skipped_count = parsed.skipped
        job.warning_count = parsed.warning_count
        job.warnings = kept(parsed.warnings)
        parsed.refuse_if_errors()
        source = importer.source(job)
        with audit.acting(
            user=job.started_by,
            label=job.started_by_label,
            municipality_id=job.municipality_id,
            path=f"import job {job.pk}",
        ):
            written = write_incidents(source, incident_file.rows(), job=job, covers=parsed.covers)
        job.source = source
        job.created_count = written.created
        job.updated_count = written.updated
        job.unchanged_count = written.unchanged
        job.status = ImportStatus.DONE
        job.message = _summary(job, parsed)
    except ImportRefused as exc:
        job.status = ImportStatus.FAILED
        job.error_count = exc.count
        job.errors = kept(exc.errors)
        job.message = f"{exc.count} error(s); nothing was imported."
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
        if job.status == ImportStatus.DONE:
            job.rows_done = job.rows_total
        if job.upload:
            # The uploaded file may hold what the import masked (names, phone numbers in
            # free text): it is not kept once read — the job keeps its name and hash.
            job.upload.delete(save=False)
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
    if parsed.warning_count:
        parts.append(f"{parsed.warning_count} warning(s)")
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


# --- Field workers' rounds ------------------------------------------------------------


def report_field_round(principal: Principal, report: FieldReport) -> FieldReport:
    """A field worker's round, reported for the principal's organisation (counts only)."""
    if not principal.has(Permission.CREATE):
        raise PermissionDenied
    report.municipality = principal.municipality
    report.owner_organisation = principal.organisation
    report.created_by = principal.user
    return records.write(report)

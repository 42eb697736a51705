"""Incident operations: the idempotent bulk upsert shared by every importer, import jobs
(run from the command line or by the task worker), and the daily summary table."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from trygg.core import audit, records
from trygg.core.dates import local_tz
from trygg.core.models import AreaKind, AuditAction, Municipality, Sensitivity
from trygg.core.permissions import Permission, Principal
from trygg.core.services import area_index
from trygg.core.services.areas import reassign_points
from trygg.core.signals import incidents_changed
from trygg.incidents import coverage
from trygg.incidents.columns import NULL, Chunk, copy_text, day
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
)

log = logging.getLogger(__name__)
LOCAL_TZ = local_tz()
BATCH = 5000  # rows derived, looked up and written together
T = TypeVar("T")

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
    distinct (the importers check that first), and reading them must not use the database
    (on PostgreSQL a COPY is open while the next chunk is read).

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
    with transaction.atomic(), _NewRows() as inserting:
        # A source's first import (the big one) need not look up what it already holds.
        has_existing = Incident.objects.filter(source=source).exists()
        # …and its summary rows are exactly those of the rows it writes: counted as they
        # go, instead of reading all the rows again afterwards.
        first_summary: Counter[tuple] | None = None if has_existing else Counter()
        locate = area_index(municipality, AreaKind.DISTRICT).locate_many
        for rows_of_chunk in _chunks(rows, BATCH):
            chunk = Chunk(rows_of_chunk, locate=locate, zone=LOCAL_TZ)
            low, high = chunk.span()
            first_day = low if first_day is None else min(first_day, low)
            last_day = high if last_day is None else max(last_day, high)
            new: list[int] = []  # rows to insert, by index in the chunk
            changed: list[int] = []
            to_update: dict[int, tuple] = {}
            if has_existing:
                inserting.close()
                existing = _existing(source, [row.source_ref for row in rows_of_chunk])
                for i, (row, content_hash) in enumerate(
                    zip(rows_of_chunk, chunk.hashes, strict=True)
                ):
                    current = existing.get(row.source_ref)
                    if current is None:
                        new.append(i)
                    elif current[1] != content_hash:
                        to_update[current[0]] = (chunk.values(i), content_hash)
                        changed.append(i)
                    else:
                        result.unchanged += 1
            else:
                new = list(range(len(chunk)))
                first_summary.update(chunk.summary_counts())
            if first_summary is None and (new or changed):
                days.update(chunk.days(new + changed))
            if (new or to_update) and result.job is None and make_job is not None:
                inserting.close()
                result.job = make_job()
            inserting.write(constant(), chunk, new)
            result.created += len(new)
            if to_update:
                inserting.close()
                updated = _apply_updates(to_update, result.job, days)
                result.updated += updated
                # Rows whose stored hash differed but whose values did not (e.g. after a
                # change of the hash itself) are refreshed silently: unchanged.
                result.unchanged += len(to_update) - updated
        inserting.close()
        if covers is None and first_day is not None:
            covers = (first_day, last_day)
        if covers is not None and record_coverage:
            coverage.record(source, covers[0], covers[1], result.job)
        if result.created or result.updated:
            if first_summary is not None:
                _write_daily_counts(source, first_summary)
            else:
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


def _chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
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


class _NewRows:
    """Inserts new incidents fast — their values are already validated and derived, so the
    ORM's per-object work is skipped. On PostgreSQL the chunks' COPY text goes into one
    ``COPY … FROM STDIN`` kept open across chunks, so the server stores one chunk while the
    next is derived; ``close()`` ends it before any other statement on the connection (the
    rows being written must not use the database while they are read). On SQLite, one
    executemany per chunk."""

    def __init__(self) -> None:
        self._open: contextlib.ExitStack | None = None
        self._copy = None

    def __enter__(self) -> _NewRows:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._open is not None:
            opened, self._open, self._copy = self._open, None, None
            opened.__exit__(*exc_info)  # an error ends the COPY with that error

    def close(self) -> None:
        self.__exit__(None, None, None)

    def write(self, constant: tuple, chunk: Chunk, which: list[int]) -> None:
        """Insert ``which`` rows of ``chunk``; ``constant`` holds the values every row shares
        (INSERT_COLUMNS' first ones)."""
        if not which:
            return
        if connection.vendor != "postgresql":
            _insert_sqlite(constant, chunk, which)
            return
        if self._copy is None:
            opened = contextlib.ExitStack()
            cursor = opened.enter_context(connection.cursor())
            table, columns = Incident._meta.db_table, ", ".join(INSERT_COLUMNS)
            self._copy = opened.enter_context(
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
            )
            self._open = opened
        shared = "\t".join(_copy_value(v) for v in constant)
        refs, hashes, text = [r.source_ref for r in chunk.rows], chunk.hashes, chunk.text
        self._copy.write(
            "".join(f"{shared}\t{copy_text(refs[i])}\t{hashes[i]}\t{text[i]}\n" for i in which)
        )


def _insert_sqlite(constant: tuple, chunk: Chunk, which: list[int]) -> None:
    """The text Django's SQLite backend stores — naive UTC datetimes
    "YYYY-MM-DD HH:MM:SS[.ffffff]" and ISO dates."""
    utc = dt.UTC
    shared = tuple(
        str(v.astimezone(utc).replace(tzinfo=None)) if isinstance(v, dt.datetime) else v
        for v in constant
    )
    offset = len(constant) + 2  # after the constants, source_ref and content_hash
    occurred_at = INSERT_COLUMNS.index("occurred_at") - offset
    reported_at = INSERT_COLUMNS.index("reported_at") - offset
    occurred_date = INSERT_COLUMNS.index("occurred_date") - offset
    placeholders = ", ".join(["%s"] * len(INSERT_COLUMNS))
    table, columns = Incident._meta.db_table, ", ".join(INSERT_COLUMNS)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - our table
    batch = []
    for i in which:
        row = list(chunk.values(i))
        row[occurred_at] = str(row[occurred_at].astimezone(utc).replace(tzinfo=None))
        if row[reported_at] is not None:
            row[reported_at] = str(row[reported_at].astimezone(utc).replace(tzinfo=None))
        row[occurred_date] = row[occurred_date].isoformat()
        batch.append((*shared, chunk.rows[i].source_ref, chunk.hashes[i], *row))
    with connection.cursor() as cursor:
        cursor.executemany(sql, batch)


def _copy_value(value) -> str:
    """One of the constant values as COPY text."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return copy_text(str(value))


def _apply_updates(to_update: dict[int, tuple], job, days: set) -> int:
    """Write the rows whose content hash differs from the stored one, with a revision of
    what changed; the number changed. A row whose values are all as stored (only the hash
    differed — after a release that changed what the hash covers) gets just its new hash."""
    ids = list(to_update)
    fields = [f if f != "area_id" else "area" for f in WRITTEN_FIELDS]
    fields += ["content_hash", "import_job"]
    revisions = []
    for start in range(0, len(ids), BATCH):
        changed, refreshed = [], []
        for incident in Incident.objects.filter(pk__in=ids[start : start + BATCH]):
            new, content_hash = to_update[incident.pk]
            changes = {}
            for f, value in zip(WRITTEN_FIELDS, new, strict=True):
                old_value = getattr(incident, f)
                if not _same(old_value, value):
                    changes[f] = [audit.jsonable(old_value), audit.jsonable(value)]
            incident.content_hash = content_hash
            if not changes:
                refreshed.append(incident)
                continue
            days.add(incident.occurred_date)  # the day it moved from, too
            for f, value in zip(WRITTEN_FIELDS, new, strict=True):
                setattr(incident, f, value)
            incident.import_job = job
            changed.append(incident)
            revisions.append(IncidentRevision(incident=incident, import_job=job, changes=changes))
        if changed:
            Incident.objects.bulk_update(changed, fields)
        if refreshed:
            Incident.objects.bulk_update(refreshed, ["content_hash"])
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


def _write_daily_counts(source: Source, counts: Counter[tuple]) -> None:
    """The summary rows of a source whose incidents are exactly those counted in
    ``counts`` ((local day number, category, area) → incidents), as
    ``rebuild_daily_counts`` would make them: none for restricted incidents. Any rows the
    source had are replaced."""
    DailyCount.objects.filter(municipality_id=source.municipality_id, source=source)._raw_delete(
        DailyCount.objects.db
    )
    if source.default_sensitivity == Sensitivity.RESTRICTED or not counts:
        return
    shared = (source.municipality_id, source.pk, source.default_sensitivity)
    # In day order, so that a period's rows lie together on disk: a year of a municipality's
    # summary then reads a tenth of its pages, not nearly all of them (as rows in the order
    # they were first met would).
    rows = sorted(counts.items(), key=lambda item: item[0][0])
    if connection.vendor == "postgresql":
        table = DailyCount._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {table} (municipality_id, source_id, sensitivity, day, category, area_id, "
                "count) FROM STDIN"
            ) as copy,
        ):
            prefix = "\t".join(map(str, shared))
            for block in _chunks(rows, BATCH * 10):
                copy.write(
                    "".join(
                        f"{prefix}\t{day(number)}\t{category}\t"
                        f"{NULL if area is None else area}\t{n}\n"
                        for (number, category, area), n in block
                    )
                )
        return
    DailyCount.objects.bulk_create(
        (
            DailyCount(
                municipality_id=shared[0],
                source_id=shared[1],
                sensitivity=shared[2],
                day=day(number),
                category=category,
                area_id=area,
                count=n,
            )
            for (number, category, area), n in rows
        ),
        batch_size=BATCH,
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

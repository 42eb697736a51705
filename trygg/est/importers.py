"""Bulk upload of observations from a partner's own system (e.g. a security company's
export): CSV or XLSX, every row validated, all or nothing, idempotent by ``ref``.

Columns: ref (required), kategori (a category's code or name), datum, tid, lat, lon,
plats (a place's name), område (an area's name), allvarlighet (1–3), beskrivning.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.core import audit, formats, jobs
from trygg.core.importing import parse_date, parse_number, parse_time, read_table
from trygg.core.models import Area
from trygg.core.permissions import Permission, Principal
from trygg.est import services
from trygg.est.models import ObservationCategory, ObservationSource, ObservationUpload, Place
from trygg.incidents.importers.base import ImportRefused, RowIssue, kept

HEADINGS = {
    "ref": "ref", "referens": "ref", "id": "ref",
    "kategori": "category", "category": "category", "typ": "category",
    "datum": "date", "date": "date", "tid": "time", "time": "time", "klockslag": "time",
    "lat": "lat", "latitud": "lat", "lon": "lon", "longitud": "lon",
    "plats": "place", "place": "place", "område": "area", "area": "area",
    "allvarlighet": "severity", "severity": "severity",
    "beskrivning": "description", "description": "description", "händelse": "description",
}  # fmt: skip


# Row errors name the file's own columns (Swedish, as the file has them).
COLUMN = {
    "ref": "ref", "category": "kategori", "date": "datum", "occurred_at": "datum",
    "occurred_until": "datum", "time": "tid", "lat": "lat", "lon": "lon", "place": "plats",
    "area": "område", "severity": "allvarlighet", "description": "beskrivning",
}  # fmt: skip
MAX_ROWS = 20_000  # a week's reports from one partner's system are far fewer
MAX_MB = 5
MAX_BYTES = MAX_MB * 1024 * 1024


def upload(
    principal: Principal, data: bytes, file_name: str, job: ObservationUpload | None = None
) -> dict:
    """Check every row of a file, then store all of its reports or none:
    {"rows", "created", "unchanged"}; ImportRefused (with every row's problems) when
    anything is wrong. Run by the task worker for an upload from the web
    (``run_upload``); the checking happens outside any transaction and the write is one
    short one (``services.report_many``)."""
    lookups = services.Lookups(principal.municipality)
    reports = prepare(principal, data, file_name, lookups)
    try:
        created, unchanged = services.report_many(principal, reports, lookups, about=job)
    except ValidationError as exc:
        raise ImportRefused([RowIssue(0, "", " ".join(exc.messages))]) from exc
    return {"rows": len(reports), "created": created, "unchanged": unchanged}


def start_upload(principal: Principal, file: UploadedFile) -> ObservationUpload:
    """Keep an uploaded file for the task worker (the caller queues the job:
    ``job.enqueue()``); nothing of it is read in the request."""
    if not principal.has(Permission.CREATE):
        raise PermissionDenied
    job = ObservationUpload(
        municipality=principal.municipality,
        organisation=principal.organisation,
        started_by=principal.user,
        file_name=(file.name or "upload")[:300],
    )
    job.file.save(file.name or "upload", file, save=False)
    job.save()
    return job


def recent_uploads(principal: Principal, limit: int = 10) -> list[ObservationUpload]:
    """The organisation's latest uploads, newest first."""
    return list(
        ObservationUpload.objects.filter(organisation=principal.organisation)
        .select_related("started_by")
        .order_by("-created_at", "-id")[:limit]
    )


def run_upload(job: ObservationUpload) -> ObservationUpload:
    """The task worker's part of an upload from the web: read the job's file as the user
    who sent it, for the organisation they sent it for, and record the outcome; the file
    is deleted once read (it may hold what the reports' checks refuse)."""
    principal = Principal.for_user(job.started_by, job.organisation_id)
    with jobs.running(job):
        try:
            with job.file.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
            job.file_sha256 = hashlib.sha256(data).hexdigest()
            if len(data) > MAX_BYTES:
                raise ImportRefused(
                    [
                        RowIssue(
                            0,
                            "",
                            _("The file is larger than %(mb)s MB.") % {"mb": MAX_MB},
                        )
                    ]
                )
            if not principal.has(Permission.CREATE):
                raise ImportRefused(
                    [RowIssue(0, "", _("The sender may no longer report for the organisation."))]
                )
            with audit.acting(
                user=job.started_by,
                organisation_id=job.organisation_id,
                municipality_id=job.municipality_id,
                path=f"upload {job.pk}",
            ):
                result = upload(principal, data, job.file_name, job)
        except ImportRefused as exc:
            job.error_count = len(exc.errors)
            job.errors = kept(exc.errors)
            job.save(update_fields=["file_sha256", "error_count", "errors"])
            job.mark_failed(
                _("Nothing was stored: correct the rows below and send the file again.")
            )
        except OSError as exc:
            job.mark_failed(
                _("The file could not be read (%(why)s); nothing was stored.")
                % {"why": exc.strerror or exc}
            )
        else:
            job.rows_total = result["rows"]
            job.created_count = result["created"]
            job.unchanged_count = result["unchanged"]
            job.save(
                update_fields=["file_sha256", "rows_total", "created_count", "unchanged_count"]
            )
            job.mark_done()
        finally:
            if job.file:
                job.file.delete(save=False)
                audit.update(ObservationUpload.objects.filter(pk=job.pk), file="")
    return job


def prepare(
    principal: Principal,
    data: bytes,
    file_name: str,
    lookups: services.Lookups | None = None,
) -> list[services.Report]:
    """Every row of the file as a checked report; ImportRefused with every problem (row,
    column, message) when any row is wrong."""
    municipality = principal.municipality
    lookups = lookups or services.Lookups(municipality)
    header, rows = read_table(data, file_name, "utf-8")
    if len(rows) > MAX_ROWS:
        raise ImportRefused(
            [
                RowIssue(
                    0,
                    "",
                    _("The file has %(n)s rows; at most %(max)s at a time.")
                    % {"n": formats.number(len(rows)), "max": formats.number(MAX_ROWS)},
                )
            ]
        )
    columns = {}
    problems = []
    for index, name in enumerate(header):
        key = HEADINGS.get(str(name).strip().lower())
        if key:
            columns[key] = index
        elif str(name).strip():
            problems.append(RowIssue(0, str(name), _("Unknown column.")))
    for needed in ("ref", "category", "date"):
        if needed not in columns:
            problems.append(RowIssue(0, COLUMN[needed], _("This column is required.")))
    if problems:
        raise ImportRefused(problems)
    categories = {}
    for c in ObservationCategory.objects.filter(municipality=municipality, is_active=True):
        categories[c.code.lower()] = c
        categories[c.name.lower()] = c
    places = {p.name.lower(): p for p in Place.objects.filter(municipality=municipality)}
    areas = {a.name.lower(): a for a in Area.objects.filter(municipality=municipality)}
    errors: list[RowIssue] = []
    reports = []

    def cell(values, key):
        i = columns.get(key)
        if i is None or i >= len(values):
            return ""
        v = values[i]
        return v.strip() if isinstance(v, str) else v

    tz = timezone.get_current_timezone()
    now = timezone.now()
    first_row: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        r = services.Report(
            source=ObservationSource.UPLOAD, client_ref=str(cell(values, "ref") or "")
        )
        if not r.client_ref:
            errors.append(RowIssue(number, "ref", _("No reference.")))
        raw_cat = str(cell(values, "category") or "").lower()
        r.category = categories.get(raw_cat)
        if r.category is None:
            errors.append(
                RowIssue(
                    number, "kategori", _("Unknown category “%(value)s”.") % {"value": raw_cat}
                )
            )
        try:
            day, time_of_day = parse_date(cell(values, "date"))
            if cell(values, "time") not in ("", None):
                time_of_day = parse_time(cell(values, "time"))
            r.occurred_at = dt.datetime.combine(day, time_of_day or dt.time(12), tzinfo=tz)
        except ValueError:
            errors.append(
                RowIssue(
                    number, "datum", _("Not a date: “%(value)s”.") % {"value": cell(values, "date")}
                )
            )
        if cell(values, "lat") not in ("", None) or cell(values, "lon") not in ("", None):
            try:
                r.lat, r.lon = parse_number(cell(values, "lat")), parse_number(cell(values, "lon"))
            except ValueError:
                errors.append(RowIssue(number, "lat", _("Not a position.")))
        if cell(values, "place"):
            r.place = places.get(str(cell(values, "place")).lower())
            if r.place is None:
                errors.append(
                    RowIssue(
                        number,
                        "plats",
                        _("No place named “%(value)s”.") % {"value": cell(values, "place")},
                    )
                )
        if cell(values, "area"):
            r.area = areas.get(str(cell(values, "area")).lower())
            if r.area is None:
                errors.append(
                    RowIssue(
                        number,
                        "område",
                        _("No area named “%(value)s”.") % {"value": cell(values, "area")},
                    )
                )
        if cell(values, "severity") not in ("", None):
            try:
                r.severity = int(parse_number(cell(values, "severity")))
            except ValueError:
                r.severity = 0
        r.description = str(cell(values, "description") or "")
        if r.client_ref and r.client_ref in first_row:
            errors.append(
                RowIssue(
                    number,
                    "ref",
                    _("The reference “%(ref)s” is also on row %(row)s.")
                    % {"ref": r.client_ref, "row": first_row[r.client_ref]},
                )
            )
        first_row.setdefault(r.client_ref, number)
        for field_name, messages in services.validate(municipality, r, now, lookups).items():
            if field_name == "category" and r.category is None:
                continue
            errors += [RowIssue(number, COLUMN.get(field_name, field_name), m) for m in messages]
        reports.append(r)
    if not rows:
        errors.append(RowIssue(0, "", _("The file has no rows.")))
    if errors:
        raise ImportRefused(errors)
    return reports

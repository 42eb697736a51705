"""Bulk upload of observations from a partner's own system (e.g. a security company's
export): CSV or XLSX, every row validated, all or nothing, idempotent by ``ref``.

Columns: ref (required), kategori (a category's code or name), datum, tid, lat, lon,
plats (a place's name), område (an area's name), allvarlighet (1–3), beskrivning.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trygg.core.importing import parse_date, parse_number, parse_time, read_table
from trygg.core.models import Area
from trygg.core.permissions import Principal
from trygg.est import services
from trygg.est.models import ObservationCategory, ObservationSource, Place
from trygg.incidents.importers.base import ImportRefused, RowIssue

HEADINGS = {
    "ref": "ref", "referens": "ref", "id": "ref",
    "kategori": "category", "category": "category", "typ": "category",
    "datum": "date", "date": "date", "tid": "time", "time": "time", "klockslag": "time",
    "lat": "lat", "latitud": "lat", "lon": "lon", "longitud": "lon",
    "plats": "place", "place": "place", "område": "area", "area": "area",
    "allvarlighet": "severity", "severity": "severity",
    "beskrivning": "description", "description": "description", "händelse": "description",
}  # fmt: skip


MAX_ROWS = 5_000  # a week's reports from one partner's system are far fewer


def upload(principal: Principal, data: bytes, file_name: str) -> dict:
    """Read and check every row first, outside any transaction (other writers are not
    held up while a file is parsed); then write all of them in one short transaction."""
    municipality = principal.municipality
    header, rows = read_table(data, file_name, "utf-8")
    if len(rows) > MAX_ROWS:
        raise ImportRefused(
            [RowIssue(0, "", f"the file has {len(rows)} rows; at most {MAX_ROWS} at a time")]
        )
    columns = {}
    problems = []
    for index, name in enumerate(header):
        key = HEADINGS.get(str(name).strip().lower())
        if key:
            columns[key] = index
        elif str(name).strip():
            problems.append(RowIssue(0, str(name), "unknown column"))
    for needed in ("ref", "category", "date"):
        if needed not in columns:
            problems.append(RowIssue(0, needed, "required column missing"))
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
    for number, values in enumerate(rows, start=2):
        r = services.Report(
            source=ObservationSource.UPLOAD, client_ref=str(cell(values, "ref") or "")
        )
        if not r.client_ref:
            errors.append(RowIssue(number, "ref", "missing reference"))
        raw_cat = str(cell(values, "category") or "").lower()
        r.category = categories.get(raw_cat)
        if r.category is None:
            errors.append(RowIssue(number, "category", f"unknown category {raw_cat!r}"))
        try:
            day, time_of_day = parse_date(cell(values, "date"))
            if cell(values, "time") not in ("", None):
                time_of_day = parse_time(cell(values, "time"))
            r.occurred_at = dt.datetime.combine(day, time_of_day or dt.time(12), tzinfo=tz)
        except ValueError:
            errors.append(RowIssue(number, "date", f"not a date: {cell(values, 'date')!r}"))
        if cell(values, "lat") not in ("", None) or cell(values, "lon") not in ("", None):
            try:
                r.lat, r.lon = parse_number(cell(values, "lat")), parse_number(cell(values, "lon"))
            except ValueError:
                errors.append(RowIssue(number, "lat", "not a position"))
        if cell(values, "place"):
            r.place = places.get(str(cell(values, "place")).lower())
            if r.place is None:
                errors.append(
                    RowIssue(number, "place", f"no place named {cell(values, 'place')!r}")
                )
        if cell(values, "area"):
            r.area = areas.get(str(cell(values, "area")).lower())
            if r.area is None:
                errors.append(RowIssue(number, "area", f"no area named {cell(values, 'area')!r}"))
        if cell(values, "severity") not in ("", None):
            try:
                r.severity = int(parse_number(cell(values, "severity")))
            except ValueError:
                r.severity = 0
        r.description = str(cell(values, "description") or "")
        for field_name, messages in services.validate(municipality, r).items():
            if field_name == "category" and r.category is None:
                continue
            errors += [RowIssue(number, field_name, m) for m in messages]
        reports.append(r)
    if not rows:
        errors.append(RowIssue(0, "", "the file has no rows"))
    if errors:
        raise ImportRefused(errors)
    created = 0
    with transaction.atomic():
        for r in reports:
            try:
                _obs, new = services.report(principal, r)
            except ValidationError as exc:  # pragma: no cover - validated above
                raise ImportRefused([RowIssue(0, "", " ".join(exc.messages))]) from exc
            created += new
    return {"rows": len(reports), "created": created, "unchanged": len(reports) - created}

"""Partners' incident logs as CSV or XLSX: a housing company's vandalism, fire and
break-in log, the municipality's own property damage log, any similar table.

Columns are found by a mapping preset (column names per field, matched without regard to
case) and explicit ``--map column=field`` pairs. Dates may be ISO or Swedish ("14/3 2026",
"14.3.2026", "14 mars 2026", Excel dates), numbers may have a decimal comma, positions may
be WGS84 latitude/longitude, SWEREF 99 TM east/north, or an area's name.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO

from trygg.core import geo
from trygg.core.dates import local_tz
from trygg.core.importing import open_table, parse_date, parse_number, parse_time
from trygg.core.models import Area, Municipality
from trygg.incidents.importers.base import (
    MAX_FIELD,
    MAX_REF,
    CleanedTexts,
    ImportRefused,
    IncidentRow,
    ParseResult,
    Progress,
    RowIssue,
    RowSpill,
    clean_free_text,
)
from trygg.incidents.models import PositionPrecision, TimePrecision
from trygg.incidents.taxonomy import Category, category_for_partner_type

LOCAL_TZ = local_tz()

FIELDS = {
    "ref": "the source's own id of the incident (required)",
    "date": "date, or date and time, of the incident (required)",
    "time": "time of day, when in its own column",
    "type": "the source's own type of incident (required unless category is given)",
    "category": "a Trygg category code or name",
    "lat": "latitude, WGS84",
    "lon": "longitude, WGS84",
    "east": "easting, SWEREF 99 TM (EPSG:3006)",
    "north": "northing, SWEREF 99 TM (EPSG:3006)",
    "area": "name of an area of the municipality",
    "description": "short description (personal data is masked)",
    "reported": "date the incident was reported",
}

# Column names per field, lower-case. "standard" is Trygg's own template and common
# Swedish headings; the others are the logs partners are known to keep.
PRESETS: dict[str, dict[str, list[str]]] = {
    "standard": {
        "ref": ["id", "ref", "referens", "ärendenummer", "ärendenr", "löpnummer", "nr"],
        "date": ["date", "datum", "occurred", "händelsedatum", "skadedatum"],
        "time": ["time", "tid", "klockslag", "kl"],
        "type": ["type", "typ", "händelse", "händelsetyp", "skadetyp"],
        "category": ["category", "kategori"],
        "lat": ["lat", "latitude", "latitud"],
        "lon": ["lon", "lng", "longitude", "longitud"],
        "east": ["east", "easting", "e", "x", "östlig"],
        "north": ["north", "northing", "n", "y", "nordlig"],
        "area": ["area", "område", "stadsdel", "kommundel"],
        "description": ["description", "beskrivning", "kommentar", "notering"],
        "reported": ["reported", "rapporterad", "anmäld", "inrapporterad"],
    },
    "bostadsbolag": {
        "ref": ["ärendenr", "ärendenummer"],
        "date": ["datum", "händelsedatum"],
        "time": ["klockslag", "tid"],
        "type": ["händelse", "typ av händelse"],
        "area": ["område", "bostadsområde"],
        "description": ["beskrivning"],
        "east": ["x (sweref99)", "x"],
        "north": ["y (sweref99)", "y"],
        "reported": ["inrapporterad"],
    },
    "kommun-skadegorelse": {
        "ref": ["löpnummer", "skadenummer"],
        "date": ["skadedatum", "datum"],
        "type": ["skadetyp"],
        "area": ["kommundel", "område"],
        "description": ["objekt", "beskrivning"],
        "north": ["n", "northing"],
        "east": ["e", "easting"],
        "reported": ["anmäld", "anmälningsdatum"],
    },
}


def resolve_columns(header: list[str], preset: str, explicit: dict[str, str]) -> dict[str, int]:
    """field → column index, from the preset and explicit column=field pairs."""
    if preset not in PRESETS:
        raise ImportRefused(
            [RowIssue(0, "mapping", f"unknown preset {preset!r}; presets: {', '.join(PRESETS)}")]
        )
    names = [h.strip().casefold() for h in header]
    errors = []
    columns: dict[str, int] = {}
    for column, field in explicit.items():
        if field not in FIELDS:
            errors.append(
                RowIssue(0, "mapping", f"unknown field {field!r}; fields: {', '.join(FIELDS)}")
            )
        elif column.strip().casefold() not in names:
            errors.append(RowIssue(0, "mapping", f"column {column!r} is not in the file's header"))
        else:
            columns[field] = names.index(column.strip().casefold())
    for field, candidates in PRESETS[preset].items():
        if field in columns:
            continue
        for candidate in candidates:
            if candidate in names and names.index(candidate) not in columns.values():
                columns[field] = names.index(candidate)
                break
    missing = [f for f in ("ref", "date") if f not in columns]
    if "type" not in columns and "category" not in columns:
        missing.append("type (or category)")
    if missing:
        errors.append(
            RowIssue(
                1,
                "header",
                f"no column for {', '.join(missing)}; the file has: "
                f"{', '.join(h for h in header if h) or '(no header)'}. "
                "Use a preset (--mapping) or --map COLUMN=FIELD.",
            )
        )
    if ("lat" in columns) != ("lon" in columns):
        errors.append(RowIssue(1, "header", "latitude and longitude must both have a column"))
    if ("east" in columns) != ("north" in columns):
        errors.append(RowIssue(1, "header", "east and north must both have a column"))
    if errors:
        raise ImportRefused(errors)
    return columns


# --- Reading -----------------------------------------------------------------------------

CHUNK = 5000  # rows converted (SWEREF 99 TM → WGS84) and handed on together
FileOpener = Callable[[], AbstractContextManager[BinaryIO]]


class IncidentLog:
    """A partner's incident log, read row by row and never held in memory: ``check``
    reads every row and reports every problem, keeping in memory only the problems, the
    counts and 12 bytes a row to find repeated ids, and the checked incidents in a
    temporary file (``RowSpill``); ``rows`` then yields them for ``write_incidents``.
    ``open_file`` opens the file (binary, seekable) each time it is called — it is read
    again only to name the ids that repeat.

    ``covers``: the period the file says it reports completely ("all of October", even days
    with nothing), as (first day, last day): a row outside it is an error, since the file
    and its stated period disagree."""

    def __init__(
        self,
        open_file: FileOpener,
        *,
        file_name: str,
        municipality: Municipality,
        preset: str = "standard",
        explicit_map: dict[str, str] | None = None,
        encoding: str = "utf-8",
        covers: tuple[dt.date, dt.date] | None = None,
        today: dt.date | None = None,
    ):
        if covers is not None and covers[0] > covers[1]:
            start, end = covers
            raise ImportRefused(
                [RowIssue(0, "covers", f"the period {start} – {end} ends before it starts")]
            )
        self.open_file = open_file
        self.file_name = file_name
        self.municipality = municipality
        self.preset = preset
        self.explicit_map = explicit_map or {}
        self.encoding = encoding
        self.covers = covers
        self.today = today or dt.datetime.now(LOCAL_TZ).date()

    def _context(self, header: list[str]) -> _Context:
        columns = resolve_columns(header, self.preset, self.explicit_map)
        areas = {
            a.name.casefold(): a.pk
            for a in Area.objects.filter(municipality=self.municipality).order_by("-kind")
        }
        return _Context(columns, len(header), areas, self.today, self.covers)

    def check(self, progress: Progress | None = None) -> ParseResult:
        result = ParseResult(covers=self.covers)
        refs = _RefIndex()
        to_wgs84 = geo.transformer(geo.SWEREF99TM, geo.WGS84)
        self._spill = RowSpill()
        chunk: list[IncidentRow] = []
        pending_sweref: list[tuple[IncidentRow, float, float]] = []

        def spill() -> None:
            if not result.error_count:  # once the file is refused, nothing need be kept
                _transform_sweref(pending_sweref, to_wgs84)
                self._spill.write(chunk)
            chunk.clear()
            pending_sweref.clear()

        with self.open_file() as fh, open_table(fh, self.file_name, self.encoding) as table:
            ctx = self._context(table.header)
            ctx.refs = refs
            for number, values in enumerate(table.rows(), start=2):  # row 1 is the header
                row = _parse_row(result, number, values, ctx, pending_sweref)
                if row is not None:
                    chunk.append(row)
                    if len(chunk) >= CHUNK:
                        spill()
                result.total += 1
                if progress and result.total % 1000 == 0:
                    progress(1000)
        spill()
        if progress:
            progress(result.total % 1000)
        if not result.total:
            raise ImportRefused([RowIssue(0, "", "the file has a header but no rows")])
        suspects = refs.suspects()
        if suspects:
            self._report_repeated_ids(result, suspects)
        return result

    def _report_repeated_ids(self, result: ParseResult, suspects: set[int]) -> None:
        """Rows whose ids hash alike, read again to name the ids that truly repeat."""
        rows_of: dict[str, list[int]] = {}
        with self.open_file() as fh, open_table(fh, self.file_name, self.encoding) as table:
            columns = resolve_columns(table.header, self.preset, self.explicit_map)
            for number, values in enumerate(table.rows(), start=2):
                if number in suspects:
                    raw = values[columns["ref"]] if columns["ref"] < len(values) else ""
                    rows_of.setdefault(_ref_text(raw), []).append(number)
        for ref, rows in rows_of.items():
            for row in rows[1:]:
                result.error(
                    row, "ref", f"id {ref!r} occurs twice in the file (also row {rows[0]})"
                )

    def rows(self) -> Iterator[IncidentRow]:
        """The checked incidents (``check`` first, and only when it found no error)."""
        return self._spill.read()


class _RefIndex:
    """The ids of a file as 64-bit hashes with their row numbers — 12 bytes a row where a
    set of the ids themselves costs ~100 — to find the rows whose ids may repeat."""

    def __init__(self) -> None:
        self.hashes = array("q")
        self.rows = array("i")

    def add(self, ref: str, row: int) -> None:
        self.hashes.append(hash(ref))
        self.rows.append(row)

    def suspects(self) -> set[int]:
        """The rows whose id's hash another row shares (almost always: the same id)."""
        import numpy as np

        hashes = np.frombuffer(self.hashes, dtype=np.int64) if self.hashes else np.empty(0)
        if len(hashes) < 2:
            return set()
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            return set()
        shared = np.zeros(len(ordered), dtype=bool)
        shared[1:] |= same
        shared[:-1] |= same
        rows = np.frombuffer(self.rows, dtype=np.int32)
        return set(rows[order[shared]].tolist())


class _Context:
    def __init__(self, columns, width, areas, today, covers):
        self.columns = columns
        self.width = width
        self.areas = areas
        self.today = today
        self.covers = covers
        self.refs: _RefIndex | None = None  # while checking: where ids are recorded
        self.earliest = dt.date(1990, 1, 1)
        self._categories: dict[str, Category | None] = {}
        self.mapped = list(columns.items())
        self.blank: Cells = dict.fromkeys(FIELDS, "")
        self.cleaned = CleanedTexts()  # a log repeats its descriptions ("Klotter på fasad")

    def category(self, value: str) -> Category | None:
        """The category of a type word, remembered: a file repeats its few types."""
        if value not in self._categories:
            self._categories[value] = category_for_partner_type(value)
        return self._categories[value]


Cells = dict[str, object]  # field → the row's value (stripped text, or an XLSX number/date)


def _cells(values: list, ctx: _Context) -> Cells:
    """The row's value of every field, once: "" for a field without a column."""
    cells = ctx.blank.copy()
    width = len(values)
    for field, index in ctx.mapped:
        if index < width:
            value = values[index]
            cells[field] = value.strip() if value.__class__ is str else value
    return cells


def _fits(result: ParseResult, row: int, values: list, ctx: _Context) -> bool:
    """The row has no more columns than the header and no field that is too long."""
    if len(values) > ctx.width and any(str(v).strip() for v in values[ctx.width :]):
        result.error(row, "", f"the row has {len(values)} columns, the header {ctx.width}")
        return False
    try:
        longest = max(map(len, values), default=0)  # a CSV row: text only
    except TypeError:  # an XLSX row: numbers and dates too
        longest = max([len(v) if isinstance(v, str) else 0 for v in values], default=0)
    if longest > MAX_FIELD:
        for field, index in ctx.columns.items():
            value = values[index] if index < len(values) else ""
            if isinstance(value, str) and len(value) > MAX_FIELD:
                result.error(
                    row, field, f"field is {len(value)} characters long; at most {MAX_FIELD}"
                )
                return False
    return True


def _ref_text(raw_ref: object) -> str:
    if isinstance(raw_ref, float) and raw_ref.is_integer():
        return str(int(raw_ref))  # Excel numbers: 1234.0 → 1234
    return str(raw_ref).strip()


def _ref(result: ParseResult, row: int, cells: Cells, ctx: _Context) -> str:
    """The source's own id: present and not too long (repeats are found after the whole
    file is read: ``IncidentLog.check``)."""
    ref = _ref_text(cells["ref"])
    if not ref:
        result.error(row, "ref", "missing id")
    elif len(ref) > MAX_REF:
        result.error(row, "ref", f"id longer than {MAX_REF} characters")
    elif ctx.refs is not None:
        ctx.refs.add(ref, row)
    return ref


def _occurred(
    result: ParseResult, row: int, cells: Cells, ctx: _Context
) -> tuple[dt.datetime | None, str | None]:
    """(when it happened, how precisely): a date in the past, with or without a time."""
    try:
        day, time_of_day = parse_date(cells["date"])
        raw_time = cells["time"]
        if raw_time not in ("", None):
            time_of_day = parse_time(raw_time)
        if day > ctx.today:
            raise ValueError(f"{day} is in the future")
        if day < ctx.earliest:
            raise ValueError(f"{day} is before {ctx.earliest}")
    except ValueError as exc:
        result.error(row, "date", f"unreadable date: {exc}")
        return None, None
    if ctx.covers is not None and not ctx.covers[0] <= day <= ctx.covers[1]:
        start, end = ctx.covers
        result.error(
            row, "date", f"{day} lies outside the period the file covers ({start} – {end})"
        )
        return None, None
    if time_of_day is None:
        return dt.datetime.combine(day, dt.time(12, 0), LOCAL_TZ), TimePrecision.DAY
    exact = time_of_day.minute or time_of_day.second
    return (
        dt.datetime.combine(day, time_of_day, LOCAL_TZ),
        TimePrecision.EXACT if exact else TimePrecision.HOUR,
    )


def _reported(result: ParseResult, row: int, cells: Cells) -> dt.datetime | None:
    raw_reported = cells["reported"]
    if raw_reported in ("", None):
        return None
    try:
        rday, rtime = parse_date(raw_reported)
    except ValueError as exc:
        result.error(row, "reported", f"unreadable date: {exc}")
        return None
    return dt.datetime.combine(rday, rtime or dt.time(12, 0), LOCAL_TZ)


def _category(
    result: ParseResult, row: int, cells: Cells, ctx: _Context
) -> tuple[Category | None, str]:
    """(Trygg's category, the partner's own type word): a category named in the file, else
    the type mapped (an unknown type counts as "other", with a warning)."""
    source_type = str(cells["type"] or "").strip()[:150]
    raw_category = str(cells["category"] or "").strip()
    if raw_category:
        category = ctx.category(raw_category)
        if category is None:
            result.error(
                row,
                "category",
                f"unknown category {raw_category!r}; use one of {', '.join(Category.values)}",
            )
        return category, source_type
    if source_type:
        category = ctx.category(source_type)
        if category is None:
            result.warn(row, "type", f"unknown type {source_type!r}: counted as 'other'")
            return Category.OTHER, source_type
        return category, source_type
    result.error(row, "type", "missing type")
    return None, source_type


@dataclass
class _Position:
    lat: float | None = None
    lon: float | None = None
    area_id: int | None = None
    precision: str | None = None
    sweref: tuple[float, float] | None = None


def _coordinates(cells: Cells) -> _Position:
    """WGS84 latitude/longitude or SWEREF 99 TM east/north, checked to lie in Sweden
    (ValueError saying what is wrong); an empty position when the row has neither."""
    if cells["lat"] not in ("", None):
        lat = parse_number(cells["lat"])
        lon = parse_number(cells["lon"])
        if lat > 1000 or lon > 1000:
            raise ValueError(f"{lat}, {lon} look like SWEREF 99 TM metres: map them to east/north")
        if not (geo.SWEDEN_LAT[0] <= lat <= geo.SWEDEN_LAT[1]) or not (
            geo.SWEDEN_LON[0] <= lon <= geo.SWEDEN_LON[1]
        ):
            swapped = 10 <= lat <= 25 and 55 <= lon <= 69.5
            hint = " (latitude and longitude swapped?)" if swapped else ""
            raise ValueError(f"{lat}, {lon} lies outside Sweden{hint}")
        return _Position(lat=lat, lon=lon, precision=PositionPrecision.EXACT)
    if cells["east"] not in ("", None):
        east = parse_number(cells["east"])
        north = parse_number(cells["north"])
        if not (180_000 <= east <= 1_000_000 and 6_100_000 <= north <= 7_700_000):
            raise ValueError(f"{east}, {north} is not a SWEREF 99 TM position in Sweden")
        return _Position(sweref=(east, north), precision=PositionPrecision.EXACT)
    return _Position()


def _position(
    result: ParseResult, row: int, cells: Cells, ctx: _Context, errors_before: int
) -> _Position:
    """Coordinates, else an area's name (coordinates decide the area when both are given)."""
    try:
        position = _coordinates(cells)
    except ValueError as exc:
        result.error(row, "position", str(exc))
        position = _Position()
    raw_area = str(cells["area"] or "").strip()
    if raw_area and position.precision is None:
        area_id = ctx.areas.get(raw_area.casefold())
        if area_id is None:
            known = ", ".join(sorted(n.title() for n in ctx.areas)) or "none imported"
            result.error(row, "area", f"unknown area {raw_area!r} (areas: {known})")
        else:
            position.area_id, position.precision = area_id, PositionPrecision.AREA
    if position.precision is None and result.error_count == errors_before:
        result.error(row, "position", "no position: give coordinates or an area name")
    return position


def _parse_row(
    result: ParseResult, row: int, values: list, ctx: _Context, pending_sweref=None
) -> IncidentRow | None:
    """One row, every field checked (all its problems reported, not only the first)."""
    if not _fits(result, row, values, ctx):
        return None
    errors_before = result.error_count
    cells = _cells(values, ctx)
    ref = _ref(result, row, cells, ctx)
    occurred_at, precision = _occurred(result, row, cells, ctx)
    reported_at = _reported(result, row, cells)
    category, source_type = _category(result, row, cells, ctx)
    position = _position(result, row, cells, ctx, errors_before)
    description = clean_free_text(
        result, row, "description", str(cells["description"] or ""), ctx.cleaned
    )
    if result.error_count != errors_before:
        return None
    incident = IncidentRow(
        row=row,
        source_ref=ref,
        category=category,
        source_type=source_type,
        occurred_at=occurred_at,
        occurred_precision=precision,
        reported_at=reported_at,
        lat=position.lat,
        lon=position.lon,
        area_id=position.area_id,
        position_precision=position.precision,
        description=description,
    )
    if position.sweref is not None and pending_sweref is not None:
        pending_sweref.append((incident, *position.sweref))
    return incident


def _transform_sweref(pending: list[tuple[IncidentRow, float, float]], transformer) -> None:
    """SWEREF 99 TM positions to WGS84, a chunk of rows at once."""
    if not pending:
        return
    import numpy as np

    easts = np.array([e for _, e, _ in pending])
    norths = np.array([n for _, _, n in pending])
    lons, lats = transformer.transform(easts, norths)
    for (incident, _e, _n), lat, lon in zip(pending, lats, lons, strict=True):
        incident.lat, incident.lon = float(lat), float(lon)

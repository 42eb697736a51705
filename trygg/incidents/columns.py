"""The values an import writes for a chunk of rows, derived a column at a time.

For each incident the importer stores its local date, hour and weekday, its area and its
250 m grid cell, and a content hash of the written values (a re-import of an unchanged
row writes nothing). Done row by row in Python — a tuple of values, ``str()`` of each for
the hash, psycopg adapting each for COPY — that cost ~12 µs a row, more than PostgreSQL
spends storing the row with its indexes. Here each column is computed for the whole chunk
(numpy for times and positions, caches for the few distinct days and times of day), and
each row's values are turned into text once: that text is what ``COPY … FROM STDIN``
reads and what the content hash covers.

The text is canonical — times in UTC, floats as Python's ``repr`` (which round-trips), the
date, hour and weekday in the installation's zone — so the hash depends on the values,
not on how a file wrote them (which zone a parser gave a time, say).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

import numpy as np

from trygg.core import geo
from trygg.incidents.importers.base import IncidentRow
from trygg.incidents.models import PositionPrecision, TimePrecision

CELL_M = 250
NULL = "\\N"  # COPY's text format for NULL
_EPOCH = dt.date(1970, 1, 1)
_EPOCH_WEEKDAY = _EPOCH.weekday()  # a Thursday: 3
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# UTC offset (seconds) of a zone during one whole UTC hour, or None when it changes within
# that hour; per zone, filled as hours are met (ten years are 87 600 hours).
_offsets: dict[str, dict[int, int | None]] = {}
_offsets_lock = threading.Lock()
_OFFSETS_KEPT = 400_000  # hours per zone before the cache starts over


def copy_text(value: str) -> str:
    """A text value as COPY's text format reads it (backslash, tab and line breaks escaped)."""
    if "\\" in value or not value.isprintable():
        return value.translate(_ESCAPES)
    return value


@functools.lru_cache(maxsize=86_400)
def _time_of_day(second: int) -> str:
    hours, rest = divmod(second, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


@functools.lru_cache(maxsize=1 << 16)
def day(number: int) -> dt.date:
    """A local day number (days since 1970-01-01) as a date."""
    return _EPOCH + dt.timedelta(days=number)


@functools.lru_cache(maxsize=1 << 16)
def _day_text(number: int) -> str:
    return day(number).isoformat()


def _offset(zone: ZoneInfo, second: float) -> int:
    offset = dt.datetime.fromtimestamp(second, zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def local_seconds(seconds: np.ndarray, zone: ZoneInfo) -> np.ndarray:
    """UTC seconds since the epoch as the zone's wall-clock seconds since the epoch: the
    offset looked up once per UTC hour (cached), and row by row only in an hour within
    which the zone changed its offset (a daylight-saving change on a half hour)."""
    hours = np.floor(seconds / 3600).astype(np.int64)
    unique, inverse = np.unique(hours, return_inverse=True)
    with _offsets_lock:
        known = _offsets.setdefault(zone.key, {})
        if len(known) > _OFFSETS_KEPT:
            known.clear()
        per_hour = []
        for hour in unique.tolist():
            if hour not in known:
                start, end = _offset(zone, hour * 3600), _offset(zone, hour * 3600 + 3599)
                known[hour] = start if start == end else None
            per_hour.append(known[hour])
    offsets = np.array([np.nan if o is None else o for o in per_hour], dtype=float)[inverse]
    for i in np.flatnonzero(np.isnan(offsets)).tolist():
        offsets[i] = _offset(zone, float(seconds[i]))
    return seconds + offsets


def _utc_texts(seconds: np.ndarray) -> list[str]:
    """Epoch seconds as PostgreSQL timestamptz text in UTC, to the microsecond."""
    micro = np.rint(seconds * 1_000_000).astype(np.int64)
    whole, fraction = np.divmod(micro, 1_000_000)
    days, second_of_day = np.divmod(whole, 86_400)
    return [
        f"{_day_text(d)} {_time_of_day(s)}+00"
        if not f
        else f"{_day_text(d)} {_time_of_day(s)}.{f:06d}+00"
        for d, s, f in zip(days.tolist(), second_of_day.tolist(), fraction.tolist(), strict=True)
    ]


def _texts(values: Sequence[object]) -> list[str]:
    return [NULL if v is None else str(v) for v in values]


def _floats(array: np.ndarray, decimals: int | None = None) -> list[float | None]:
    """A float array as Python values, NaN as None (one pass, no per-item numpy)."""
    if decimals is not None:
        array = np.round(array, decimals)
    return [None if v != v else v for v in array.tolist()]  # NaN != NaN


class Chunk:
    """One chunk of rows with everything written for them, column by column.

    ``text[i]``: row i's written values (``WRITTEN_FIELDS`` order) as COPY text;
    ``hashes[i]``: its content hash; ``values(i)``: the same values as Python objects (for
    the ORM's updates and SQLite's INSERT); ``day_numbers``: local dates as days since
    1970-01-01. ``locate`` maps (latitudes, longitudes) to area ids, -1 outside every area
    (``AreaIndex.locate_many``); ``zone`` is the installation's time zone."""

    def __init__(
        self,
        rows: list[IncidentRow],
        *,
        locate: Callable[[np.ndarray, np.ndarray], np.ndarray],
        zone: ZoneInfo,
    ) -> None:
        self.rows = rows
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
            areas[has_point] = locate(lats[has_point], lons[has_point])
            east, north = geo.transformer(geo.WGS84, geo.SWEREF99TM).transform(
                lons[has_point], lats[has_point]
            )
            cell_e[has_point] = np.floor(np.asarray(east) / CELL_M)
            cell_n[has_point] = np.floor(np.asarray(north) / CELL_M)
        self.lats, self.lons = _floats(lats, 6), _floats(lons, 6)
        self.areas = [
            given if given is not None else (found if found >= 0 else None)
            for given, found in zip((r.area_id for r in rows), areas.tolist(), strict=True)
        ]
        self.cell_e = [None if v is None else int(v) for v in _floats(cell_e)]
        self.cell_n = [None if v is None else int(v) for v in _floats(cell_n)]

        # Times: the instant in UTC; the local date, hour and weekday in the zone.
        occurred = np.array([r.occurred_at.timestamp() for r in rows], dtype=float)
        local = local_seconds(occurred, zone)
        day_numbers = np.floor(local / 86_400).astype(np.int64)
        self.day_numbers = day_numbers
        day_list = day_numbers.tolist()
        day_precision = TimePrecision.DAY
        self.hours = [
            None if r.occurred_precision == day_precision else h
            for r, h in zip(
                rows, ((local - day_numbers * 86_400) // 3600).astype(int).tolist(), strict=True
            )
        ]
        self.weekdays = ((day_numbers + _EPOCH_WEEKDAY) % 7).tolist()
        reported = [r.reported_at for r in rows]
        if any(r is not None for r in reported):
            stamps = np.array([np.nan if r is None else r.timestamp() for r in reported])
            known = ~np.isnan(stamps)
            texts = iter(_utc_texts(stamps[known]))
            reported_text = [next(texts) if k else NULL for k in known.tolist()]
        else:
            reported_text = [NULL] * n

        self.categories = [str(r.category) for r in rows]
        self.text = [
            "\t".join(values)
            for values in zip(
                self.categories,
                [copy_text(r.source_type) for r in rows],
                _utc_texts(occurred),
                [str(r.occurred_precision) for r in rows],
                [_day_text(d) for d in day_list],
                _texts(self.hours),
                [str(w) for w in self.weekdays],
                reported_text,
                [NULL if v is None else repr(v) for v in self.lats],
                [NULL if v is None else repr(v) for v in self.lons],
                [str(r.position_precision) for r in rows],
                _texts(self.areas),
                _texts(self.cell_e),
                _texts(self.cell_n),
                [copy_text(r.description) for r in rows],
                ["t" if r.counts_in_statistics else "f" for r in rows],
                strict=True,
            )
        ]
        blake2b = hashlib.blake2b
        self.hashes = [blake2b(t.encode(), digest_size=20).hexdigest() for t in self.text]

    def __len__(self) -> int:
        return len(self.rows)

    def values(self, i: int) -> tuple:
        """Row i's written values as Python objects, in ``WRITTEN_FIELDS`` order."""
        r = self.rows[i]
        return (
            self.categories[i],
            r.source_type,
            r.occurred_at,
            str(r.occurred_precision),
            day(self.day_numbers[i].item()),
            self.hours[i],
            self.weekdays[i],
            r.reported_at,
            self.lats[i],
            self.lons[i],
            str(r.position_precision),
            self.areas[i],
            self.cell_e[i],
            self.cell_n[i],
            r.description,
            r.counts_in_statistics,
        )

    def summary_counts(self) -> Counter[tuple[int, str, int | None]]:
        """Rows that count in statistics per (local day number, category, area) — what the
        daily summary counts (``day()`` makes the number a date)."""
        keys = zip(self.day_numbers.tolist(), self.categories, self.areas, strict=True)
        counted = [r.counts_in_statistics for r in self.rows]
        if all(counted):
            return Counter(keys)
        return Counter(key for key, counts in zip(keys, counted, strict=True) if counts)

    def span(self) -> tuple[dt.date, dt.date]:
        """The first and the last local date of the rows."""
        return day(int(self.day_numbers.min())), day(int(self.day_numbers.max()))

    def days(self, which: Sequence[int]) -> set[dt.date]:
        """The local dates of ``which`` rows."""
        return {day(d) for d in np.unique(self.day_numbers[list(which)]).tolist()}

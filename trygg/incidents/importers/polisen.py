"""The police's public events feed (Polisens händelser), as a JSON array.

Each event: id, datetime ("YYYY-MM-DD HH:MM:SS +01:00", the time it was published or last
updated), name ("DD månad HH.MM, Type, Place" — the occurrence time without a year),
summary, url, type, location {name, gps "lat,lng" — the centroid of the municipality or
county, never the event's own position}. Pitfalls handled here:

* the year is not in ``name``: it is inferred from ``datetime`` (an event of 31 December
  published on 1 January belongs to the previous year);
* ``location.name`` is often the county ("Stockholms län"): the municipality is then the
  last comma-separated part of ``name``;
* the title (``name``) is the field the police edit, while ``location`` and the URL slug
  keep the first version: when the title names one municipality and ``location.name``
  another, the title wins (with a warning on the import job), and the stale location's
  centroid is not kept;
* spelling and case vary ("Upplands-bro"), the type may contain a comma
  ("Trafikolycka, personskada"), the hour may have one digit ("6:28:38"), new types
  appear (mapped to "other" with a warning);
* "Sammanfattning …" events are summaries: kept, never counted.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from trygg.core import geo
from trygg.core.dates import local_tz
from trygg.core.importing import MONTHS
from trygg.incidents.importers.base import (
    MAX_FIELD,
    MAX_REF,
    ImportRefused,
    IncidentRow,
    ParseResult,
    Progress,
    RowIssue,
    clean_free_text,
)
from trygg.incidents.models import PositionPrecision, TimePrecision
from trygg.incidents.taxonomy import POLISEN_TYPES, SUMMARY_PREFIX, Category

LOCAL_TZ = local_tz()
FEED_URL = "https://polisen.se/api/events"
MIN_SECONDS_BETWEEN_CALLS = 10

_NAME = re.compile(
    r"^\s*(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+)\s+(?P<hour>\d{1,2})[.:](?P<minute>\d{2})"
    r"\s*,\s*(?P<rest>.+?)\s*$"
)
_DATETIME = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r"\s*(?P<offset>[+-]\d{2}:?\d{2})\s*$"
)


def normalise_place(name: str) -> str:
    """Compare municipality names case- and dash-insensitively ("Upplands-bro")."""
    return re.sub(r"[\s\-–]+", "-", name.strip()).casefold()


def parse_published(value) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("missing")
    m = _DATETIME.match(value)
    if not m:
        raise ValueError(f"{value!r} is not 'YYYY-MM-DD HH:MM:SS +HH:MM'")
    offset = m["offset"].replace(":", "")
    text = f"{m['date']} {int(m['hour']):02d}:{m['minute']}:{m['second']} {offset}"
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")


def parse_occurred(name: str, published: dt.datetime) -> tuple[dt.datetime, str]:
    """(occurrence time, the rest of the name after the time) from ``name``.

    The year is the publication's year, unless that puts the occurrence more than a day
    after publication: then it happened the year before (31 December, published on
    New Year's Day)."""
    m = _NAME.match(name)
    if not m:
        raise ValueError(f"{name!r} does not start with 'DD månad HH.MM, '")
    month = MONTHS.get(m["month"].casefold())
    if month is None:
        raise ValueError(f"unknown month {m['month']!r}")
    day, hour, minute = int(m["day"]), int(m["hour"]), int(m["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(f"impossible time {m['hour']}.{m['minute']}")
    local_published = published.astimezone(LOCAL_TZ)
    year = local_published.year
    for candidate_year in (year, year - 1):
        try:
            occurred = dt.datetime(candidate_year, month, day, hour, minute, tzinfo=LOCAL_TZ)
        except ValueError:
            if candidate_year == year - 1:
                raise ValueError(f"impossible date {day} {m['month']}") from None
            continue
        if occurred <= local_published + dt.timedelta(days=1):
            return occurred, m["rest"]
    raise ValueError(f"the date {day} {m['month']} lies after its publication {published}")


def title_place(rest_of_name: str) -> str | None:
    """The place the title names: the last comma part after the type, unless that is a
    county ("Stockholms län") or the title has no place part at all."""
    if "," not in rest_of_name:
        return None
    place = rest_of_name.rsplit(",", 1)[-1].strip()
    if not place or place.casefold().endswith(" län"):
        return None
    return place


def location_municipality(event: dict) -> str | None:
    """``location.name`` when it names a municipality (not a county)."""
    location = event.get("location") or {}
    name = str(location.get("name") or "").strip() if isinstance(location, dict) else ""
    return name if name and not name.casefold().endswith(" län") else None


def event_municipality(event: dict, rest_of_name: str) -> tuple[str, str | None]:
    """(the municipality the event belongs to, a warning when its fields disagree).

    The title (``name``) is the field the police edit; the location (and the URL slug)
    keep the first version. So when the title names a municipality and ``location.name``
    names a different one, the title wins."""
    in_title = title_place(rest_of_name)
    in_location = location_municipality(event)
    if in_title and in_location and normalise_place(in_title) != normalise_place(in_location):
        return in_title, (
            f"location.name says {in_location!r} but the title names {in_title!r} "
            f"(the later, edited field): filed under {in_title}"
        )
    if in_location:
        return in_location, None
    return in_title or rest_of_name.rsplit(",", 1)[-1].strip(), None


def municipality_centroid(events: list, wanted: str) -> tuple[float, float] | None:
    """The municipality's centroid as the feed gives it: ``location.gps`` of an event whose
    title and location both name the municipality."""
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("name"), str):
            continue
        place = location_municipality(event)
        if place is None or normalise_place(place) != wanted:
            continue
        in_title = title_place(event["name"])
        if in_title is not None and normalise_place(in_title) != wanted:
            continue
        try:
            return parse_gps(event["location"].get("gps"))
        except ValueError:
            continue
    return None


def parse_gps(value) -> tuple[float, float]:
    if not isinstance(value, str) or value.count(",") != 1:
        raise ValueError(f"{value!r} is not 'lat,lng'")
    lat_s, lon_s = value.split(",")
    lat, lon = float(lat_s), float(lon_s)
    if not (geo.SWEDEN_LAT[0] <= lat <= geo.SWEDEN_LAT[1]) or not (
        geo.SWEDEN_LON[0] <= lon <= geo.SWEDEN_LON[1]
    ):
        raise ValueError(f"{value!r} lies outside Sweden")
    return lat, lon


def load_events(data: bytes) -> list:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            [RowIssue(0, "", f"the file is not UTF-8 ({exc.reason} at byte {exc.start})")]
        ) from exc
    if not text.strip():
        raise ImportRefused([RowIssue(0, "", "the file is empty")])
    try:
        events = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [RowIssue(0, "", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")]
        ) from exc
    if not isinstance(events, list):
        raise ImportRefused(
            [RowIssue(0, "", f"expected a JSON array of events, found {type(events).__name__}")]
        )
    return events


def parse(data: bytes, municipality_name: str, progress: Progress | None = None) -> ParseResult:
    events = load_events(data)
    result = parse_events(events, municipality_name, progress)
    result.covers = publication_window(events)
    return result


def by_municipality(events: list) -> dict[str, list]:
    """The feed's events by the (normalised) municipalities they may concern — the one their
    title names and the one their location names, when these differ — so that each
    municipality's events are parsed without reading the whole national feed again.
    Unreadable events go to every group (``""``), where each parse reports them."""
    groups: dict[str, list] = {}
    unreadable: list = []
    for event in events:
        name = event.get("name") if isinstance(event, dict) else None
        match = _NAME.match(name) if isinstance(name, str) else None
        if match is None:
            unreadable.append(event)
            continue
        places = {normalise_place(event_municipality(event, match["rest"])[0])}
        in_location = location_municipality(event)
        if in_location:
            places.add(normalise_place(in_location))
        for place in places:
            groups.setdefault(place, []).append(event)
    if unreadable:
        groups[""] = unreadable
    return groups


def parse_events(
    events: list, municipality_name: str, progress: Progress | None = None
) -> ParseResult:
    """The events (the feed's own records) that belong to the municipality, validated."""
    result = ParseResult(total=len(events))
    wanted = normalise_place(municipality_name)
    centroid = municipality_centroid(events, wanted)
    seen: dict[str, int] = {}
    for number, event in enumerate(events, start=1):
        if progress:
            progress(1)
        _parse_event(result, number, event, wanted, seen, centroid)
    return result


def publication_window(events: list) -> tuple[dt.date, dt.date] | None:
    """The days the feed covers completely: from the day after its oldest publication
    (the feed holds only the latest events, so that day may be cut off) to the day of its
    newest. The feed is national: every event counts, this municipality's or not."""
    days = []
    for event in events:
        try:
            published = parse_published(event.get("datetime") if isinstance(event, dict) else None)
        except ValueError:
            continue
        days.append(published.astimezone(LOCAL_TZ).date())
    if not days:
        return None
    start, end = min(days) + dt.timedelta(days=1), max(days)
    return (start, end) if start <= end else None


def _parse_event(
    result: ParseResult,
    row: int,
    event,
    wanted: str,
    seen: dict,
    centroid: tuple[float, float] | None,
) -> None:
    if not isinstance(event, dict):
        result.error(row, "", f"not a JSON object ({type(event).__name__})")
        return
    for key in ("name", "summary", "type", "url"):
        value = event.get(key)
        if isinstance(value, str) and len(value) > MAX_FIELD:
            result.error(row, key, f"field is {len(value)} characters long; at most {MAX_FIELD}")
            return
    raw_id = event.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int | str) or not str(raw_id).strip():
        result.error(row, "id", "missing id")
        return
    ref = str(raw_id).strip()
    if not ref.isdigit() or len(ref) > MAX_REF:
        result.error(row, "id", f"id {ref[:40]!r} is not a whole number")
        return
    if ref in seen:
        result.error(row, "id", f"id {ref} occurs twice in the file (also row {seen[ref]})")
        return
    seen[ref] = row

    try:
        published = parse_published(event.get("datetime"))
    except ValueError as exc:
        result.error(row, "datetime", f"unreadable publication time: {exc}")
        return
    name = event.get("name")
    if not isinstance(name, str) or not name.strip():
        result.error(row, "name", "missing name")
        return
    try:
        occurred, rest = parse_occurred(name, published)
    except ValueError as exc:
        result.error(row, "name", f"unreadable occurrence time: {exc}")
        return
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type.strip():
        result.error(row, "type", "missing type")
        return
    event_type = event_type.strip()
    location = event.get("location")
    if not isinstance(location, dict):
        result.error(row, "location", "missing location")
        return
    try:
        gps = parse_gps(location.get("gps"))
    except ValueError as exc:
        result.error(row, "location.gps", str(exc))
        return

    municipality, disagreement = event_municipality(event, rest)
    filed_here = normalise_place(municipality) == wanted
    if disagreement and (filed_here or normalise_place(location.get("name") or "") == wanted):
        result.warn(row, "location.name", disagreement)
    if not filed_here:
        result.skip("another municipality")
        return

    is_summary = event_type.startswith(SUMMARY_PREFIX)
    if is_summary:
        category = Category.OTHER
    elif event_type in POLISEN_TYPES:
        category = POLISEN_TYPES[event_type]
    else:
        category = Category.OTHER
        result.warn(row, "type", f"unknown type {event_type!r}: counted as 'other'")

    # location.gps is the centroid of whatever location.name names: keep it when that is
    # this municipality, never a county's or another municipality's (the title won over a
    # stale location: then this municipality's centroid as the feed gives it elsewhere, if
    # it does) — and never as a position more precise than "somewhere in the municipality".
    if normalise_place(str(location.get("name") or "")) == wanted:
        lat, lon = gps
    elif disagreement and centroid is not None:
        lat, lon = centroid
    else:
        lat, lon = None, None
    summary = event.get("summary")
    result.rows.append(
        IncidentRow(
            row=row,
            source_ref=ref,
            category=category,
            source_type=event_type[:150],
            occurred_at=occurred,
            occurred_precision=TimePrecision.EXACT,
            reported_at=published,
            lat=lat,
            lon=lon,
            position_precision=PositionPrecision.MUNICIPALITY,
            description=clean_free_text(
                result, row, "summary", summary if isinstance(summary, str) else ""
            ),
            counts_in_statistics=not is_summary,
        )
    )

"""Street addresses: the municipality's register of address points (belägenhetsadresser),
imported from a CSV or XLSX file, and the place text a case, a walk finding or an
observation is given — the nearest address within ``ADDRESS_RADIUS_M``, else the
nearest street within ``STREET_RADIUS_M`` (shown after the area's name), else nothing.

The file: one row per address, with
  * the address, either whole ("Storgatan 12 A") or as street and number columns;
  * the postcode (five digits, "196 30" or "19630") and the postal town — optional;
  * the position: WGS84 latitude/longitude, or easting/northing in SWEREF 99 TM
    (EPSG:3006, the default) or one of the SWEREF 99 local zones (EPSG:3007–3018, e.g.
    SWEREF 99 18 00 = EPSG:3011 around Stockholm) named with ``crs``. Northing and
    easting may come in either order (x/y mean different things to a surveyor and to a
    programmer): in every SWEREF 99 projection a Swedish northing is the larger number.

Every row is checked; on any error nothing is written. The file is the register: an
import makes the municipality's address points exactly those of the file (re-running the
same file changes nothing; an address no longer in the file is removed — the places
already given to cases keep their text).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from scipy.spatial import cKDTree

from trygg.core import audit, geo
from trygg.core.importing import ImportRefused, RowIssue, open_table, parse_number
from trygg.core.models import AddressPoint, AuditAction, Municipality, address_label
from trygg.core.services import map_extent
from trygg.core.signals import addresses_imported

ADDRESS_RADIUS_M = 75.0
STREET_RADIUS_M = 250.0
MAX_ERRORS = 500

# The SWEREF 99 projections a Swedish file may use (TM and the twelve local zones).
SWEREF_CRS = ("EPSG:3006", *(f"EPSG:{code}" for code in range(3007, 3019)))
CRS_CHOICES = (geo.WGS84, *SWEREF_CRS)

COLUMNS: dict[str, list[str]] = {
    "address": ["address", "adress", "belägenhetsadress", "gatuadress", "fullständig adress"],
    "street": ["street", "gata", "gatunamn", "adressområde", "adressomrade"],
    "number": ["number", "nummer", "husnummer", "gatunummer", "adressplatsnummer"],
    "postcode": ["postcode", "postal code", "zip", "postnummer", "postnr"],
    "town": ["town", "postal town", "city", "postort", "ort"],
    "lat": ["lat", "latitude", "latitud"],
    "lon": ["lon", "lng", "longitude", "longitud"],
    "east": ["east", "easting", "e", "x", "östlig", "ostlig"],
    "north": ["north", "northing", "n", "y", "nordlig"],
}

_ADDRESS = re.compile(r"^(?P<street>.*?\D)\s*(?P<number>\d+(?:\s*-\s*\d+)?(?:\s*[A-Za-zÅÄÖåäö])?)$")
_POSTCODE = re.compile(r"^(\d{3})\s?(\d{2})$")


@dataclass
class AddressImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    crs: str = geo.WGS84

    @property
    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed"
        )


@dataclass
class _Row:
    line: int
    street: str
    number: str
    postcode: str
    town: str
    lat: float
    lon: float

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.street.casefold(), self.number.casefold(), self.postcode)


@dataclass
class _Errors:
    kept: list[RowIssue] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, field_name: str, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(RowIssue(row, field_name, message))


def split_address(text: str) -> tuple[str, str]:
    """("Storgatan", "12 A") from "Storgatan 12 A"; a street without a number stays whole."""
    text = " ".join(text.split())
    m = _ADDRESS.match(text)
    if not m:
        return text, ""
    number = re.sub(r"\s+", " ", m["number"]).replace(" - ", "-")
    return m["street"].strip().rstrip(","), number.upper()


def _columns(header: list[str]) -> dict[str, int]:
    names = [str(h or "").strip().casefold() for h in header]
    found: dict[str, int] = {}
    for name, synonyms in COLUMNS.items():
        for i, column in enumerate(names):
            if column in synonyms:
                found[name] = i
                break
    missing = []
    if "address" not in found and "street" not in found:
        missing.append("the address (a column 'adress', or 'gatunamn' and 'nummer')")
    has_wgs84 = "lat" in found and "lon" in found
    has_sweref = "east" in found and "north" in found
    if not has_wgs84 and not has_sweref:
        missing.append("the position (columns 'lat' and 'lon', or 'e' and 'n' in SWEREF 99)")
    if missing:
        listed = ", ".join(repr(str(h)) for h in header) or "none"
        raise ImportRefused(
            [
                RowIssue(0, "header", f"the file has no column for {m}; its columns: {listed}")
                for m in missing
            ]
        )
    return found


def _text(values: list[object], index: int | None) -> str:
    if index is None or index >= len(values) or values[index] is None:
        return ""
    value = values[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number column in a spreadsheet: 12.0 is "12"
    return " ".join(str(value).split())


def _parse(
    table_rows: Iterable[list[object]],
    columns: dict[str, int],
    crs: str,
    extent: tuple[float, float, float, float] | None,
    errors: _Errors,
    progress: Callable[[int], None] | None,
) -> list[_Row]:
    use_wgs84 = "lat" in columns and "lon" in columns and crs == geo.WGS84
    if not use_wgs84 and not ("east" in columns and "north" in columns):
        raise ImportRefused(
            [RowIssue(0, "crs", f"{crs} needs easting/northing columns ('e' and 'n')")]
        )
    rows: list[_Row] = []
    projected: list[tuple[_Row, float, float]] = []
    for line, values in enumerate(table_rows, start=2):
        if progress is not None:
            progress(1)
        if not any(_text(values, i) for i in range(len(values))):
            continue  # an empty line
        if "street" in columns:
            street, number = _text(values, columns["street"]), _text(values, columns.get("number"))
            if street and not number:
                street, number = split_address(street)
        else:
            street, number = split_address(_text(values, columns["address"]))
        number = number.upper()
        ok = True
        if not street:
            errors.add(line, "address", "the address is empty")
            ok = False
        elif len(street) > 120 or len(number) > 20:
            errors.add(line, "address", f"{street} {number} is longer than an address can be")
            ok = False
        postcode = _text(values, columns.get("postcode"))
        if postcode:
            m = _POSTCODE.match(postcode.replace("\u00a0", " "))
            if m is None:
                errors.add(line, "postcode", f"{postcode!r} is not a postcode (five digits)")
                ok = False
            else:
                postcode = f"{m[1]} {m[2]}"
        town = _text(values, columns.get("town"))[:60]
        names = ("lat", "lon") if use_wgs84 else ("east", "north")
        cells = [_text(values, columns[n]) for n in names]
        if not all(cells):
            errors.add(line, "position", "the position is missing")
            continue
        try:
            a, b = parse_number(cells[0]), parse_number(cells[1])
        except ValueError as exc:
            errors.add(line, "position", str(exc))
            continue
        if not all(map(math.isfinite, (a, b))):
            errors.add(line, "position", "not a finite number")
            continue
        if not ok:
            continue
        row = _Row(line, street, number, postcode, town, 0.0, 0.0)
        if use_wgs84:
            row.lat, row.lon = a, b
            rows.append(row)
        else:
            east, north = min(a, b), max(a, b)
            projected.append((row, east, north))
    if projected:
        to_wgs84 = geo.transformer(crs, geo.WGS84)
        lon, lat = to_wgs84.transform(
            np.array([p[1] for p in projected]), np.array([p[2] for p in projected])
        )
        for (row, _e, _n), la, lo in zip(projected, lat, lon, strict=True):
            row.lat, row.lon = float(la), float(lo)
            rows.append(row)
        rows.sort(key=lambda r: r.line)
    kept = []
    for row in rows:
        if not (
            geo.SWEDEN_LAT[0] <= row.lat <= geo.SWEDEN_LAT[1]
            and geo.SWEDEN_LON[0] <= row.lon <= geo.SWEDEN_LON[1]
        ):
            hint = (
                "latitude and longitude swapped?"
                if use_wgs84
                else f"is the file in {crs}? name its projection with --crs"
            )
            errors.add(row.line, "position", f"the position is not in Sweden ({hint})")
            continue
        if extent is not None:
            min_lon, min_lat, max_lon, max_lat = extent
            if not (min_lat <= row.lat <= max_lat and min_lon <= row.lon <= max_lon):
                errors.add(
                    row.line,
                    "position",
                    f"{row.lat:.5f}, {row.lon:.5f} is outside the municipality"
                    + ("" if use_wgs84 else f" (is the file in {crs}? see --crs)"),
                )
                continue
        kept.append(row)
    return kept


def _extent(municipality: Municipality) -> tuple[float, float, float, float] | None:
    """The municipality's areas' bounding box with 5 km to spare (None: no areas yet)."""
    box = map_extent(municipality)
    if box is None:
        return None
    min_lat, min_lon, max_lat, max_lon = box
    dlat = 5000 / 111_320
    dlon = 5000 / (111_320 * math.cos(math.radians((min_lat + max_lat) / 2)))
    return (min_lon - dlon, min_lat - dlat, max_lon + dlon, max_lat + dlat)


def parse_addresses(
    path: str | Path,
    *,
    crs: str = "EPSG:3006",
    encoding: str = "utf-8",
    municipality: Municipality | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[_Row], str]:
    """The checked rows of an address file and the projection they were read in;
    ImportRefused (every row's errors) if any."""
    if crs not in CRS_CHOICES:
        raise ImportRefused(
            [RowIssue(0, "crs", f"unknown projection {crs!r}; use one of {', '.join(CRS_CHOICES)}")]
        )
    path = Path(path)
    errors = _Errors()
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ImportRefused([RowIssue(0, "", f"cannot read {path}: {exc.strerror}")]) from exc
    with fh, open_table(fh, path.name, encoding) as table:
        columns = _columns(table.header)
        if crs == "EPSG:3006" and "east" not in columns and "lat" in columns:
            crs = geo.WGS84  # a file with only latitude/longitude is WGS84 whatever the default
        extent = _extent(municipality) if municipality is not None else None
        rows = _parse(table.rows(), columns, crs, extent, errors, progress)
    seen: dict[tuple[str, str, str], _Row] = {}
    for row in rows:
        first = seen.setdefault(row.key, row)
        if first is not row:
            where = f"{row.street} {row.number}, {row.postcode}".strip(" ,")
            errors.add(row.line, "address", f"{where} is also on row {first.line}")
    if errors.count:
        raise ImportRefused(sorted(errors.kept, key=lambda e: e.row), errors.count)
    if not rows:
        raise ImportRefused([RowIssue(0, "", "the file has no addresses")])
    for row in rows:
        row.lat, row.lon = round(row.lat, 7), round(row.lon, 7)
    return rows, crs


def import_addresses(
    municipality: Municipality,
    path: str | Path,
    *,
    crs: str = "EPSG:3006",
    encoding: str = "utf-8",
    is_demo: bool = False,
    progress: Callable[[int], None] | None = None,
) -> AddressImportResult:
    """Make the municipality's address register the file's: all or nothing, idempotent.
    Records that have no place text yet (a case reported before the register was
    imported) are then given theirs, in the same transaction."""
    rows, crs = parse_addresses(
        path, crs=crs, encoding=encoding, municipality=municipality, progress=progress
    )
    result = AddressImportResult(crs=crs)
    source = Path(path).name[:200]
    with transaction.atomic():
        existing = {
            (a.street.casefold(), a.number.casefold(), a.postcode): a
            for a in AddressPoint.objects.select_for_update().filter(municipality=municipality)
        }
        new, changed = [], []
        for row in rows:
            point = existing.pop(row.key, None)
            values = {
                "street": row.street,
                "number": row.number,
                "town": row.town,
                "lat": row.lat,
                "lon": row.lon,
                "is_demo": is_demo,
            }
            if point is None:
                new.append(
                    AddressPoint(
                        municipality=municipality, postcode=row.postcode, source=source, **values
                    )
                )
            elif any(getattr(point, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(point, k, v)
                point.source = source
                changed.append(point)
            else:
                result.unchanged += 1
        AddressPoint.objects.bulk_create(new, batch_size=2000)
        AddressPoint.objects.bulk_update(
            changed,
            ["street", "number", "town", "lat", "lon", "is_demo", "source"],
            batch_size=2000,
        )
        gone = [p.pk for p in existing.values()]
        for start in range(0, len(gone), 2000):
            AddressPoint.objects.filter(pk__in=gone[start : start + 2000]).delete()
        result.created, result.updated, result.removed = len(new), len(changed), len(gone)
        if new or changed or gone:
            audit.record_event(
                AuditAction.IMPORT,
                municipality_id=municipality.pk,
                changes={
                    "model": AddressPoint._meta.label_lower,
                    "file": source,
                    "created": result.created,
                    "updated": result.updated,
                    "removed": result.removed,
                },
            )
            addresses_imported.send(sender=AddressPoint, municipality=municipality)
    return result


# --- The place text of a point ------------------------------------------------------------


_Point = tuple[str, str, str, str, float, float]  # street, number, postcode, town, lat, lon


def _label(point: _Point) -> str:
    return address_label(*point[:4])


class AddressFinder:
    """The place texts of many points of one municipality: the address points near them
    read once and searched with a k-d tree (metres on a local flat projection — exact
    enough within a municipality)."""

    def __init__(self, municipality_id: int, points: Sequence[tuple[float, float]]) -> None:
        self._addresses: list[_Point] = []
        self._tree: cKDTree | None = None
        if not points:
            return
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        self._lat0 = (min(lats) + max(lats)) / 2
        self._kx = 111_320 * math.cos(math.radians(self._lat0))
        margin_lat = STREET_RADIUS_M / 111_320
        margin_lon = STREET_RADIUS_M / self._kx
        self._addresses = list(
            AddressPoint.objects.filter(
                municipality_id=municipality_id,
                lat__gte=min(lats) - margin_lat,
                lat__lte=max(lats) + margin_lat,
                lon__gte=min(lons) - margin_lon,
                lon__lte=max(lons) + margin_lon,
            )
            .order_by("pk")
            .values_list("street", "number", "postcode", "town", "lat", "lon")
        )
        if self._addresses:
            self._tree = cKDTree(self._xy([(a[4], a[5]) for a in self._addresses]))

    def _xy(self, points: Sequence[tuple[float, float]]) -> Any:
        array = np.asarray(points, dtype=float).reshape(-1, 2)
        return np.column_stack((array[:, 1] * self._kx, array[:, 0] * 111_320))

    def nearest(self, lat: float, lon: float, within_m: float) -> tuple[_Point, float] | None:
        if self._tree is None:
            return None
        distance, index = self._tree.query(self._xy([(lat, lon)])[0])
        if not math.isfinite(distance) or distance > within_m:
            return None
        return self._addresses[int(index)], float(distance)

    def describe(self, lat: float | None, lon: float | None) -> str:
        """The nearest address within 75 m ("Storgatan 12, 196 30 Kungsängen"), else the
        nearest street within 250 m ("Storgatan"), else ""."""
        if lat is None or lon is None or self._tree is None:
            return ""
        found = self.nearest(lat, lon, STREET_RADIUS_M)
        if found is None:
            return ""
        point, distance = found
        return _label(point) if distance <= ADDRESS_RADIUS_M else point[0]


def describe_place(municipality_id: int, lat: float | None, lon: float | None) -> str:
    """The place text of one point (see ``AddressFinder.describe``)."""
    if lat is None or lon is None:
        return ""
    return AddressFinder(municipality_id, [(lat, lon)]).describe(lat, lon)


def fill_missing(queryset: Any, municipality_id: int) -> int:
    """Give the records of ``queryset`` (lat/lon/address fields) that have no place text
    theirs — after the register was first imported. Audited; returns how many got one."""
    rows = list(
        queryset.filter(address="", lat__isnull=False, lon__isnull=False).values_list(
            "pk", "lat", "lon"
        )
    )
    if not rows:
        return 0
    finder = AddressFinder(municipality_id, [(lat, lon) for _pk, lat, lon in rows])
    by_text: dict[str, list[int]] = {}
    for pk, lat, lon in rows:
        text = finder.describe(lat, lon)
        if text:
            by_text.setdefault(text, []).append(pk)
    model = queryset.model
    for text, ids in by_text.items():
        for start in range(0, len(ids), 2000):
            audit.update(model._base_manager.filter(pk__in=ids[start : start + 2000]), address=text)
    return sum(len(ids) for ids in by_text.values())

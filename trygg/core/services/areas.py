"""Areas: importing a municipality's districts (or DeSO, RegSO …) from the files it has —
GeoPackage, zipped Shapefile, GeoJSON, in any CRS the file declares — as versions of a
layer, and finding which area a point is in.

An import validates every feature first (all errors at once, nothing written on any
error), reports what it would do (the preview), and writes all or nothing. An area is
identified by (municipality, kind, name): re-importing the same file changes nothing; a
changed file makes a new ``AreaLayer`` version, updates the areas in place and sends
``areas_changed`` inside the same transaction, so the apps re-assign their records to the
new boundaries before anything commits. Earlier versions are kept as imported.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.db.models import Count, Max, Min
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from trygg.core import audit, geo, vector
from trygg.core.importing import ImportRefused, RowIssue
from trygg.core.models import Area, AreaKind, AreaLayer, Municipality
from trygg.core.signals import areas_changed

# Two areas overlapping by more than this many square metres (and more than a thousandth of
# the smaller) are reported: a point there belongs to only one of them.
OVERLAP_M2 = 100.0
# The names a file's name/code/population columns usually have, tried in this order when
# the user has not chosen (SCB's DeSO layer: deso/kommunnamn; Lantmäteriet: NAMN).
_NAME_GUESSES = ("namn", "name", "omrade", "område", "omradesnamn", "distrikt", "regsonamn")
_CODE_GUESSES = ("kod", "code", "deso", "regsokod", "regso", "id")
_POPULATION_GUESSES = ("folkmangd", "folkmängd", "befolkning", "population", "invanare")


def _feature_issue(feature: int, field: str, message: str) -> RowIssue:
    """A problem with one feature of an area file (numbered as the file lists them)."""
    return RowIssue(feature, field, message, unit="feature")


@dataclass
class ParsedArea:
    name: str
    geometry: dict[str, Any]
    bounds: tuple[float, float, float, float]
    code: str
    population: int | None
    shape: BaseGeometry


@dataclass
class AreaFile:
    """A validated area file: its areas in WGS84 and what the user should know."""

    areas: list[ParsedArea]
    format: str
    crs: str  # "SWEREF99 18 00 (EPSG:3011)"
    fields: list[str]
    warnings: list[RowIssue] = field(default_factory=list)


@dataclass
class AreaImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    crs: str = "WGS 84 (EPSG:4326)"
    format: str = vector.GEOJSON
    sha256: str = ""
    layer: AreaLayer | None = None  # the new version; None when nothing changed

    @property
    def summary(self) -> str:
        text = (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )
        if self.not_in_file:
            text += (
                f"; {len(self.not_in_file)} existing areas of this kind are not in the file "
                f"and were kept: {', '.join(self.not_in_file)}"
            )
        if self.layer is not None:
            text += f"; layer version {self.layer.version}"
        return text


def guess_field(fields: list[str], guesses: tuple[str, ...]) -> str | None:
    """The file's column that most likely holds what ``guesses`` name."""
    folded = {f.casefold(): f for f in fields}
    for guess in guesses:
        if guess in folded:
            return folded[guess]
    return None


def guessed_fields(
    fields: list[str], first_row: dict[str, Any] | None = None
) -> dict[str, str | None]:
    """The columns that most likely hold the name, the code and the population; the name
    falls back to the first column holding text."""
    texts = [f for f in fields if isinstance((first_row or {}).get(f), str)]
    return {
        "name_field": guess_field(fields, _NAME_GUESSES) or (texts[0] if texts else None),
        "code_field": guess_field(fields, _CODE_GUESSES),
        "population_field": guess_field(fields, _POPULATION_GUESSES),
    }


def read_area_file(
    data: bytes,
    *,
    filename: str = "areas.geojson",
    name_field: str = "name",
    code_field: str | None = None,
    population_field: str | None = None,
    layer: str | None = None,
    progress: Callable[[int], None] | None = None,
    source: vector.Layer | None = None,
) -> AreaFile:
    """Validate every feature of an area file; all errors at once (``ImportRefused``).
    ``source``: the file's layer when the caller has read it already (the preview)."""
    if source is None:
        source = vector.read_layer(data, filename, layer=layer)
    crs = source.crs
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []
    for wanted, label in (
        (name_field, "name"),
        (code_field, "code"),
        (population_field, "population"),
    ):
        if wanted and source.fields and wanted not in source.fields:
            errors.append(
                _feature_issue(
                    0,
                    wanted,
                    f"the file has no column {wanted!r} for the {label} (its columns: "
                    + ", ".join(source.fields)
                    + ")",
                )
            )
    if errors:
        raise ImportRefused(errors)
    parsed: list[ParsedArea] = []
    seen: dict[str, int] = {}
    for number, (props, raw_geometry) in enumerate(source.features, start=1):
        if progress:
            progress(1)
        if "__invalid__" in props:
            errors.append(_feature_issue(number, "", str(props["__invalid__"])))
            continue
        raw_name = props.get(name_field)
        name = str(raw_name).strip() if raw_name is not None else ""
        label = f"{name!r}" if name else "(no name)"
        if not name:
            errors.append(
                _feature_issue(
                    number, name_field, f"missing name: property {name_field!r} is empty"
                )
            )
        elif len(name) > 200:
            errors.append(_feature_issue(number, name_field, "name longer than 200 characters"))
        elif name.casefold() in seen:
            errors.append(
                _feature_issue(
                    number,
                    name_field,
                    f"duplicate name {name!r} (also feature {seen[name.casefold()]})",
                )
            )
        else:
            seen[name.casefold()] = number
        repairs: list[str] = []
        try:
            geom = geo.parse_area_geometry(raw_geometry, crs, repairs)
        except geo.GeometryError as exc:
            errors.append(_feature_issue(number, "geometry", f"{label}: {exc}"))
            continue
        for repair in repairs:
            warnings.append(_feature_issue(number, "geometry", f"{label}: {repair}"))
        population = None
        if population_field and props.get(population_field) not in (None, ""):
            population = _whole_number(props[population_field])
            if population is None:
                errors.append(
                    _feature_issue(
                        number,
                        population_field,
                        f"{label}: population {props[population_field]!r} is not a whole "
                        "number ≥ 0",
                    )
                )
                continue
        code = str(props.get(code_field) or "").strip()[:32] if code_field else ""
        parsed.append(
            ParsedArea(
                name=name,
                geometry=geo.geometry_to_geojson(geom),
                bounds=geom.bounds,
                code=code,
                population=population,
                shape=geom,
            )
        )
    if errors:
        raise ImportRefused(errors)
    warnings += overlaps(parsed)
    return AreaFile(
        areas=parsed,
        format=source.format,
        crs=source.crs_label,
        fields=source.fields,
        warnings=warnings,
    )


def parse_area_file(
    data: bytes,
    *,
    name_field: str,
    code_field: str | None = None,
    population_field: str | None = None,
    filename: str = "areas.geojson",
    progress: Callable[[int], None] | None = None,
) -> tuple[list[ParsedArea], str]:
    """(areas, CRS) of a validated area file (properties use this, without the preview)."""
    result = read_area_file(
        data,
        filename=filename,
        name_field=name_field,
        code_field=code_field,
        population_field=population_field,
        progress=progress,
    )
    return result.areas, result.crs


def _whole_number(value: object) -> int | None:
    if isinstance(value, float) and not value.is_integer():
        return None
    text = re.sub(r"[\s\u00a0]", "", str(value))
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        return None
    return int(text)


def overlaps(areas: list[ParsedArea]) -> list[RowIssue]:
    """Pairs of areas that overlap by more than ``OVERLAP_M2`` (measured in SWEREF 99 TM)."""
    if len(areas) < 2:
        return []
    projected = [geo.to_sweref(a.shape) for a in areas]
    tree = shapely.STRtree(projected)
    left, right = tree.query(projected, predicate="intersects")
    issues = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        shared = projected[i].intersection(projected[j]).area
        smaller = min(projected[i].area, projected[j].area)
        if shared > OVERLAP_M2 and shared > smaller / 1000:
            issues.append(
                _feature_issue(
                    j + 1,
                    "geometry",
                    f"{areas[j].name!r} overlaps {areas[i].name!r} (feature {i + 1}) by "
                    f"{shared:,.0f} m² ({100 * shared / smaller:.1f} % of the smaller): a "
                    "point there is counted in one of them only".replace(",", " "),
                )
            )
    return issues


def import_areas(
    municipality: Municipality,
    path: str | Path,
    *,
    name_field: str = "name",
    kind: str = AreaKind.DISTRICT,
    code_field: str | None = None,
    population_field: str | None = None,
    layer: str | None = None,
    filename: str | None = None,
    is_demo: bool = False,
    progress: Callable[[int], None] | None = None,
) -> AreaImportResult:
    """Import the areas of a GeoPackage, zipped Shapefile or GeoJSON file: all or
    nothing, idempotent, a new layer version when anything changed."""
    if kind not in AreaKind.values:
        raise ImportRefused([_feature_issue(0, "kind", f"unknown area kind {kind!r}")])
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefused([_feature_issue(0, "", f"cannot read {path}: {exc.strerror}")]) from exc
    source_name = (filename or path.name)[:200]
    parsed = read_area_file(
        data,
        filename=source_name,
        name_field=name_field,
        code_field=code_field,
        population_field=population_field,
        layer=layer,
        progress=progress,
    )
    result = AreaImportResult(
        crs=parsed.crs,
        format=parsed.format,
        sha256=hashlib.sha256(data).hexdigest(),
        warnings=parsed.warnings,
    )
    with transaction.atomic():
        existing = {
            a.name.casefold(): a
            for a in Area.objects.select_for_update().filter(municipality=municipality, kind=kind)
        }
        changed_ids: list[int] = []
        for item in parsed.areas:
            values: dict[str, Any] = {
                "geometry": item.geometry,
                "min_lon": item.bounds[0],
                "min_lat": item.bounds[1],
                "max_lon": item.bounds[2],
                "max_lat": item.bounds[3],
                "code": item.code,
                "source": source_name,
                "is_demo": is_demo,
            }
            if population_field:
                values["population"] = item.population
            area = existing.pop(item.name.casefold(), None)
            if area is None:
                area = Area(municipality=municipality, kind=kind, name=item.name, **values)
                area.full_clean()
                area.save()
                result.created.append(item.name)
                changed_ids.append(area.pk)
                continue
            # The file's name alone (v1.zip → v2.zip) does not change an area.
            changes = {k: v for k, v in values.items() if k != "source" and getattr(area, k) != v}
            if area.name != item.name:
                changes["name"] = item.name
            if changes:
                changes["source"] = values["source"]
            if not changes:
                result.unchanged.append(item.name)
                continue
            for k, v in changes.items():
                setattr(area, k, v)
            area.full_clean()
            area.save()
            result.updated.append(item.name)
            if "geometry" in changes:
                changed_ids.append(area.pk)
        result.not_in_file = sorted(a.name for a in existing.values())
        if result.created or result.updated:
            result.layer = _new_version(municipality, kind, source_name, result, parsed)
        if changed_ids:
            # The apps re-assign their records to the new boundaries, in this transaction.
            areas_changed.send(
                sender=Area, municipality=municipality, kind=kind, area_ids=changed_ids
            )
    return result


def _new_version(
    municipality: Municipality,
    kind: str,
    source: str,
    result: AreaImportResult,
    parsed: AreaFile,
) -> AreaLayer:
    last = (
        AreaLayer.objects.filter(municipality=municipality, kind=kind)
        .aggregate(v=Max("version"))
        .get("v")
    )
    return AreaLayer.objects.create(
        municipality=municipality,
        kind=kind,
        version=(last or 0) + 1,
        source=source,
        sha256=result.sha256,
        crs=parsed.crs,
        imported_by=audit.current_context().actor_label[:200],
        summary={
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "not_in_file": result.not_in_file,
            "warnings": [str(w) for w in result.warnings],
        },
        features=[
            {"name": a.name, "code": a.code, "population": a.population, "geometry": a.geometry}
            for a in parsed.areas
        ],
    )


def preview_geojson(parsed: AreaFile) -> dict[str, Any]:
    """The areas of a validated file as a FeatureCollection for the preview map."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": a.geometry,
                "properties": {"name": a.name, "code": a.code, "population": a.population},
            }
            for a in parsed.areas
        ],
    }


def areas_geojson(municipality: Municipality, kind: str | None = None) -> dict[str, Any]:
    """The municipality's areas as a GeoJSON FeatureCollection (for maps and the API)."""
    qs = Area.objects.filter(municipality=municipality).order_by("name")
    if kind:
        qs = qs.filter(kind=kind)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": a.pk,
                "geometry": a.geometry,
                "properties": {
                    "id": a.pk,
                    "name": a.name,
                    "kind": a.kind,
                    "code": a.code,
                    "population": a.population,
                    "is_demo": a.is_demo,
                },
            }
            for a in qs
        ],
    }


_index_lock = threading.Lock()
_index_cache: dict[tuple[int, str], tuple[tuple[Any, ...], geo.AreaIndex]] = {}


def area_index(municipality: Municipality | int, kind: str = AreaKind.DISTRICT) -> geo.AreaIndex:
    """The point-in-area index of a municipality's areas of one kind, rebuilt only when
    an area was added, changed or removed since it was built."""
    municipality_id: int = (
        municipality.pk if isinstance(municipality, Municipality) else municipality
    )
    qs = Area.objects.filter(municipality_id=municipality_id, kind=kind)
    stamp = tuple(qs.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id")).values())
    key = (municipality_id, kind)
    with _index_lock:
        cached = _index_cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
    index = geo.AreaIndex.build(list(qs.values_list("id", "geometry")))
    with _index_lock:
        _index_cache[key] = (stamp, index)
    return index


def locate_area(municipality: Municipality | int, lat: float, lon: float) -> Area | None:
    area_id = area_index(municipality).locate(lat, lon)
    return Area.objects.get(pk=area_id) if area_id is not None else None


def map_extent(municipality: Municipality) -> tuple[float, float, float, float] | None:
    """(min_lat, min_lon, max_lat, max_lon) of the municipality's areas."""
    agg = Area.objects.filter(municipality=municipality).aggregate(
        min_lat=Min("min_lat"),
        min_lon=Min("min_lon"),
        max_lat=Max("max_lat"),
        max_lon=Max("max_lon"),
    )
    if agg["min_lat"] is None:
        return None
    return (agg["min_lat"], agg["min_lon"], agg["max_lat"], agg["max_lon"])


def area_shape(area: Area) -> BaseGeometry:
    return shape(area.geometry)


def reassign_points(
    queryset: Any, municipality: Municipality, kind: str = AreaKind.DISTRICT, chunk: int = 20_000
) -> int:
    """Give every record of ``queryset`` (with ``lat``/``lon`` and an ``area`` foreign key)
    the area its point lies in now; how many changed. Read in chunks by primary key and
    written with one bulk update per chunk of changed rows, so a million incidents never
    sit in memory at once."""
    index = area_index(municipality, kind)
    model = queryset.model
    changed = 0
    last = 0
    qs = queryset.filter(lat__isnull=False, lon__isnull=False).order_by("pk")
    while True:
        rows = list(qs.filter(pk__gt=last).values_list("pk", "lat", "lon", "area_id")[:chunk])
        if not rows:
            return changed
        last = rows[-1][0]
        ids, lats, lons, current = zip(*rows, strict=True)
        located = index.locate_many(np.array(lats, dtype=float), np.array(lons, dtype=float))
        moved = [
            model(pk=pk, area_id=None if new < 0 else int(new))
            for pk, new, old in zip(ids, located.tolist(), current, strict=True)
            if (None if new < 0 else new) != old
        ]
        if moved:
            model.objects.bulk_update(moved, ["area"], batch_size=2_000)
            changed += len(moved)

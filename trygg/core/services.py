"""Core domain operations. Views, the API and management commands call these; the
rules (validation, permissions, all-or-nothing writes) live here."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min

from trygg.core import geo
from trygg.core.importing import ImportRefused, RowIssue
from trygg.core.models import Area, AreaKind, Municipality, Notice, Organisation
from trygg.core.permissions import Principal, can_edit
from trygg.core.roles import Permission, Sensitivity

# --- Areas -----------------------------------------------------------------------------


def _feature_issue(feature: int, field: str, message: str) -> RowIssue:
    """A problem with one feature of an area file (numbered as the file lists them)."""
    return RowIssue(feature, field, message, unit="feature")


@dataclass
class AreaImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)
    crs: str = geo.WGS84
    sha256: str = ""

    @property
    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
            + (
                f"; {len(self.not_in_file)} existing areas of this kind are not in the file "
                f"and were kept: {', '.join(self.not_in_file)}"
                if self.not_in_file
                else ""
            )
        )


@dataclass
class _ParsedArea:
    name: str
    geometry: dict[str, Any]
    bounds: tuple[float, float, float, float]
    code: str
    population: int | None


def _read_geojson(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            [_feature_issue(0, "", f"the file is not UTF-8 text ({exc.reason})")]
        ) from exc
    if not text.strip():
        raise ImportRefused([_feature_issue(0, "", "the file is empty")])
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [
                _feature_issue(
                    0, "", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
                )
            ]
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise ImportRefused(
            [_feature_issue(0, "", f"expected a GeoJSON FeatureCollection, found {found!r}")]
        )
    if not isinstance(doc.get("features"), list) or not doc["features"]:
        raise ImportRefused(
            [_feature_issue(0, "features", "the FeatureCollection has no features")]
        )
    return doc


def parse_area_file(
    data: bytes,
    *,
    name_field: str,
    code_field: str | None = None,
    population_field: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[_ParsedArea], str]:
    """Validate every feature of a GeoJSON FeatureCollection; all errors at once."""
    doc = _read_geojson(data)
    try:
        crs = geo.crs_of(doc)
    except geo.GeometryError as exc:
        raise ImportRefused([_feature_issue(0, "crs", str(exc))]) from exc

    errors: list[RowIssue] = []
    parsed: list[_ParsedArea] = []
    seen: dict[str, int] = {}
    for number, feature in enumerate(doc["features"], start=1):
        if progress:
            progress(1)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(_feature_issue(number, "", "not a GeoJSON Feature"))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            errors.append(_feature_issue(number, "properties", "properties must be an object"))
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
        try:
            geom = geo.parse_area_geometry(feature.get("geometry"), crs)
        except geo.GeometryError as exc:
            errors.append(_feature_issue(number, "geometry", f"{label}: {exc}"))
            continue
        population = None
        if population_field and props.get(population_field) not in (None, ""):
            try:
                population = int(props[population_field])
                if population < 0:
                    raise ValueError
            except (TypeError, ValueError, OverflowError):
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
            _ParsedArea(
                name=name,
                geometry=geo.geometry_to_geojson(geom),
                bounds=geom.bounds,
                code=code,
                population=population,
            )
        )
    if errors:
        raise ImportRefused(errors)
    return parsed, crs


def import_areas(
    municipality: Municipality,
    path: str | Path,
    *,
    name_field: str = "name",
    kind: str = AreaKind.DISTRICT,
    code_field: str | None = None,
    population_field: str | None = None,
    is_demo: bool = False,
    progress: Callable[[int], None] | None = None,
) -> AreaImportResult:
    """Import the areas of a GeoJSON file: all or nothing, idempotent.

    An area is identified by (municipality, kind, name): re-importing the same file
    changes nothing; an edited boundary updates the area in place.
    """
    if kind not in AreaKind.values:
        raise ImportRefused([_feature_issue(0, "kind", f"unknown area kind {kind!r}")])
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefused([_feature_issue(0, "", f"cannot read {path}: {exc.strerror}")]) from exc
    parsed, crs = parse_area_file(
        data,
        name_field=name_field,
        code_field=code_field,
        population_field=population_field,
        progress=progress,
    )
    result = AreaImportResult(crs=crs, sha256=hashlib.sha256(data).hexdigest())
    with transaction.atomic():
        existing = {
            a.name.casefold(): a
            for a in Area.objects.select_for_update().filter(municipality=municipality, kind=kind)
        }
        for item in parsed:
            values = {
                "geometry": item.geometry,
                "min_lon": item.bounds[0],
                "min_lat": item.bounds[1],
                "max_lon": item.bounds[2],
                "max_lat": item.bounds[3],
                "code": item.code,
                "source": path.name[:200],
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
                continue
            changed = {k: v for k, v in values.items() if getattr(area, k) != v}
            if area.name != item.name:
                changed["name"] = item.name
            if not changed:
                result.unchanged.append(item.name)
                continue
            for k, v in changed.items():
                setattr(area, k, v)
            area.full_clean()
            area.save()
            result.updated.append(item.name)
        result.not_in_file = sorted(a.name for a in existing.values())
    return result


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


# --- Notices ---------------------------------------------------------------------------

NOTICE_FIELDS = ("title", "body", "valid_until", "sensitivity")


def _check_restricted_to(
    principal: Principal, organisations: Iterable[Organisation] | None
) -> list[Organisation]:
    chosen = list(organisations or [])
    for org in chosen:
        if org.municipality_id != principal.acting_municipality.pk:
            raise ValidationError(
                {"restricted_to": "An organisation belongs to another municipality."}
            )
    return chosen


@transaction.atomic
def create_notice(
    principal: Principal, *, restricted_to: Iterable[Organisation] = (), **values: Any
) -> Notice:
    if not principal.has(Permission.CREATE):
        raise PermissionDenied("Your role cannot create notices.")
    notice = Notice(
        municipality=principal.municipality,
        owner_organisation=principal.organisation,
        **{k: v for k, v in values.items() if k in NOTICE_FIELDS},
    )
    notice.full_clean()
    notice.save()
    organisations = _check_restricted_to(principal, restricted_to)
    if notice.sensitivity == Sensitivity.RESTRICTED and organisations:
        notice.restricted_to.set(organisations)
    return notice


@transaction.atomic
def update_notice(
    principal: Principal,
    notice: Notice,
    *,
    restricted_to: Iterable[Organisation] | None = None,
    **values: Any,
) -> Notice:
    if not can_edit(principal, notice):
        raise PermissionDenied("You may not change this notice.")
    for key, value in values.items():
        if key in NOTICE_FIELDS:
            setattr(notice, key, value)
    notice.full_clean()
    notice.save()
    if notice.sensitivity != Sensitivity.RESTRICTED:
        if notice.restricted_to.exists():
            notice.restricted_to.clear()
    elif restricted_to is not None:
        notice.restricted_to.set(_check_restricted_to(principal, restricted_to))
    return notice


@transaction.atomic
def delete_notice(principal: Principal, notice: Notice) -> None:
    if not can_edit(principal, notice):
        raise PermissionDenied("You may not delete this notice.")
    notice.delete()

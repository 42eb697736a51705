"""Area geometry: reading and validating GeoJSON boundaries, and point-in-area lookup.

No GDAL/GeoDjango: polygons are stored as GeoJSON in WGS84 with a bounding box, and
shapely (with an STRtree spatial index, built once per municipality and cached until an
area changes) answers "which area is this point in" — one point or a million at a time.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

WGS84 = "EPSG:4326"
SWEREF99TM = "EPSG:3006"

# Sweden, generously: anything outside is not a Swedish area (or has its axes swapped).
SWEDEN_LON = (10.0, 25.0)
SWEDEN_LAT = (55.0, 69.5)


class GeometryError(ValueError):
    pass


_transformer_lock = threading.Lock()
_transformers: dict[tuple[str, str], Transformer] = {}
# A CRS is named by its EPSG code ("EPSG:3011") or, when a file's .prj has none, by the
# pyproj CRS itself.
CRSLike = str | CRS


def _key(crs: CRSLike) -> str:
    return crs if isinstance(crs, str) else crs.to_wkt()


def transformer(source: CRSLike, target: CRSLike) -> Transformer:
    """A cached lon/lat-ordered (``always_xy``) transformer between two CRSs."""
    key = (_key(source), _key(target))
    with _transformer_lock:
        if key not in _transformers:
            _transformers[key] = Transformer.from_crs(source, target, always_xy=True)
        return _transformers[key]


def is_wgs84(crs: CRSLike | None) -> bool:
    return crs is None or crs == WGS84 or (isinstance(crs, CRS) and crs.to_epsg() == 4326)


def to_wgs84(geom: BaseGeometry, source_crs: CRSLike | None) -> BaseGeometry:
    if source_crs is None or is_wgs84(source_crs):
        return geom
    t = transformer(source_crs, WGS84)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


# A self-intersecting boundary is repaired (``shapely.make_valid``) only when the repair
# changes its area by less than this share: a digitising slip, not a different shape.
REPAIR_TOLERANCE = 0.001


def to_sweref(geom: BaseGeometry) -> BaseGeometry:
    """A WGS84 geometry in SWEREF 99 TM metres (for areas and overlaps)."""
    t = transformer(WGS84, SWEREF99TM)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def parse_area_geometry(
    raw: object, source_crs: CRSLike | None, repairs: list[str] | None = None
) -> BaseGeometry:
    """A validated shapely (Multi)Polygon in WGS84 from a GeoJSON geometry object in
    ``source_crs`` (None: WGS84). When ``repairs`` is given, a boundary with a small
    self-intersection is repaired and what was done appended to it; otherwise (or when the
    repair would change the shape) an invalid boundary is refused."""
    if raw is None:
        raise GeometryError("the feature has no geometry")
    if not isinstance(raw, dict) or "type" not in raw:
        raise GeometryError("the geometry is not a GeoJSON geometry object")
    if raw["type"] not in {"Polygon", "MultiPolygon"}:
        raise GeometryError(f"geometry type {raw['type']} is not a Polygon or MultiPolygon")
    coords = raw.get("coordinates")
    if not coords:
        raise GeometryError("the geometry is empty")
    try:
        geom = shape(raw)
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.GEOSException) as exc:
        raise GeometryError(f"the coordinates are malformed ({exc})") from exc
    if geom.is_empty:
        raise GeometryError("the geometry is empty")
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        raise GeometryError("the geometry has non-numeric coordinates")
    if not geom.is_valid:
        reason = explain_validity(geom)
        repaired = _repaired(geom) if repairs is not None else None
        if repairs is None or repaired is None:
            raise GeometryError(f"the geometry is invalid: {reason}")
        repairs.append(f"{reason} — repaired (area changed by less than 0.1 %)")
        geom = repaired
    if geom.area == 0:
        raise GeometryError("the polygon has no area")
    geom = to_wgs84(geom, source_crs)
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        raise GeometryError("the coordinates cannot be converted from the file's CRS")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if not (
        SWEDEN_LON[0] <= min_lon
        and max_lon <= SWEDEN_LON[1]
        and SWEDEN_LAT[0] <= min_lat
        and max_lat <= SWEDEN_LAT[1]
    ):
        hint = (
            " — the coordinates look like SWEREF 99 TM metres: declare the file's crs as EPSG:3006"
            if is_wgs84(source_crs) and max_lon > 1000
            else " — are longitude and latitude swapped?"
            if is_wgs84(source_crs) and SWEDEN_LAT[0] <= min_lon <= SWEDEN_LAT[1]
            else " — does the file declare the CRS its coordinates are in?"
            if not is_wgs84(source_crs)
            else ""
        )
        raise GeometryError(
            f"the geometry lies outside Sweden (bounds {min_lon:.4f},{min_lat:.4f},"
            f"{max_lon:.4f},{max_lat:.4f} in WGS84){hint}"
        )
    return geom


def _repaired(geom: BaseGeometry) -> BaseGeometry | None:
    """The polygonal part of ``make_valid(geom)`` when it keeps the area within the
    tolerance, else None (a bow-tie's two lobes cancel out: its area is no guide)."""
    fixed = shapely.make_valid(geom)
    polygons = [
        g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in {"Polygon", "MultiPolygon"}
    ]
    if not polygons:
        return None
    result = shapely.union_all(polygons)
    if geom.area <= 0 or abs(result.area - geom.area) > REPAIR_TOLERANCE * geom.area:
        return None
    return result if result.is_valid and not result.is_empty else None


def geometry_to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry with coordinates rounded to 7 decimals (~1 cm)."""
    rounded = shapely.set_precision(geom, 1e-7)
    data = mapping(rounded if rounded.is_valid and not rounded.is_empty else geom)
    result: dict[str, Any] = as_lists(data)
    return result


def as_lists(value: Any) -> Any:
    """GeoJSON coordinates as nested lists (shapely's ``mapping`` gives tuples)."""
    if isinstance(value, tuple | list):
        return [as_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: as_lists(v) for k, v in value.items()}
    return value


@dataclass
class AreaIndex:
    """Point-in-area lookup for one municipality's areas (of one kind)."""

    area_ids: np.ndarray
    geometries: list[BaseGeometry]
    tree: shapely.STRtree

    @classmethod
    def build(cls, areas: list[tuple[int, dict[str, Any]]]) -> AreaIndex:
        ids = np.array([pk for pk, _ in areas], dtype=np.int64)
        geoms = [shape(g) for _, g in areas]
        for g in geoms:
            shapely.prepare(g)
        return cls(area_ids=ids, geometries=geoms, tree=shapely.STRtree(geoms))

    def locate(self, lat: float, lon: float) -> int | None:
        result = self.locate_many(np.array([lat]), np.array([lon]))[0]
        return None if result < 0 else int(result)

    def locate_many(self, lats: npt.ArrayLike, lons: npt.ArrayLike) -> np.ndarray:
        """Area id for each point (−1 where the point is in no area). Points on a shared
        border go to the area with the lowest id, so the answer is deterministic."""
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        out = np.full(lats.shape, -1, dtype=np.int64)
        if len(self.geometries) == 0 or lats.size == 0:
            return out
        points = shapely.points(lons, lats)
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        if point_idx.size:
            candidate_ids = self.area_ids[geom_idx]
            # lowest area id per point: sort by (point, id) and take the first of each point
            order = np.lexsort((candidate_ids, point_idx))
            point_idx, candidate_ids = point_idx[order], candidate_ids[order]
            first = np.ones(point_idx.size, dtype=bool)
            first[1:] = point_idx[1:] != point_idx[:-1]
            out[point_idx[first]] = candidate_ids[first]
        return out


EARTH_RADIUS_M = 6_371_000


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres between two WGS84 points (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))

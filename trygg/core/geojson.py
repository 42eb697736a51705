"""GeoJSON for the maps: the features ``places.js`` draws (a title, a status, open or
closed, and where a click leads) and their collection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def feature(
    geometry: dict[str, Any], *, title: str, url: str = "#", status: str = "", is_open: bool = True,
    **extra: Any,
) -> dict[str, Any]:  # fmt: skip
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"title": title, "status": status, "open": is_open, "url": url, **extra},
    }


def point(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    """A point feature (WGS84; properties as ``feature``)."""
    return feature({"type": "Point", "coordinates": [lon, lat]}, **properties)


def collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}

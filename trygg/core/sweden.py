"""Sweden's 290 municipalities: SCB code, name, county, and a simplified outline.

Read from ``core/data/municipalities.geojson`` (source and licence in the file and in
``core/data/README.md``): okfse/sweden-geojson's municipalities, simplified from
Valmyndigheten's boundaries. The outlines are for overview maps across municipal borders,
never for deciding which municipality a point lies in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "municipalities.geojson"


@dataclass(frozen=True)
class SwedishMunicipality:
    code: str  # SCB's four digits, e.g. "0139"
    name: str
    county_code: str  # the first two digits, e.g. "01"
    county: str  # e.g. "Stockholms län"
    geometry: dict[str, Any]  # GeoJSON Polygon or MultiPolygon, WGS 84


@cache
def _read() -> dict[str, SwedishMunicipality]:
    collection = json.loads(DATA.read_text(encoding="utf-8"))
    found: dict[str, SwedishMunicipality] = {}
    for feature in collection["features"]:
        p = feature["properties"]
        found[p["code"]] = SwedishMunicipality(
            code=p["code"],
            name=p["name"],
            county_code=p["county_code"],
            county=p["county"],
            geometry=feature["geometry"],
        )
    return found


def municipalities() -> list[SwedishMunicipality]:
    """All 290, by code."""
    return list(_read().values())


def by_code(code: str) -> SwedishMunicipality | None:
    return _read().get(code)


def counties() -> dict[str, str]:
    """County code → county name, by code."""
    return {m.county_code: m.county for m in sorted(_read().values(), key=lambda m: m.code)}


def in_county(county_code: str) -> list[SwedishMunicipality]:
    return [m for m in _read().values() if m.county_code == county_code]

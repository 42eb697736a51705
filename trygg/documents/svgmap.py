"""Maps as SVG, drawn in SWEREF 99 TM (metres, so shapes are true) from WGS84 GeoJSON:
areas shaded by a value, optional grid cells on top, labels. For documents (no browser)."""

from __future__ import annotations

from html import escape

import numpy as np
from shapely.geometry import shape

from trygg.analysis import grid

RAMP = ["#f1f5fa", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]


def _rings(geometry: dict):
    geom = shape(geometry)
    polygons = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    for polygon in polygons:
        yield np.asarray(polygon.exterior.coords)
        for interior in polygon.interiors:
            yield np.asarray(interior.coords)


def area_map(
    areas: list[dict], values: dict, cells: list[dict] | None = None, width: int = 600
) -> str:
    """``areas``: [{"id", "name", "geometry"}]; ``values``: id → number (shading);
    ``cells``: [{"geometry", "fill"}] drawn on top."""
    projected = []
    xs_all, ys_all = [], []
    for area in areas:
        rings = []
        for ring in _rings(area["geometry"]):
            x, y = grid.to_sweref(ring[:, 0], ring[:, 1])
            rings.append((x, y))
            xs_all.append(x)
            ys_all.append(y)
        projected.append((area, rings))
    if not projected:
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 100"></svg>'
    x_all, y_all = np.concatenate(xs_all), np.concatenate(ys_all)
    x0, x1, y0, y1 = x_all.min(), x_all.max(), y_all.min(), y_all.max()
    pad = 0.05 * max(x1 - x0, y1 - y0)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    scale = width / (x1 - x0)
    height = int((y1 - y0) * scale)

    def pts(x, y) -> str:
        return " ".join(
            f"{(a - x0) * scale:.1f},{(y1 - b) * scale:.1f}" for a, b in zip(x, y, strict=True)
        )

    top = max([v for v in values.values() if v is not None] + [1])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">']
    parts.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    for area, rings in projected:
        value = values.get(area["id"]) or 0
        fill = RAMP[min(len(RAMP) - 1, int((len(RAMP) - 1) * value / top) + (1 if value else 0))]
        d = " ".join(f"M {pts(x, y)} Z" for x, y in rings)
        parts.append(
            f'<path d="{d}" fill="{fill}" stroke="#12355b" stroke-width="1.5" fill-rule="evenodd"/>'
        )
    for cell in cells or []:
        for ring in _rings(cell["geometry"]):
            x, y = grid.to_sweref(ring[:, 0], ring[:, 1])
            parts.append(
                f'<polygon points="{pts(x, y)}" fill="{cell["fill"]}" fill-opacity="0.85"/>'
            )
    for area, rings in projected:
        x, y = rings[0]
        cx, cy = (x.mean() - x0) * scale, (y1 - y.mean()) * scale
        parts.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="12" text-anchor="middle" '
            f'fill="#1b1f24" font-weight="bold" stroke="#ffffff" stroke-width="3" '
            f'paint-order="stroke">{escape(area["name"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

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
    areas: list[dict],
    values: dict,
    cells: list[dict] | None = None,
    width: int = 600,
    *,
    shading: tuple[str, str] | None = None,
    keys: list[tuple[str, str]] | None = None,
) -> str:
    """``areas``: [{"id", "name", "geometry"}]; ``values``: id → number (shading);
    ``cells``: [{"geometry", "fill"}] drawn on top. The legend below the map says what
    the shading runs between (``shading``: the words at its light and dark ends) and what
    each cell colour means (``keys``: [(fill, label)])."""
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
    map_height = int((y1 - y0) * scale)
    legend_rows = (1 if shading else 0) + len(keys or [])
    height = map_height + (12 + 18 * legend_rows if legend_rows else 0)

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
    parts.append(_legend(map_height + 14, shading, keys or []))
    parts.append("</svg>")
    return "".join(parts)


def _legend(y: float, shading: tuple[str, str] | None, keys: list[tuple[str, str]]) -> str:
    """The key under a map: the shading's ramp between its two words, then one swatch per
    cell colour."""
    parts = []
    if shading:
        low, high = shading
        parts.append(
            f'<text x="0" y="{y + 10:.0f}" font-size="13" fill="#1b1f24">{escape(low)}</text>'
        )
        x = 8 + 7.2 * len(low)
        for fill in RAMP:
            parts.append(
                f'<rect x="{x:.0f}" y="{y:.0f}" width="22" height="12" fill="{fill}"'
                ' stroke="#12355b" stroke-width="0.5"/>'
            )
            x += 22
        parts.append(
            f'<text x="{x + 6:.0f}" y="{y + 10:.0f}" font-size="13" fill="#1b1f24">'
            f"{escape(high)}</text>"
        )
        y += 18
    for fill, label in keys:
        parts.append(
            f'<rect x="0" y="{y:.0f}" width="12" height="12" fill="{fill}" fill-opacity="0.85"/>'
            f'<text x="18" y="{y + 10:.0f}" font-size="13" fill="#1b1f24">{escape(label)}</text>'
        )
        y += 18
    return "".join(parts)


def walk_map(
    area_geometry: dict | None,
    route: list[list[float]] | None,
    points: list[dict],
    width: int = 600,
    *,
    legend: tuple[str, str] | None = None,
) -> str:
    """A safety walk's map: the area's outline, the route (GeoJSON LineString
    coordinates, lon/lat) and numbered findings (``points``: [{"lat", "lon", "label"}]).
    Framed on the route and findings (the whole area if there are none). ``legend``: the
    words for the route and for a finding, drawn in a band under the map."""
    xs, ys = [], []
    route_xy = None
    if route:
        arr = np.asarray(route, dtype=float)
        route_xy = grid.to_sweref(arr[:, 0], arr[:, 1])
        xs.append(route_xy[0])
        ys.append(route_xy[1])
    pts_xy = None
    if points:
        pts_xy = grid.to_sweref(
            np.array([p["lon"] for p in points]), np.array([p["lat"] for p in points])
        )
        xs.append(pts_xy[0])
        ys.append(pts_xy[1])
    area_rings = []
    if area_geometry:
        for ring in _rings(area_geometry):
            area_rings.append(grid.to_sweref(ring[:, 0], ring[:, 1]))
    if not xs:
        if not area_rings:
            return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 100"></svg>'
        xs = [r[0] for r in area_rings]
        ys = [r[1] for r in area_rings]
    x_all, y_all = np.concatenate(xs), np.concatenate(ys)
    x0, x1, y0, y1 = x_all.min(), x_all.max(), y_all.min(), y_all.max()
    # At least 300 m across, 15 % margin, and a landscape frame (height 50–75 % of the
    # width) so that the map fits on a page beside its caption.
    w = max(x1 - x0, 300.0) * 1.15
    h = max(y1 - y0, 200.0) * 1.15
    if h > 0.75 * w:
        w = h / 0.75
    elif h < 0.5 * w:
        h = 0.5 * w
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    scale = width / (x1 - x0)
    map_height = int((y1 - y0) * scale)
    height = map_height + (26 if legend else 0)

    def pts(x, y) -> str:
        return " ".join(
            f"{(a - x0) * scale:.1f},{(y1 - b) * scale:.1f}" for a, b in zip(x, y, strict=True)
        )

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">']
    parts.append(f'<rect width="{width}" height="{height}" fill="#f7f9fb"/>')
    for x, y in area_rings:
        parts.append(
            f'<polygon points="{pts(x, y)}" fill="#e8eef5" stroke="#12355b" stroke-width="1.2"/>'
        )
    if route_xy is not None:
        parts.append(
            f'<polyline points="{pts(*route_xy)}" fill="none" stroke="#6b2e6b" '
            'stroke-width="4" stroke-linejoin="round" stroke-linecap="round"/>'
        )
    if pts_xy is not None:
        for point, x, y in zip(points, pts_xy[0], pts_xy[1], strict=True):
            px, py = (x - x0) * scale, (y1 - y) * scale
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="10" fill="#b35900" '
                'stroke="#ffffff" stroke-width="2"/>'
                f'<text x="{px:.1f}" y="{py + 4:.1f}" font-size="11" text-anchor="middle" '
                f'fill="#ffffff" font-weight="bold">{escape(str(point["label"]))}</text>'
            )
    # Scale bar: 100 m.
    bar = 100 * scale
    parts.append(
        f'<line x1="10" y1="{map_height - 12}" x2="{10 + bar:.1f}" y2="{map_height - 12}" '
        'stroke="#1b1f24" stroke-width="3"/>'
        f'<text x="10" y="{map_height - 18}" font-size="10" fill="#1b1f24">100 m</text>'
    )
    if legend:
        route_label, finding_label = legend
        y = map_height + 14
        parts.append(
            f'<rect y="{map_height}" width="{width}" height="26" fill="#ffffff"/>'
            f'<line x1="0" x2="28" y1="{y}" y2="{y}" stroke="#6b2e6b" stroke-width="4"/>'
            f'<text x="34" y="{y + 4}" font-size="13" fill="#1b1f24">{escape(route_label)}</text>'
        )
        x = 60 + 7.2 * len(route_label)
        parts.append(
            # The sample marker carries no number: as text, "1 Fynd" would read as a count.
            f'<circle cx="{x:.0f}" cy="{y}" r="8" fill="#b35900" stroke="#ffffff"/>'
            f'<text x="{x + 14:.0f}" y="{y + 4}" font-size="13" fill="#1b1f24">'
            f"{escape(finding_label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)

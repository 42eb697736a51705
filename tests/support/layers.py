"""Vector files made in tests with the same reader Trygg uses (pyogrio/GDAL): GeoPackages,
zipped Shapefiles and GeoJSON in any CRS, from polygons given in WGS84."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON"}


def square(lon: float, lat: float, size: float = 0.01) -> Polygon:
    """A square in WGS84 with its south-west corner at (lon, lat)."""
    return Polygon(
        [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)]
    )


def project(geom, crs: str):
    """``geom`` (WGS84) in ``crs``, by pyproj: the reference the import is checked against."""
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def write_layer(
    path: Path,
    rows: list[dict],
    *,
    crs: str,
    geometry_key: str = "geometry",
    already_projected: bool = False,
) -> Path:
    """Write ``rows`` (each a dict of columns plus a WGS84 shapely polygon under
    ``geometry_key``) as the format ``path``'s suffix names, in ``crs``. A ``.zip`` path
    writes a Shapefile and zips its files."""
    path = Path(path)
    if path.suffix == ".zip":
        folder = path.with_suffix("")
        folder.mkdir(parents=True, exist_ok=True)
        shp = folder / f"{path.stem}.shp"
        write_layer(
            shp, rows, crs=crs, geometry_key=geometry_key, already_projected=already_projected
        )
        with zipfile.ZipFile(path, "w") as zf:
            for part in sorted(folder.iterdir()):
                zf.write(part, part.name)
        return path
    fields = [k for k in rows[0] if k != geometry_key]
    geometries = [
        r[geometry_key] if already_projected else project(r[geometry_key], crs) for r in rows
    ]
    field_data = [np.array([r[f] for r in rows], dtype=_dtype(rows, f)) for f in fields]
    pyogrio.raw.write(
        str(path),
        np.array([shapely.to_wkb(g) for g in geometries], dtype=object),
        field_data,
        fields,
        driver=DRIVERS[path.suffix],
        geometry_type="MultiPolygon"
        if any(g.geom_type == "MultiPolygon" for g in geometries)
        else geometries[0].geom_type,
        crs=crs,
        encoding="UTF-8",
    )
    return path


def _dtype(rows: list[dict], field: str) -> type:
    values = [r[field] for r in rows]
    if all(isinstance(v, int) for v in values):
        return np.int64
    if all(isinstance(v, int | float) for v in values):
        return np.float64
    return object


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()

"""Reading the vector layers municipalities have — GeoPackage, zipped Shapefile, GeoJSON —
in whatever coordinate reference system the file declares.

The files are read by pyogrio, whose wheels carry GDAL (no system GDAL, no GeoDjango):
Trygg never parses a binary format by hand. What comes out is one layer's features as
(properties, GeoJSON geometry in the file's own CRS) and the CRS itself, which
``trygg.core.geo`` turns into WGS84. GeoJSON is read by Trygg's own JSON reader first,
because its messages for a broken file ("not valid JSON (line 3, column 7: …)") are
better than GDAL's; its geometries then take the same path as the others'.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import mapping

from trygg.core import geo
from trygg.core.importing import ImportRefused, RowIssue

# The files a municipality is asked for, by how their names end.
GEOPACKAGE, SHAPEFILE, GEOJSON = "GeoPackage", "Shapefile", "GeoJSON"
ACCEPTED = ".gpkg, .zip (Shapefile), .geojson, .json"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ZIP_MAGIC = b"PK\x03\x04"
# A file may be large (every DeSO of a county), not unbounded.
MAX_FEATURES = 20_000


def file_issue(message: str, field: str = "") -> RowIssue:
    return RowIssue(0, field, message, unit="feature")


@dataclass
class Layer:
    """One layer of a vector file: its features in the file's own CRS."""

    format: str
    crs: CRS | None
    fields: list[str]
    # (properties, GeoJSON geometry or None), in the file's order (feature 1, 2, …).
    features: list[tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=list)
    layer_name: str = ""

    @property
    def crs_label(self) -> str:
        """ "SWEREF99 18 00 (EPSG:3011)" — what a coordinator recognises."""
        if self.crs is None:
            return "WGS 84 (EPSG:4326)"
        code = self.crs.to_epsg(min_confidence=70)
        return f"{self.crs.name} (EPSG:{code})" if code else self.crs.name


def detect_format(data: bytes, filename: str) -> str:
    """The format of an uploaded file, from its first bytes and its name."""
    suffix = Path(filename).suffix.lower()
    if data.startswith(_SQLITE_MAGIC):
        return GEOPACKAGE
    if data.startswith(_ZIP_MAGIC):
        return SHAPEFILE
    if suffix in {".gpkg", ".zip", ".shp"}:
        if suffix == ".shp":
            raise ImportRefused(
                [
                    file_issue(
                        "a Shapefile is several files (.shp, .shx, .dbf, .prj): put them in one "
                        ".zip file and upload that"
                    )
                ]
            )
        what = "GeoPackage" if suffix == ".gpkg" else "zip archive"
        raise ImportRefused([file_issue(f"the file is not a {what} (it may be damaged)")])
    if suffix in {".geojson", ".json", ""} or data[:1] in (b"{", b"[", b" ", b"\n", b"\xef"):
        return GEOJSON
    raise ImportRefused(
        [file_issue(f"unknown file type {suffix or '(no extension)'}: use {ACCEPTED}")]
    )


def read_layer(data: bytes, filename: str, *, layer: str | None = None) -> Layer:
    """One layer's features and CRS from a GeoPackage, zipped Shapefile or GeoJSON file,
    or ``ImportRefused`` saying what is wrong with the file."""
    fmt = detect_format(data, filename)
    if fmt == GEOJSON:
        return _read_geojson(data)
    with tempfile.TemporaryDirectory(prefix="trygg-layer-") as tmp:
        if fmt == GEOPACKAGE:
            path = Path(tmp) / "upload.gpkg"
            path.write_bytes(data)
            return _read_with_gdal(str(path), fmt, layer)
        return _read_with_gdal(_unpack_shapefile(data, Path(tmp)), fmt, layer)


def _unpack_shapefile(data: bytes, tmp: Path) -> str:
    archive = tmp / "upload.zip"
    archive.write_bytes(data)
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
            shapes = [n for n in names if n.lower().endswith(".shp")]
            if not shapes:
                raise ImportRefused(
                    [file_issue("the zip file holds no Shapefile (no .shp file inside)")]
                )
            if len(shapes) > 1:
                raise ImportRefused(
                    [
                        file_issue(
                            "the zip file holds several Shapefiles ("
                            + ", ".join(sorted(Path(s).name for s in shapes))
                            + "): upload one layer per file"
                        )
                    ]
                )
            stem = shapes[0][:-4]
            present = {n[len(stem) :].lower() for n in names if n.startswith(stem)}
            missing = [ext for ext in (".shx", ".dbf") if ext not in present]
            if missing:
                raise ImportRefused(
                    [
                        file_issue(
                            f"the Shapefile {Path(shapes[0]).name} lacks its "
                            + " and ".join(missing)
                            + " file: zip every file of the layer together"
                        )
                    ]
                )
            if ".prj" not in present:
                raise ImportRefused(
                    [
                        file_issue(
                            f"the Shapefile {Path(shapes[0]).name} has no .prj file, so its "
                            "coordinate reference system is unknown: export it again with its "
                            ".prj (e.g. SWEREF 99 TM or SWEREF 99 18 00)",
                            "crs",
                        )
                    ]
                )
            target = tmp / "layer"
            for name in names:
                if name.startswith(stem):
                    # Only the layer's own files, under a name of our choosing (no paths
                    # from the archive touch the disk: no zip-slip).
                    out = target.with_suffix(name[len(stem) :].lower())
                    out.write_bytes(zf.read(name))
    except zipfile.BadZipFile as exc:
        raise ImportRefused([file_issue(f"the zip file is damaged ({exc})")]) from exc
    return str(target.with_suffix(".shp"))


def _read_with_gdal(path: str, fmt: str, layer: str | None) -> Layer:
    # Imported here, not at module level: GDAL's start-up costs ~0.3 s, paid by the
    # processes that read a GeoPackage or Shapefile, not by every web process.
    import pyogrio
    import pyogrio.raw
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        layers = pyogrio.list_layers(path)
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise ImportRefused(
            [file_issue(f"the {fmt} cannot be read ({_gdal_message(exc)})")]
        ) from exc
    if len(layers) == 0:
        raise ImportRefused([file_issue(f"the {fmt} holds no layer")])
    names = [str(row[0]) for row in layers]
    if layer is None:
        with_geometry = [str(row[0]) for row in layers if row[1] is not None]
        if len(with_geometry) != 1:
            raise ImportRefused(
                [
                    file_issue(
                        f"the {fmt} holds {len(with_geometry)} layers with geometry ("
                        + ", ".join(with_geometry)
                        + "): choose one",
                        "layer",
                    )
                ]
            )
        layer = with_geometry[0]
    elif layer not in names:
        raise ImportRefused(
            [file_issue(f"no layer {layer!r} (the file has {', '.join(names)})", "layer")]
        )
    try:
        info = pyogrio.read_info(path, layer=layer)
        if info["features"] > MAX_FEATURES:
            raise ImportRefused(
                [file_issue(f"{info['features']} features: more than {MAX_FEATURES} in one layer")]
            )
        meta, _fids, geometries, field_data = pyogrio.raw.read(path, layer=layer, force_2d=True)
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise ImportRefused(
            [file_issue(f"the {fmt} cannot be read ({_gdal_message(exc)})")]
        ) from exc
    crs = _crs(meta.get("crs"))
    if crs is None:
        raise ImportRefused(
            [file_issue(f"the {fmt} declares no coordinate reference system", "crs")]
        )
    fields = [str(f) for f in meta["fields"]]
    features: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for i, wkb in enumerate(geometries):
        props = {name: _plain(column[i]) for name, column in zip(fields, field_data, strict=True)}
        geometry = None
        if wkb is not None:
            try:
                geom = shapely.from_wkb(wkb)
            except shapely.errors.GEOSException:
                geom = None
            if geom is not None and not geom.is_empty:
                geometry = geo.as_lists(mapping(geom))
        features.append((props, geometry))
    return Layer(format=fmt, crs=crs, fields=fields, features=features, layer_name=layer)


def _gdal_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    # GDAL names the temporary file it was given; the user knows the file by its own name.
    return text.split(": ", 1)[-1] if "trygg-layer-" in text else text


def _crs(value: object) -> CRS | None:
    if not value:
        return None
    try:
        return CRS.from_user_input(value)
    except CRSError:
        return None


def _plain(value: Any) -> Any:
    """A numpy scalar as a plain Python value (for JSON and comparisons)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN: an empty cell
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


# --- GeoJSON ---------------------------------------------------------------------------

# How GeoJSON files name the two CRSs of RFC 7946's world (no "crs": WGS84).
_CRS84 = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84"}


def _read_geojson(data: bytes) -> Layer:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused([file_issue(f"the file is not UTF-8 text ({exc.reason})")]) from exc
    if not text.strip():
        raise ImportRefused([file_issue("the file is empty")])
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [file_issue(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")]
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise ImportRefused([file_issue(f"expected a GeoJSON FeatureCollection, found {found!r}")])
    if not isinstance(doc.get("features"), list) or not doc["features"]:
        raise ImportRefused([file_issue("the FeatureCollection has no features", "features")])
    if len(doc["features"]) > MAX_FEATURES:
        raise ImportRefused(
            [file_issue(f"{len(doc['features'])} features: more than {MAX_FEATURES} in one file")]
        )
    crs = geojson_crs(doc)
    features: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    fields: dict[str, None] = {}
    for feature in doc["features"]:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            features.append(({"__invalid__": "not a GeoJSON Feature"}, None))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            features.append(({"__invalid__": "properties must be an object"}, None))
            continue
        fields.update(dict.fromkeys(props))
        features.append((props, feature.get("geometry")))
    return Layer(format=GEOJSON, crs=crs, fields=list(fields), features=features)


def geojson_crs(doc: dict[str, Any]) -> CRS | None:
    """The CRS a GeoJSON FeatureCollection declares in its (pre-RFC 7946) ``crs`` member;
    None for WGS84, the default."""
    crs = doc.get("crs")
    if crs is None:
        return None
    name = None
    if isinstance(crs, dict):
        props = crs.get("properties")
        if isinstance(props, dict):
            name = props.get("name")
    if not isinstance(name, str):
        raise ImportRefused([file_issue("the file's 'crs' member has no name", "crs")])
    if name in _CRS84:
        return None
    try:
        parsed = CRS.from_user_input(name)
    except CRSError as exc:
        raise ImportRefused(
            [
                file_issue(
                    f"unknown coordinate reference system {name!r}: name it as EPSG:3006 "
                    "(SWEREF 99 TM), EPSG:3011 (SWEREF 99 18 00), EPSG:3021 (RT 90 2.5 gon V) "
                    "or leave it out for WGS84",
                    "crs",
                )
            ]
        ) from exc
    return None if parsed.to_epsg() == 4326 else parsed

"""Areas from the files municipalities have: GeoPackage, zipped Shapefile and GeoJSON in
SWEREF 99 TM, the SWEREF 99 local zones, RT 90 and WGS84 — each vertex within 1 m of the
reference pyproj computes; bad files refused with their reason and nothing written; a
changed layer imported as a new version with the records re-assigned."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pyogrio.raw
import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import MultiPolygon, Point, Polygon, shape

from tests.support.layers import project, square, write_layer, zip_bytes
from trygg.assessment.tests.conftest import make_rows
from trygg.cases.models import PropertyArea
from trygg.cases.services import import_properties
from trygg.core import geo
from trygg.core.models import Area, AreaLayer, AuditEntry
from trygg.core.tests.factories import MunicipalityFactory, OrganisationFactory
from trygg.incidents.models import DailyCount, Incident, Source, SourceKind
from trygg.incidents.services import write_incidents

# Two neighbouring districts of Kungsängen and one of Bro (WGS84 lon/lat).
WEST = square(17.70, 59.47, 0.02)
EAST = square(17.72, 59.47, 0.02)
BRO = square(17.62, 59.50, 0.02)


def rows(west=WEST, east=EAST, bro=BRO):
    return [
        {"namn": "Kungsängen väst", "kod": "0139A0010", "folk": 4210, "geometry": west},
        {"namn": "Kungsängen öst", "kod": "0139A0020", "folk": 3880, "geometry": east},
        {"namn": "Bro centrum", "kod": "0139A0030", "folk": 5120, "geometry": bro},
    ]


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(code="0139", name="Upplands-Bro")


def run(path, *extra):
    out, err = StringIO(), StringIO()
    call_command(
        "import_areas",
        str(path),
        "--municipality",
        "0139",
        "--name-field",
        "namn",
        "--code-field",
        "kod",
        "--population-field",
        "folk",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue()


def max_vertex_error_m(stored: dict, reference: Polygon) -> float:
    """The largest distance (m) from a reference vertex to the nearest stored vertex."""
    stored_xy = shapely.get_coordinates(shape(stored)).tolist()
    return max(
        min(geo.distance_m(lat, lon, slat, slon) for slon, slat in stored_xy)
        for lon, lat in shapely.get_coordinates(reference).tolist()
    )


CRS_CASES = [
    ("EPSG:3006", ".gpkg", "SWEREF99 TM"),
    ("EPSG:3006", ".zip", "SWEREF99 TM"),
    ("EPSG:3011", ".zip", "SWEREF99 18 00"),
    ("EPSG:3011", ".gpkg", "SWEREF99 18 00"),
    ("EPSG:3011", ".geojson", "SWEREF99 18 00"),
    ("EPSG:3021", ".zip", "RT90 2.5 gon V"),
    ("EPSG:3021", ".gpkg", "RT90 2.5 gon V"),
    ("EPSG:4326", ".gpkg", "WGS 84"),
    ("EPSG:4326", ".geojson", "WGS 84"),
]


@pytest.mark.parametrize(("crs", "suffix", "label"), CRS_CASES)
def test_each_coordinate_system_lands_within_a_metre(municipality, tmp_path, crs, suffix, label):
    path = write_layer(tmp_path / f"distrikt{suffix}", rows(), crs=crs)
    out = run(path)
    assert "3 created" in out
    assert label in out
    for name, reference in (
        ("Kungsängen väst", WEST),
        ("Kungsängen öst", EAST),
        ("Bro centrum", BRO),
    ):
        area = Area.objects.get(municipality=municipality, name=name)
        assert max_vertex_error_m(area.geometry, reference) < 1.0, (crs, suffix, name)
    west = Area.objects.get(name="Kungsängen väst")
    assert (west.code, west.population) == ("0139A0010", 4210)
    layer = AreaLayer.objects.get(municipality=municipality)
    assert layer.version == 1
    assert label in layer.crs


def test_the_reference_itself_is_pyprojs(tmp_path):
    """The written file holds pyproj's coordinates: a SWEREF 99 18 00 corner is where the
    zone's definition puts it (false easting 150 000 m at 18° E)."""
    corner = project(Point(18.0, 59.0), "EPSG:3011")
    assert corner.x == pytest.approx(150_000, abs=0.01)
    assert corner.y == pytest.approx(6_541_000, abs=5_000)


def test_a_layer_of_multipolygons_in_a_shapefile(municipality, tmp_path):
    islands = MultiPolygon([square(17.80, 59.55, 0.005), square(17.81, 59.56, 0.005)])
    path = write_layer(
        tmp_path / "oar.zip",
        [{"namn": "Öarna", "kod": "X", "folk": 12, "geometry": islands}],
        crs="EPSG:3011",
    )
    run(path)
    area = Area.objects.get(name="Öarna")
    assert area.geometry["type"] == "MultiPolygon"
    assert len(area.geometry["coordinates"]) == 2


def test_overlaps_are_reported_and_small_slips_repaired(municipality, tmp_path):
    overlapping = square(17.715, 59.47, 0.02)  # half of it lies in WEST
    slip = Polygon(
        [(17.62, 59.50), (17.64, 59.50), (17.64, 59.52), (17.62, 59.52), (17.62001, 59.49999)]
    )
    path = write_layer(tmp_path / "d.gpkg", rows(east=overlapping, bro=slip), crs="EPSG:3006")
    out = run(path)
    assert "'Kungsängen öst' overlaps 'Kungsängen väst' (feature 1) by" in out
    assert "'Bro centrum': Self-intersection" in out and "repaired" in out
    assert Area.objects.count() == 3
    assert shape(Area.objects.get(name="Bro centrum").geometry).is_valid


def _shapefile_parts(tmp_path) -> dict[str, bytes]:
    zipped = write_layer(tmp_path / "parts.zip", rows(), crs="EPSG:3011")
    folder = zipped.with_suffix("")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _two_layer_geopackage(tmp_path) -> Path:
    """A GeoPackage with the districts twice: as layer "two" and as layer "deso"."""
    path = write_layer(tmp_path / "two.gpkg", rows(), crs="EPSG:3006")
    meta, _fids, geometries, data = pyogrio.raw.read(str(path))
    pyogrio.raw.write(
        str(path),
        geometries,
        data,
        meta["fields"],
        layer="deso",
        driver="GPKG",
        geometry_type="Polygon",
        crs="EPSG:3006",
        append=True,
    )
    return path


def bad_files(tmp_path) -> dict[str, tuple[str, bytes, str]]:
    """name → (file name, content, the message the user gets)."""
    parts = _shapefile_parts(tmp_path)
    gpkg = write_layer(tmp_path / "good.gpkg", rows(), crs="EPSG:3006").read_bytes()
    points = write_layer(
        tmp_path / "points.gpkg",
        [{"namn": "Torget", "kod": "T", "folk": 1, "geometry": Point(17.7, 59.47)}],
        crs="EPSG:3006",
    ).read_bytes()
    bowtie = Polygon([(17.70, 59.47), (17.72, 59.49), (17.72, 59.47), (17.70, 59.49)])
    crossed = write_layer(
        tmp_path / "bowtie.gpkg",
        [{"namn": "Fjärilen", "kod": "F", "folk": 1, "geometry": bowtie}],
        crs="EPSG:3006",
    ).read_bytes()
    # SWEREF 99 TM coordinates in a file that says RT 90.
    wrong_crs = write_layer(
        tmp_path / "wrong.gpkg",
        [dict(r, geometry=project(r["geometry"], "EPSG:3006")) for r in rows()],
        crs="EPSG:3021",
        already_projected=True,
    ).read_bytes()
    no_prj = {k: v for k, v in parts.items() if not k.endswith(".prj")}
    no_dbf = {k: v for k, v in parts.items() if not k.endswith(".dbf")}
    two_shapes = parts | {k.replace("parts", "more"): v for k, v in parts.items()}
    return {
        "not a map file": ("rapport.pdf", b"%PDF-1.7 ...", "unknown file type .pdf"),
        "a bare .shp": ("distrikt.shp", parts["parts.shp"], "put them in one .zip file"),
        "zip without a Shapefile": (
            "distrikt.zip",
            zip_bytes({"LASMIG.txt": b"hej"}),
            "the zip file holds no Shapefile",
        ),
        "Shapefile without .prj": ("distrikt.zip", zip_bytes(no_prj), "has no .prj file"),
        "Shapefile without .dbf": ("distrikt.zip", zip_bytes(no_dbf), "lacks its .dbf file"),
        "two Shapefiles in one zip": (
            "distrikt.zip",
            zip_bytes(two_shapes),
            "holds several Shapefiles (more.shp, parts.shp)",
        ),
        "damaged GeoPackage": ("distrikt.gpkg", gpkg[:3000], "the GeoPackage cannot be read"),
        "not a GeoPackage": ("distrikt.gpkg", b"hello", "the file is not a GeoPackage"),
        "points, not areas": ("torg.gpkg", points, "geometry type Point is not a Polygon"),
        "self-intersecting boundary": (
            "fjaril.gpkg",
            crossed,
            "feature 1, geometry: 'Fjärilen': the geometry is invalid: Self-intersection",
        ),
        "coordinates in another CRS than declared": (
            "fel.gpkg",
            wrong_crs,
            "does the file declare the CRS its coordinates are in?",
        ),
        "no such name column": ("distrikt.gpkg", gpkg, "the file has no column 'namn'"),
        "two layers, none chosen": (
            "two.gpkg",
            _two_layer_geopackage(tmp_path).read_bytes(),
            "the GeoPackage holds 2 layers with geometry",
        ),
    }


def test_bad_files_are_refused_with_their_reason_and_nothing_is_written(municipality, tmp_path):
    run(write_layer(tmp_path / "first.gpkg", rows(), crs="EPSG:3006"))
    before = sorted(Area.objects.values_list("name", "geometry", "code"))
    layers, entries = AreaLayer.objects.count(), AuditEntry.objects.count()
    cases = bad_files(tmp_path)
    assert len(cases) >= 8
    for case, (name, content, expected) in cases.items():
        path = tmp_path / "upload" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        err = StringIO()
        name_field = "NAMN" if case == "no such name column" else "namn"
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command(
                "import_areas",
                str(path),
                "--municipality",
                "0139",
                "--name-field",
                name_field,
                stdout=StringIO(),
                stderr=err,
            )
        message = err.getvalue()
        if case == "no such name column":
            expected = "the file has no column 'NAMN'"
        assert expected in message, (case, message)
    assert sorted(Area.objects.values_list("name", "geometry", "code")) == before
    assert AreaLayer.objects.count() == layers
    assert AuditEntry.objects.count() == entries


def test_a_changed_layer_is_a_new_version_and_records_follow_it(municipality, tmp_path):
    police = OrganisationFactory(municipality=municipality, name="Polisen")
    source = Source.objects.create(
        municipality=municipality,
        slug="polisen",
        name="Polisen",
        kind=SourceKind.PARTNER_LOG,
        owner_organisation=police,
    )
    v1 = write_layer(tmp_path / "v1.zip", rows(), crs="EPSG:3011")
    run(v1)
    # A burglary just east of the old border (inside the old EAST).
    write_incidents(source, make_rows([("a1", "burglary", "2026-10-01 12:00", 59.48, 17.725)]))
    incident = Incident.objects.get(source_ref="a1")
    assert incident.area.name == "Kungsängen öst"

    # The border moves 1 km east: the burglary is now in the west district.
    v2 = write_layer(
        tmp_path / "v2.zip",
        rows(west=square(17.70, 59.47, 0.03), east=square(17.73, 59.47, 0.01)),
        crs="EPSG:3011",
    )
    out = run(v2)
    assert "0 created, 2 updated, 1 unchanged; layer version 2" in out
    incident.refresh_from_db()
    assert incident.area.name == "Kungsängen väst"
    counts = dict(
        DailyCount.objects.filter(day=dt.date(2026, 10, 1)).values_list("area__name", "count")
    )
    assert counts == {"Kungsängen väst": 1}

    versions = AreaLayer.objects.filter(municipality=municipality).order_by("version")
    assert [v.version for v in versions] == [1, 2]
    # Version 1 is kept as it was imported (what earlier documents were made from).
    old_east = next(f for f in versions[0].features if f["name"] == "Kungsängen öst")
    assert max_vertex_error_m(old_east["geometry"], EAST) < 1.0
    assert versions[1].summary["updated"] == ["Kungsängen väst", "Kungsängen öst"]

    # The same file again: nothing changes, no new version.
    out = run(v2)
    assert "0 created, 0 updated, 3 unchanged" in out
    assert AreaLayer.objects.count() == 2


def test_properties_import_through_the_same_reader(municipality, tmp_path):
    housing = OrganisationFactory(municipality=municipality, name="Bostadsbolaget")
    path = write_layer(
        tmp_path / "fastigheter.gpkg",
        [{"namn": "Gården 1", "geometry": square(17.70, 59.47, 0.002)}],
        crs="EPSG:3011",
    )
    counts = import_properties(municipality, path, owner=housing, name_field="namn")
    assert counts["created"] == 1
    prop = PropertyArea.objects.get(name="Gården 1")
    assert prop.owner == housing
    assert prop.min_lon == pytest.approx(17.70, abs=1e-5)

"""manage.py import_areas: valid files, idempotent re-runs, SWEREF 99 TM, and bad files
that each give a clear error and leave the database unchanged."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from pyproj import Transformer

from trygg.core.models import Area, AreaKind, AuditAction, AuditEntry
from trygg.core.services import area_index
from trygg.core.tests.factories import MunicipalityFactory

# Two adjacent squares in Bro (lon, lat)
BRO_WEST = [[17.60, 59.50], [17.63, 59.50], [17.63, 59.52], [17.60, 59.52], [17.60, 59.50]]
BRO_EAST = [[17.63, 59.50], [17.66, 59.50], [17.66, 59.52], [17.63, 59.52], [17.63, 59.50]]


def feature(name, ring, geometry_type="Polygon", **props):
    coords = [ring] if geometry_type == "Polygon" else [[ring]]
    return {
        "type": "Feature",
        "properties": {"NAMN": name, **props},
        "geometry": {"type": geometry_type, "coordinates": coords},
    }


def collection(*features, **extra):
    return {"type": "FeatureCollection", "features": list(features), **extra}


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(code="0139", name="Upplands-Bro")


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command(
        "import_areas",
        path,
        "--name-field",
        "NAMN",
        "--municipality",
        "0139",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def snapshot():
    return sorted(Area.objects.values_list("name", "kind", "geometry", "population", "code"))


def test_imports_polygons_and_multipolygons(municipality, write_file):
    path = write_file(
        collection(
            feature("Bro väst", BRO_WEST, befolkning=4200),
            feature("Bro öst", BRO_EAST, "MultiPolygon", befolkning=3100),
        )
    )
    out, _ = run(path, "--population-field", "befolkning")
    assert "2 created, 0 updated, 0 unchanged" in out
    west = Area.objects.get(name="Bro väst")
    assert west.kind == AreaKind.DISTRICT
    assert west.population == 4200
    assert (west.min_lon, west.min_lat, west.max_lon, west.max_lat) == (17.60, 59.50, 17.63, 59.52)
    assert Area.objects.get(name="Bro öst").geometry["type"] == "MultiPolygon"


def test_rerun_is_idempotent_and_an_edited_boundary_updates_in_place(municipality, write_file):
    path = write_file(collection(feature("Bro väst", BRO_WEST), feature("Bro öst", BRO_EAST)))
    run(path)
    before = snapshot()
    ids = set(Area.objects.values_list("id", flat=True))
    entries = AuditEntry.objects.count()

    out, _ = run(path)
    assert "0 created, 0 updated, 2 unchanged" in out
    assert snapshot() == before
    assert set(Area.objects.values_list("id", flat=True)) == ids
    assert AuditEntry.objects.count() == entries  # nothing changed, nothing logged

    bigger = [[17.59, 59.50], [17.63, 59.50], [17.63, 59.52], [17.59, 59.52], [17.59, 59.50]]
    out, _ = run(write_file(collection(feature("Bro väst", bigger))))
    assert "0 created, 1 updated, 0 unchanged" in out
    assert "Bro öst" in out  # reported as not in the file, and kept
    assert Area.objects.count() == 2
    assert Area.objects.get(name="Bro väst").min_lon == 17.59


def test_sweref99tm_file_is_transformed_to_wgs84(municipality, write_file):
    to_sweref = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    ring = [list(to_sweref.transform(lon, lat)) for lon, lat in BRO_WEST]
    path = write_file(
        collection(
            feature("Bro väst", ring),
            crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        )
    )
    out, _ = run(path)
    assert "EPSG:3006" in out
    area = Area.objects.get()
    assert area.min_lon == pytest.approx(17.60, abs=1e-6)
    assert area.max_lat == pytest.approx(59.52, abs=1e-6)


def test_import_writes_audit_entries_attributed_to_the_command(municipality, write_file):
    run(write_file(collection(feature("Bro väst", BRO_WEST))))
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_repr="Bro väst")
    assert "manage.py import_areas" in entry.actor_label
    assert entry.municipality == municipality


def test_point_in_area_lookup(municipality, write_file):
    run(write_file(collection(feature("Bro väst", BRO_WEST), feature("Bro öst", BRO_EAST))))
    index = area_index(municipality)
    west = Area.objects.get(name="Bro väst").pk
    east = Area.objects.get(name="Bro öst").pk
    assert index.locate(59.51, 17.61) == west
    assert index.locate(59.51, 17.65) == east
    assert index.locate(59.40, 17.65) is None
    # On the shared border: deterministically the lower id.
    assert index.locate(59.51, 17.63) == min(west, east)
    result = index.locate_many([59.51, 59.51, 10.0], [17.61, 17.65, 10.0])
    assert result.tolist() == [west, east, -1]


def test_area_index_is_rebuilt_when_an_area_changes(municipality, write_file):
    run(write_file(collection(feature("Bro väst", BRO_WEST))))
    assert area_index(municipality).locate(59.51, 17.65) is None
    run(write_file(collection(feature("Bro väst", BRO_WEST), feature("Bro öst", BRO_EAST))))
    assert area_index(municipality).locate(59.51, 17.65) is not None


BOWTIE = [[17.60, 59.50], [17.63, 59.52], [17.63, 59.50], [17.60, 59.52], [17.60, 59.50]]

BAD_FILES = {
    "not JSON": ("{ this is not json", "not valid JSON (line 1"),
    "empty file": ("", "the file is empty"),
    "not UTF-8": (b"\xff\xfe\x00garbage", "not UTF-8"),
    "a Feature, not a FeatureCollection": (
        feature("Bro väst", BRO_WEST),
        "expected a GeoJSON FeatureCollection, found 'Feature'",
    ),
    "no features": (collection(), "the FeatureCollection has no features"),
    "missing geometry": (
        collection(
            feature("Bro väst", BRO_WEST),
            {"type": "Feature", "properties": {"NAMN": "X"}, "geometry": None},
        ),
        "feature 2, geometry: 'X': the feature has no geometry",
    ),
    "wrong geometry type": (
        collection(
            {
                "type": "Feature",
                "properties": {"NAMN": "Torget"},
                "geometry": {"type": "Point", "coordinates": [17.6, 59.5]},
            }
        ),
        "feature 1, geometry: 'Torget': geometry type Point is not a Polygon or MultiPolygon",
    ),
    "missing name": (
        collection(feature("Bro väst", BRO_WEST), feature("", BRO_EAST)),
        "feature 2, NAMN: missing name",
    ),
    "self-intersecting polygon": (
        collection(feature("Fjärilen", BOWTIE)),
        "feature 1, geometry: 'Fjärilen': the geometry is invalid: Self-intersection",
    ),
    "empty polygon": (
        collection(
            {
                "type": "Feature",
                "properties": {"NAMN": "Tom"},
                "geometry": {"type": "Polygon", "coordinates": []},
            }
        ),
        "feature 1, geometry: 'Tom': the geometry is empty",
    ),
    "ring with too few points": (
        collection(feature("Streck", [[17.6, 59.5], [17.7, 59.5], [17.6, 59.5]])),
        "feature 1, geometry: 'Streck': the geometry is invalid: Too few points",
    ),
    "unknown CRS": (
        collection(
            feature("Bro väst", BRO_WEST), crs={"type": "name", "properties": {"name": "EPSG:99"}}
        ),
        "unknown coordinate reference system 'EPSG:99'",
    ),
    "degrees in a file that declares metres": (
        collection(
            feature("Bro väst", BRO_WEST), crs={"type": "name", "properties": {"name": "EPSG:3011"}}
        ),
        "does the file declare the CRS its coordinates are in?",
    ),
    "SWEREF coordinates without a crs": (
        collection(
            feature(
                "Bro väst",
                [
                    [1620000, 6600000],
                    [1621000, 6600000],
                    [1621000, 6601000],
                    [1620000, 6601000],
                    [1620000, 6600000],
                ],
            )
        ),
        "declare the file's crs as EPSG:3006",
    ),
    "latitude and longitude swapped": (
        collection(feature("Bro väst", [[lat, lon] for lon, lat in BRO_WEST])),
        "are longitude and latitude swapped?",
    ),
    "duplicate names": (
        collection(feature("Bro", BRO_WEST), feature("bro", BRO_EAST)),
        "feature 2, NAMN: duplicate name 'bro' (also feature 1)",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_gives_a_clear_error_and_changes_nothing(municipality, write_file, case):
    run(write_file(collection(feature("Bro väst", BRO_WEST)), name="good.geojson"))
    before = snapshot()
    audit_before = AuditEntry.objects.count()

    content, expected = BAD_FILES[case]
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_areas",
            write_file(content),
            "--name-field",
            "NAMN",
            "--municipality",
            "0139",
            stdout=StringIO(),
            stderr=err,
        )
    assert expected in err.getvalue()
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_before


def test_all_errors_of_a_file_are_reported_at_once(municipality, write_file):
    err = StringIO()
    with pytest.raises(CommandError, match="3 errors"):
        call_command(
            "import_areas",
            write_file(
                collection(
                    feature("", BRO_WEST),
                    feature("Fjärilen", BOWTIE),
                    feature("Ok", BRO_EAST),
                    {
                        "type": "Feature",
                        "properties": {"NAMN": "P"},
                        "geometry": {"type": "Point", "coordinates": [17.6, 59.5]},
                    },
                )
            ),
            "--name-field",
            "NAMN",
            "--municipality",
            "0139",
            stdout=StringIO(),
            stderr=err,
        )
    assert "feature 1" in err.getvalue()
    assert "feature 2" in err.getvalue()
    assert "feature 4" in err.getvalue()
    assert not Area.objects.exists()


def test_unknown_municipality_and_missing_file(municipality, write_file):
    with pytest.raises(CommandError, match="No municipality with code '9999'"):
        call_command("import_areas", write_file(collection()), "--municipality", "9999")
    with pytest.raises(CommandError, match="cannot read"):
        call_command(
            "import_areas",
            "/nonexistent/areas.geojson",
            "--municipality",
            "0139",
            stderr=StringIO(),
        )

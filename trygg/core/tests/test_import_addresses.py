"""manage.py import_addresses: the municipality's address register from CSV/XLSX in
WGS84, SWEREF 99 TM or a SWEREF 99 local zone; all or nothing, idempotent; and the
nearest address given to what is reported."""

from __future__ import annotations

from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from pyproj import Transformer

from trygg.core.addresses import (
    ADDRESS_RADIUS_M,
    AddressFinder,
    describe_place,
    import_addresses,
    split_address,
)
from trygg.core.importing import ImportRefused
from trygg.core.models import AddressPoint, AuditAction, AuditEntry
from trygg.core.tests.factories import AreaFactory, MunicipalityFactory

# Three addresses in Bro (WGS84).
ROWS = [
    ("Torget 1", "197 30", "Bro", 59.51170, 17.63650),
    ("Torget 3", "197 30", "Bro", 59.51170, 17.63720),
    ("Skolvägen 12 A", "19731", "Bro", 59.51500, 17.64500),
]
TM = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
ZONE_1800 = Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True)


@pytest.fixture
def municipality(db):
    municipality = MunicipalityFactory(code="0139", name="Upplands-Bro")
    AreaFactory(municipality=municipality, name="Bro")  # 17.60–17.66, 59.49–59.53
    return municipality


def csv_file(tmp_path, lines, name="adresser.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wgs84_lines(rows=ROWS):
    return ["adress;postnummer;postort;lat;lon"] + [
        f"{a};{p};{t};{str(lat).replace('.', ',')};{str(lon).replace('.', ',')}"
        for a, p, t, lat, lon in rows
    ]


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_addresses", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def register(municipality):
    return sorted(
        (a.street, a.number, a.postcode, a.town, round(a.lat, 5), round(a.lon, 5))
        for a in AddressPoint.objects.filter(municipality=municipality)
    )


def test_split_address():
    assert split_address("Storgatan 12") == ("Storgatan", "12")
    assert split_address("Storgatan 12 a") == ("Storgatan", "12 A")
    assert split_address("Storgatan 12B") == ("Storgatan", "12B")
    assert split_address("Gamla Landsvägen 3-5") == ("Gamla Landsvägen", "3-5")
    assert split_address("Torget") == ("Torget", "")
    assert split_address("Väg 269 12") == ("Väg 269", "12")


def test_a_wgs84_file_is_imported_and_a_rerun_changes_nothing(municipality, tmp_path):
    path = csv_file(tmp_path, wgs84_lines())
    out, _err = run(path)
    assert "3 created, 0 updated, 0 unchanged, 0 removed" in out
    assert register(municipality) == [
        ("Skolvägen", "12 A", "197 31", "Bro", 59.515, 17.645),
        ("Torget", "1", "197 30", "Bro", 59.5117, 17.6365),
        ("Torget", "3", "197 30", "Bro", 59.5117, 17.6372),
    ]
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.municipality_id == municipality.pk
    assert entry.changes["created"] == 3

    out, _err = run(path)
    assert "0 created, 0 updated, 3 unchanged, 0 removed" in out
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_the_file_is_the_register_moved_and_removed_addresses(municipality, tmp_path):
    run(csv_file(tmp_path, wgs84_lines()))
    moved = [ROWS[0], ("Torget 3", "197 30", "Bro", 59.51180, 17.63720)]
    out, _err = run(csv_file(tmp_path, wgs84_lines(moved), "v2.csv"))
    assert "0 created, 1 updated, 1 unchanged, 1 removed" in out
    assert [a[:2] for a in register(municipality)] == [("Torget", "1"), ("Torget", "3")]
    assert AddressPoint.objects.get(number="3").lat == pytest.approx(59.5118)


@pytest.mark.parametrize("order", ["e;n", "n;e"])
def test_sweref99_tm_either_column_order(municipality, tmp_path, order):
    lines = [f"gatunamn;nummer;postnummer;postort;{order.replace('e', 'x').replace('n', 'y')}"]
    for a, p, t, lat, lon in ROWS:
        street, number = split_address(a)
        east, north = TM.transform(lon, lat)
        first, second = (east, north) if order == "e;n" else (north, east)
        lines.append(f"{street};{number};{p};{t};{first:.2f};{second:.2f}")
    out, _err = run(csv_file(tmp_path, lines))
    assert "(CRS EPSG:3006)" in out
    assert [a[4:] for a in register(municipality)] == [
        (59.515, 17.645),
        (59.5117, 17.6365),
        (59.5117, 17.6372),
    ]


def test_a_local_zone_with_crs_and_an_xlsx_file(municipality, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Belägenhetsadress", "Postnummer", "Postort", "N", "E"])
    for a, p, t, lat, lon in ROWS:
        east, north = ZONE_1800.transform(lon, lat)
        sheet.append([a, int(p.replace(" ", "")), t, round(north, 2), round(east, 2)])
    path = tmp_path / "adresser.xlsx"
    book.save(path)
    out, _err = run(path, "--crs", "EPSG:3011")
    assert "3 created" in out
    assert register(municipality)[0] == ("Skolvägen", "12 A", "197 31", "Bro", 59.515, 17.645)


BAD_FILES = {
    "empty": ([], "the file is empty"),
    "no position columns": (["adress;postnummer", "Torget 1;197 30"], "no column for the position"),
    "no address column": (["lat;lon", "59.5117;17.6365"], "no column for the address"),
    "a coordinate is not a number": (
        ["adress;lat;lon", "Torget 1;59.5117;17.6365", "Torget 3;59.5117;sjutton"],
        "row 3, position: 'sjutton' is not a number",
    ),
    "a position is missing": (
        ["adress;lat;lon", "Torget 1;59.5117;17.6365", "Torget 3;;"],
        "row 3, position: the position is missing",
    ),
    "latitude and longitude swapped": (
        ["adress;lat;lon", "Torget 1;17.6365;59.5117"],
        "row 2, position: the position is not in Sweden (latitude and longitude swapped?)",
    ),
    "a local zone read as SWEREF 99 TM": (
        ["adress;e;n"]
        + [
            "{};{:.2f};{:.2f}".format(a, *ZONE_1800.transform(lon, lat))
            for a, _p, _t, lat, lon in ROWS
        ],
        "is the file in EPSG:3006? name its projection with --crs",
    ),
    "outside the municipality": (
        ["adress;lat;lon", "Drottninggatan 1;59.3326;18.0649"],
        "row 2, position: 59.33260, 18.06490 is outside the municipality",
    ),
    "an address twice": (
        [
            "adress;postnummer;lat;lon",
            "Torget 1;197 30;59.5117;17.6365",
            "Torget 1;19730;59.51;17.63",
        ],
        "row 3, address: Torget 1, 197 30 is also on row 2",
    ),
    "a bad postcode": (
        ["adress;postnummer;lat;lon", "Torget 1;1973;59.5117;17.6365"],
        "row 2, postcode: '1973' is not a postcode (five digits)",
    ),
    "an empty address": (
        ["adress;lat;lon", "Torget 1;59.5117;17.6365", ";59.5117;17.6372"],
        "row 3, address: the address is empty",
    ),
    "not text": (None, "row 2: the file is not utf-8 text (line 2)"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_a_clear_error_and_nothing_changes(municipality, tmp_path, case):
    run(csv_file(tmp_path, wgs84_lines(), "good.csv"))
    before = register(municipality)
    audit_before = AuditEntry.objects.count()
    lines, message = BAD_FILES[case]
    if lines is None:
        path = tmp_path / "bad.csv"
        path.write_bytes(b"adress;lat;lon\nTorget \xff1;59.5;17.63\n")
    else:
        path = csv_file(tmp_path, lines, "bad.csv")
    with pytest.raises(CommandError, match="nothing was imported") as info:
        out, err = StringIO(), StringIO()
        call_command("import_addresses", str(path), stdout=out, stderr=err)
    assert message in str(info.value) + err.getvalue()
    assert register(municipality) == before
    assert AuditEntry.objects.count() == audit_before


def test_a_cp1252_file_with_its_encoding(municipality, tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes("adress;lat;lon\nÅkervägen 2;59.5117;17.6365\n".encode("cp1252"))
    out, _err = run(path, "--encoding", "cp1252")
    assert "1 created" in out
    assert AddressPoint.objects.get().street == "Åkervägen"


def test_every_bad_row_is_reported_at_once(municipality, tmp_path):
    lines = ["adress;postnummer;lat;lon"] + [f"Torget {n};19;59.5117;17.6365" for n in range(7)]
    with pytest.raises(ImportRefused) as info:
        import_addresses(municipality, csv_file(tmp_path, lines))
    assert info.value.count == 7
    assert [e.row for e in info.value.errors] == list(range(2, 9))


# --- The nearest address --------------------------------------------------------------


def north_of(lat, lon, metres):
    return lat + metres / 111_320, lon


def test_the_nearest_address_within_75_m_else_the_street_else_nothing(municipality, tmp_path):
    run(csv_file(tmp_path, wgs84_lines()))
    lat, lon = 59.51170, 17.63650  # Torget 1
    assert describe_place(municipality.pk, lat, lon) == "Torget 1, 197 30 Bro"
    # 30 m east of Torget 3 is nearer to it than to Torget 1.
    assert describe_place(municipality.pk, lat, 17.63720 + 30 / 56_500) == "Torget 3, 197 30 Bro"
    assert describe_place(municipality.pk, *north_of(lat, lon, ADDRESS_RADIUS_M - 5)) == (
        "Torget 1, 197 30 Bro"
    )
    assert describe_place(municipality.pk, *north_of(lat, lon, 150)) == "Torget"
    assert describe_place(municipality.pk, *north_of(lat, lon, 400)) == ""
    assert describe_place(municipality.pk, None, None) == ""
    # Another municipality's register is not searched.
    other = MunicipalityFactory(code="0127")
    assert describe_place(other.pk, lat, lon) == ""


def test_the_finder_answers_many_points_with_one_query(
    municipality, tmp_path, django_assert_num_queries
):
    run(csv_file(tmp_path, wgs84_lines()))
    points = [(59.5117, 17.6365), (59.515, 17.645), *[north_of(59.5117, 17.6365, 150)] * 50]
    with django_assert_num_queries(1):
        finder = AddressFinder(municipality.pk, points)
        texts = [finder.describe(*p) for p in points]
    assert texts[:3] == ["Torget 1, 197 30 Bro", "Skolvägen 12 A, 197 31 Bro", "Torget"]


def test_the_demo_register_is_marked_as_demo_and_covers_the_centres(demo_addresses):
    points = AddressPoint.objects.filter(municipality=demo_addresses)
    assert points.count() > 5000
    assert not points.filter(is_demo=False).exists()
    # Every centre the demo's cases cluster around has an address within 75 m.
    for lat, lon in [(59.4787, 17.7509), (59.5117, 17.6365), (59.5140, 17.6330)]:
        assert "," in describe_place(demo_addresses.pk, lat, lon)

"""Populations from SCB-shaped tables: PX-Web's wide CSV with title lines, the long shape,
XLSX, DeSO shared out to districts by overlap, the right year for each rate, bad rows."""

from __future__ import annotations

from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tests.support.layers import square, write_layer
from trygg.core.models import Area, AreaKind, Population, PopulationMethod
from trygg.core.services.populations import populations_in
from trygg.core.tests.factories import MunicipalityFactory

# Two DeSO side by side; the district "Kungsängen" covers all of the first and half of
# the second.
DESO_A = square(17.70, 59.47, 0.02)
DESO_B = square(17.72, 59.47, 0.02)
DISTRICT = square(17.70, 59.47, 0.03)
REST = square(17.73, 59.47, 0.01)

WIDE_CSV = (
    '"Folkmängden per region efter region, ålder, kön och år"\n'
    "\n"
    '"region","ålder","kön","2023","2024"\n'
    '"0139A0010 Upplands-Bro","0-19 år","män",400,410\n'
    '"0139A0010 Upplands-Bro","0-19 år","kvinnor",380,390\n'
    '"0139A0010 Upplands-Bro","20+ år","män",800,805\n'
    '"0139A0010 Upplands-Bro","20+ år","kvinnor",820,825\n'
    '"0139A0020 Upplands-Bro","0-19 år","män",300,300\n'
    '"0139A0020 Upplands-Bro","0-19 år","kvinnor",300,300\n'
    '"0139A0020 Upplands-Bro","20+ år","män",700,700\n'
    '"0139A0020 Upplands-Bro","20+ år","kvinnor",700,700\n'
    '"0180C1010 Stockholm","0-19 år","män",999,999\n'
    "\n"
    '"Källa: SCB"\n'
)


@pytest.fixture
def municipality(db, tmp_path):
    m = MunicipalityFactory(code="0139", name="Upplands-Bro")
    deso = write_layer(
        tmp_path / "deso.gpkg",
        [
            {"deso": "0139A0010", "geometry": DESO_A},
            {"deso": "0139A0020", "geometry": DESO_B},
        ],
        crs="EPSG:3006",
    )
    districts = write_layer(
        tmp_path / "distrikt.gpkg",
        [{"namn": "Kungsängen", "geometry": DISTRICT}, {"namn": "Öster", "geometry": REST}],
        crs="EPSG:3006",
    )
    for path, name_field, kind in ((deso, "deso", "deso"), (districts, "namn", "district")):
        call_command(
            "import_areas",
            str(path),
            "--municipality",
            "0139",
            "--name-field",
            name_field,
            "--code-field",
            name_field,
            "--kind",
            kind,
            stdout=StringIO(),
            stderr=StringIO(),
        )
    return m


def run(path, *extra):
    out = StringIO()
    call_command(
        "import_population",
        str(path),
        "--municipality",
        "0139",
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def test_a_wide_px_web_csv_per_deso_shared_out_to_districts(municipality, tmp_path):
    path = tmp_path / "BE0101.csv"
    path.write_bytes(WIDE_CSV.encode("cp1252"))  # SCB's CSV in Windows-1252
    out = run(path)
    assert "(years 2023, 2024)" in out
    assert "1 rows of other municipalities skipped" in out
    deso_a = Area.objects.get(kind=AreaKind.DESO, code="0139A0010")
    pop = Population.objects.get(area=deso_a, year=2023)
    assert pop.population == 2400
    assert pop.by_group == {
        "0-19 år": {"män": 400, "kvinnor": 380},
        "20+ år": {"män": 800, "kvinnor": 820},
    }
    kungsangen = Area.objects.get(kind=AreaKind.DISTRICT, name="Kungsängen")
    shared = Population.objects.get(area=kungsangen, year=2023)
    assert shared.method == PopulationMethod.OVERLAP
    # All of A (2 400) and half of B (2 000 / 2); squares in degrees are not quite equal
    # in metres, hence the tolerance.
    assert shared.population == pytest.approx(2400 + 1000, abs=15)
    whole = Population.objects.get(area=None, year=2024)
    assert (whole.population, whole.method) == (2430 + 2000, PopulationMethod.SUM)
    # The latest year is the areas' and the municipality's current figure.
    municipality.refresh_from_db()
    assert municipality.population == 4430
    assert Area.objects.get(pk=deso_a.pk).population == 2430

    # Re-running the same table changes nothing.
    assert "0 created, 0 updated" in run(path)


def test_a_long_table_by_name_from_xlsx_and_the_year_of_each_rate(municipality, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Folkmängd per område"])
    sheet.append(["område", "år", "Folkmängd"])
    sheet.append(["Kungsängen", 2020, 3000])
    sheet.append(["Kungsängen", 2024, 3500])
    sheet.append(["Öster", 2024, 900])
    sheet.append(["0139 Upplands-Bro", 2024, 31500])
    path = tmp_path / "omraden.xlsx"
    book.save(path)
    run(path)
    kungsangen = Area.objects.get(name="Kungsängen")
    assert populations_in(municipality, 2021)[0][kungsangen.pk] == 3000
    assert populations_in(municipality, 2025)[0][kungsangen.pk] == 3500
    assert populations_in(municipality, 2019)[0][kungsangen.pk] == 3000  # nearest after
    assert populations_in(municipality, 2024)[1] == 31500
    assert run(path, "--year", "2020").count("created") == 1


BAD = {
    "not a population table": ("a,b\n1,2\n", "no header row with a region column"),
    "no year anywhere": ("region,Folkmängd\n0139A0010,100\n", "give the year the figures are for"),
    "a value that is not a number": (
        "region,2024\n0139A0010,..\n0139A0020,1 200\n",
        "row 2, 2024: 0139A0010: empty is not a number of residents",
    ),
    "a DeSO without boundaries": (
        "region,2024\n0139A0099,100\n",
        "0139A0099 matches no area: import the DeSO boundaries first",
    ),
    "an unknown area name": ("område,2024\nAtlantis,100\n", "Atlantis matches no area"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_tables_are_refused_and_nothing_is_written(municipality, tmp_path, case):
    content, expected = BAD[case]
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_population", str(path), "--municipality", "0139", stdout=StringIO(), stderr=err
        )
    assert expected in err.getvalue()
    assert not Population.objects.exists()


def test_a_semicolon_table_under_a_title_line(municipality, tmp_path):
    path = tmp_path / "semikolon.csv"
    path.write_bytes(
        '"Folkmängden per region efter region och år"\n\n"region";"2025"\n'
        '"0139A0010 Upplands-Bro";"1 500"\n"0139A0020 Upplands-Bro";"1 600"\n'.encode("cp1252")
    )
    assert "(years 2025)" in run(path)
    assert Population.objects.get(area=None, year=2025).population == 3100

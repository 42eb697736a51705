"""import_incidents: partners' CSV/XLSX logs — presets, explicit mapping, Swedish
formats, coordinates, areas — and bad input."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError
from openpyxl import Workbook

from trygg.core.models import Area
from trygg.incidents.models import (
    DailyCount,
    ImportJob,
    ImportStatus,
    Incident,
    PositionPrecision,
    Source,
    TimePrecision,
)
from trygg.incidents.taxonomy import Category

STOCKHOLM = ZoneInfo("Europe/Stockholm")

HOUSING_CSV = """Ärendenr;Datum;Klockslag;Händelse;Område;Beskrivning;X (SWEREF99);Y (SWEREF99)
UBH-1001;2026-03-02;21.40;Skadegörelse;;Krossad ruta i trapphus;647950;6597300
UBH-1002;3/3 2026;;Klotter;Bro;Klotter på förrådsdörr;;
UBH-1003;4 mars 2026;02:15;Anlagd brand;;Brand i soprum;647900,5;6597350,25
UBH-1004;05.03.2026;kl 23;Källarinbrott;Kungsängen;;;
"""


def run_import(run_command, path, *args, source="upplands-brohus"):
    return run_command("import_incidents", path, "--source", source, *args)


def test_housing_company_log_with_its_preset(housing, write_file, run_command):
    out, _ = run_import(
        run_command, write_file(HOUSING_CSV, "ubh.csv"), "--mapping", "bostadsbolag"
    )
    assert "4 created, 0 updated, 0 unchanged" in out
    by_ref = {i.source_ref: i for i in Incident.objects.all()}

    first = by_ref["UBH-1001"]
    assert first.category == Category.VANDALISM
    assert first.source_type == "Skadegörelse"
    assert first.occurred_at == dt.datetime(2026, 3, 2, 21, 40, tzinfo=STOCKHOLM)
    assert first.occurred_precision == TimePrecision.EXACT
    assert first.position_precision == PositionPrecision.EXACT
    assert 59.4 < first.lat < 59.6 and 17.5 < first.lon < 17.8  # SWEREF 99 TM → WGS84
    assert first.cell_e == 647950 // 250 and first.cell_n == 6597300 // 250
    assert first.owner_organisation.name == "Upplands-Brohus"

    second = by_ref["UBH-1002"]
    assert second.category == Category.VANDALISM  # klotter
    assert second.occurred_precision == TimePrecision.DAY
    assert second.occurred_hour is None
    assert second.position_precision == PositionPrecision.AREA
    assert second.area == Area.objects.get(name="Bro")
    assert second.lat is None and not second.is_plottable

    third = by_ref["UBH-1003"]  # decimal comma in coordinates, "4 mars 2026"
    assert third.category == Category.FIRE
    assert third.occurred_at == dt.datetime(2026, 3, 4, 2, 15, tzinfo=STOCKHOLM)

    fourth = by_ref["UBH-1004"]  # 05.03.2026, "kl 23"
    assert fourth.category == Category.BURGLARY
    assert fourth.occurred_precision == TimePrecision.HOUR
    assert fourth.occurred_hour == 23
    assert fourth.area.name == "Kungsängen"


def test_rerun_changes_nothing_then_a_corrected_row_updates(housing, write_file, run_command):
    path = write_file(HOUSING_CSV, "ubh.csv")
    run_import(run_command, path, "--mapping", "bostadsbolag")
    out, _ = run_import(run_command, path, "--mapping", "bostadsbolag")
    assert "0 created, 0 updated, 4 unchanged" in out
    corrected = HOUSING_CSV.replace("Klotter;Bro", "Klotter;Kungsängen")
    out, _ = run_import(run_command, write_file(corrected, "ubh2.csv"), "--mapping", "bostadsbolag")
    assert "0 created, 1 updated, 3 unchanged" in out
    incident = Incident.objects.get(source_ref="UBH-1002")
    assert incident.area.name == "Kungsängen"
    assert incident.revisions.get().changes["area_id"] == [
        Area.objects.get(name="Bro").pk,
        Area.objects.get(name="Kungsängen").pk,
    ]


def test_standard_columns_wgs84_and_explicit_map(housing, write_file, run_command):
    csv_text = (
        "Löpnr,När,Vad,Latitud,Longitud,Text\n"
        'K-1,2026-02-01T22:10:00,skadegörelse,"59,5121","17,6342",Trasig lampa i gångtunnel\n'
        "K-2,2026-02-02 07:00,vandalism,59.4790,17.7515,\n"
    )
    out, _ = run_import(
        run_command,
        write_file(csv_text, "k.csv"),
        "--map",
        "Löpnr=ref",
        "--map",
        "När=date",
        "--map",
        "Vad=type",
        "--map",
        "Text=description",
    )
    assert "2 created" in out
    k1 = Incident.objects.get(source_ref="K-1")
    assert (k1.lat, k1.lon) == (59.5121, 17.6342)
    assert k1.area.name == "Bro"  # derived from the position
    assert Incident.objects.get(source_ref="K-2").category == Category.VANDALISM


def test_xlsx_with_excel_dates_and_numbers(housing, tmp_path, run_command):
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "datum", "typ", "område", "beskrivning"])
    ws.append(
        [5001, dt.datetime(2026, 1, 10, 19, 30), "Bilbrand", "Brunna", "Bil i brand på parkering"]
    )
    ws.append([5002, dt.date(2026, 1, 11), "Sprutor", "Låssa", None])
    path = tmp_path / "log.xlsx"
    wb.save(path)
    out, _ = run_import(run_command, str(path))
    assert "2 created" in out
    car = Incident.objects.get(source_ref="5001")
    assert car.category == Category.FIRE
    assert car.occurred_at == dt.datetime(2026, 1, 10, 19, 30, tzinfo=STOCKHOLM)
    assert Incident.objects.get(source_ref="5002").category == Category.DRUGS


def test_source_created_with_owner(bro, write_file, run_command):
    path = write_file("id;datum;typ;område\n1;2026-01-05;Klotter;Bro\n", "t.csv")
    with pytest.raises(CommandError, match="No source 'tekniska'"):
        run_import(run_command, path, source="tekniska")
    out, _ = run_import(
        run_command,
        path,
        "--owner",
        "Tekniska avdelningen (gata, park, belysning)",
        source="tekniska",
    )
    assert "1 created" in out
    assert Source.objects.get(slug="tekniska").kind == "municipal_log"


def test_unknown_type_is_other_with_a_warning_and_personal_data_is_masked(
    housing, write_file, run_command
):
    path = write_file(
        "id;datum;typ;område;beskrivning\n"
        "1;2026-01-05;Hissfel;Bro;Ring fastighetsskötaren 070-123 45 67\n",
        "t.csv",
    )
    _, err = run_import(run_command, path)
    assert "unknown type 'Hissfel'" in err
    assert "masked a phone number" in err
    incident = Incident.objects.get()
    assert incident.category == Category.OTHER
    assert "070" not in incident.description


HEADER = "id;datum;typ;område;beskrivning\n"

BAD = {
    "wrong encoding": (
        (HEADER + "1;2026-01-05;Skadegörelse;Håtuna;Sönder\n").encode("cp1252"),
        "is not utf-8 text",
    ),
    "empty file": ("", "the file is empty"),
    "header only": (HEADER, "the file has a header but no rows"),
    "missing columns": ("id;område\n1;Bro\n", "no column for date, type (or category)"),
    "unparsable date": (HEADER + "1;igår;Skadegörelse;Bro;\n", "row 2, date: unreadable date"),
    "impossible date": (
        HEADER + "1;2026-02-30;Skadegörelse;Bro;\n",
        "row 2, date: unreadable date",
    ),
    "date in the future": (HEADER + "1;2099-01-01;Skadegörelse;Bro;\n", "is in the future"),
    "unparsable time": (
        "id;datum;tid;typ;område\n1;2026-01-05;25:99;Brand;Bro\n",
        "row 2, date: unreadable date",
    ),
    "coordinates outside Sweden": (
        "id;datum;typ;lat;lon\n1;2026-01-05;Brand;48,85;2,35\n",
        "lies outside Sweden",
    ),
    "swapped coordinates": (
        "id;datum;typ;lat;lon\n1;2026-01-05;Brand;17.63;59.51\n",
        "latitude and longitude swapped?",
    ),
    "SWEREF in the latitude column": (
        "id;datum;typ;lat;lon\n1;2026-01-05;Brand;6597300;647950\n",
        "look like SWEREF 99 TM metres",
    ),
    "SWEREF outside Sweden": (
        "id;datum;typ;x;y\n1;2026-01-05;Brand;12;13\n",
        "is not a SWEREF 99 TM position in Sweden",
    ),
    "not a number": ("id;datum;typ;lat;lon\n1;2026-01-05;Brand;59,5,1;17\n", "is not a number"),
    "unknown area": (
        HEADER + "1;2026-01-05;Brand;Atlantis;\n",
        "row 2, area: unknown area 'Atlantis'",
    ),
    "no position": (HEADER + "1;2026-01-05;Brand;;\n", "row 2, position: no position"),
    "duplicated ids": (
        HEADER + "1;2026-01-05;Brand;Bro;\n1;2026-01-06;Brand;Bro;\n",
        "row 3, ref: id '1' occurs twice",
    ),
    "missing id": (HEADER + ";2026-01-05;Brand;Bro;\n", "row 2, ref: missing id"),
    "missing type": (HEADER + "1;2026-01-05;;Bro;\n", "row 2, type: missing type"),
    "unknown category": (
        "id;datum;kategori;område\n1;2026-01-05;ufo;Bro\n",
        "unknown category 'ufo'",
    ),
    "huge field": (
        HEADER + "1;2026-01-05;Brand;Bro;" + "x" * 3000 + "\n",
        "row 2, description: field is 3000 characters long",
    ),
    "too many columns": (
        HEADER + "1;2026-01-05;Brand;Bro;text;extra\n",
        "the row has 6 columns, the header 5",
    ),
    "not a spreadsheet": (b"PK\x03\x04 this is no zip", "not a readable XLSX workbook"),
    "map to an unknown field": (HEADER + "1;2026-01-05;Brand;Bro;\n", "unknown field 'colour'"),
    "map a missing column": (
        HEADER + "1;2026-01-05;Brand;Bro;\n",
        "column 'Färg' is not in the file's header",
    ),
}
EXTRA_ARGS = {
    "map to an unknown field": ["--map", "typ=colour"],
    "map a missing column": ["--map", "Färg=type"],
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gives_a_clear_error_and_changes_nothing(housing, write_file, run_command, case):
    run_import(run_command, write_file(HOUSING_CSV, "good.csv"), "--mapping", "bostadsbolag")
    before = sorted(Incident.objects.values_list("source_ref", "content_hash"))
    counts_before = sorted(DailyCount.objects.values_list("day", "category", "count"))

    content, expected = BAD[case]
    name = "bad.xlsx" if case == "not a spreadsheet" else "bad.csv"
    with pytest.raises(CommandError, match="nothing was imported") as excinfo:
        run_import(run_command, write_file(content, name), *EXTRA_ARGS.get(case, []))
    job = ImportJob.objects.latest("id")
    assert job.status == ImportStatus.FAILED
    text = (
        str(excinfo.value)
        + " | "
        + " | ".join(f"row {e['row']}, {e['field']}: {e['message']}" for e in job.errors)
    )
    assert expected in text
    assert sorted(Incident.objects.values_list("source_ref", "content_hash")) == before
    assert sorted(DailyCount.objects.values_list("day", "category", "count")) == counts_before


def test_all_row_errors_are_reported_with_row_number_and_field(housing, write_file, run_command):
    content = HEADER + "1;igår;Brand;Bro;\n2;2026-01-05;Brand;Atlantis;\n3;2026-01-05;Brand;Bro;\n"
    with pytest.raises(CommandError, match="2 errors"):
        run_import(run_command, write_file(content, "bad.csv"))
    errors = ImportJob.objects.latest("id").errors
    assert [(e["row"], e["field"]) for e in errors] == [(2, "date"), (3, "area")]
    assert not Incident.objects.exists()


def test_rerun_at_the_repeated_hour_of_the_autumn_dst_change_changes_nothing(
    housing, write_file, run_command
):
    # 27 October 2024: clocks went back from 03:00 to 02:00, so 02:30 happened twice.
    path = write_file("id;datum;typ;område\n1;2024-10-27 02:30;Klotter;Bro\n", "dst.csv")
    run_import(run_command, path)
    # A stored hash that no longer matches (as after a change of the hash itself) makes the
    # importer compare the values one by one: they are the same.
    Incident.objects.update(content_hash="stale")
    out, _ = run_import(
        run_command, write_file("id;datum;typ;område\n1;2024-10-27 02:30;Klotter;Bro\n", "dst2.csv")
    )
    assert "0 created, 0 updated, 1 unchanged" in out
    incident = Incident.objects.get()
    assert incident.occurred_at == dt.datetime(2024, 10, 27, 0, 30, tzinfo=dt.UTC)
    assert not incident.revisions.exists()
    assert len(incident.content_hash) == 40  # the hash refreshed, nothing else written


def test_a_file_declares_the_period_it_covers(housing, write_file, run_command):
    from trygg.incidents import coverage

    path = write_file(HOUSING_CSV, "ubh.csv")
    run_import(run_command, path, "--mapping", "bostadsbolag", "--covers", "2026-03-01:2026-03-31")
    cov = coverage.coverage(housing.municipality_id)[housing.pk]
    assert cov.spans == ((dt.date(2026, 3, 1), dt.date(2026, 3, 31)),)  # not 2–5 March
    # A row outside the stated period: the file and its period disagree — nothing imported.
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(
            run_command, path, "--mapping", "bostadsbolag", "--covers", "2026-03-03:2026-03-31"
        )
    errors = ImportJob.objects.latest("id").errors
    assert errors[0]["row"] == 2 and "outside the period the file covers" in errors[0]["message"]
    with pytest.raises(CommandError, match="YYYY-MM-DD:YYYY-MM-DD"):
        run_import(run_command, path, "--covers", "mars")

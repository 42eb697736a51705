"""The activity register's importer: every bad row reported with its row and field,
nothing written on any error, idempotent on re-run, XLSX and CSV."""

import io

import pytest
from openpyxl import Workbook

from trygg.incidents.importers.base import ImportRefused
from trygg.plan.importers import import_activities
from trygg.plan.models import Activity
from trygg.plan.tests.conftest import make_measure

HEADER = (
    "ref;typ;titel;från;till;område;arrangör;deltagare;flickor;pojkar;annat;kostnad;åtgärd;resultat"
)
GOOD = [
    "SJ-2026;sommarjobb;Sommarjobb 2026;2026-06-15;2026-08-10;Bro;Kommunledningskontoret – trygghet och säkerhet;300;150;145;5;1 200 000;Fältverksamhet kvällar och helger;Alla fick plats",  # noqa: E501
    "LOV-1;lovaktivitet;Sportlov;23/2 2026;;Kungsängen;Kungsängens IF;64;30;34;;12000,50;;",
]


def csv(*rows):
    return "\n".join([HEADER, *rows]).encode()


def run(pw, data, name="aktiviteter.csv"):
    return import_activities(pw.municipality, data, name, owner=pw.fritid)


def test_a_good_file_is_imported_and_a_rerun_changes_nothing(pw):
    make_measure(pw)
    result = run(pw, csv(*GOOD))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    summer = Activity.objects.get(import_ref="SJ-2026")
    assert summer.participants == 300 and summer.type == "summer_jobs" and summer.area.name == "Bro"
    assert str(summer.cost) == "1200000.00" and summer.measure.title.startswith("Fältverksamhet")
    lov = Activity.objects.get(import_ref="LOV-1")
    assert lov.end_date == lov.start_date and lov.organisers.get().name == "Kungsängens IF"
    again = run(pw, csv(*GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = run(pw, csv(GOOD[0].replace(";300;150;145;5;", ";310;155;150;5;"), GOOD[1]))
    assert (changed.updated, changed.unchanged) == (1, 1)


def test_xlsx_works_too(pw):
    make_measure(pw)
    workbook = Workbook()
    sheet = workbook.active
    for line in [HEADER, *GOOD]:
        sheet.append(line.split(";"))
    out = io.BytesIO()
    workbook.save(out)
    assert run(pw, out.getvalue(), "aktiviteter.xlsx").created == 2


BAD = [
    ("missing ref", ";sommarjobb;X;2026-06-15;;;;10;;;;;;", "ref"),
    (
        "duplicate ref",
        "A;sommarjobb;X;2026-06-15;;;;10;;;;;;\nA;sommarjobb;Y;2026-06-16;;;;10;;;;;;",
        "ref",
    ),
    ("unknown type", "A;pingis;X;2026-06-15;;;;10;;;;;;", "type"),
    ("bad date", "A;sommarjobb;X;32/13 2026;;;;10;;;;;;", "start"),
    ("missing date", "A;sommarjobb;X;;;;;10;;;;;;", "start"),
    ("ends before it starts", "A;sommarjobb;X;2026-06-15;2026-06-01;;;10;;;;;;", "end"),
    ("unknown area", "A;sommarjobb;X;2026-06-15;;Atlantis;;10;;;;;;", "area"),
    ("unknown organiser", "A;sommarjobb;X;2026-06-15;;;Okänd förening;10;;;;;;", "organisers"),
    ("negative count", "A;sommarjobb;X;2026-06-15;;;;-3;;;;;;", "participants"),
    ("not a number", "A;sommarjobb;X;2026-06-15;;;;många;;;;;;", "participants"),
    ("genders do not add up", "A;sommarjobb;X;2026-06-15;;;;10;3;3;;;;", "participants"),
    ("bad cost", "A;sommarjobb;X;2026-06-15;;;;10;;;;gratis;;", "cost"),
    ("unknown measure", "A;sommarjobb;X;2026-06-15;;;;10;;;;;Finns inte;", "measure"),
    ("far future", "A;sommarjobb;X;2099-06-15;;;;10;;;;;;", "start"),
]


@pytest.mark.parametrize(("what", "rows", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_rows_are_reported_and_nothing_is_written(pw, what, rows, field):
    with pytest.raises(ImportRefused) as refused:
        run(pw, csv(GOOD[1], rows))
    assert any(e.field == field and e.row >= 2 for e in refused.value.errors), refused.value.errors
    assert Activity.objects.count() == 0  # not even the good row


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "tom.csv"),
        (b"ref;typ\n", "bara-rubriker.csv"),
        (b"foo;bar;baz\n1;2;3\n", "fel-kolumner.csv"),
        (b"PK\x03\x04 broken", "trasig.xlsx"),
    ],
)
def test_unreadable_files_are_refused(pw, data, name):
    with pytest.raises(ImportRefused):
        run(pw, data, name)


def test_personal_data_in_free_text_is_masked_with_a_warning(pw):
    result = run(pw, csv("A;sommarjobb;X;2026-06-15;;;;10;;;;;;Ring 070-123 45 67"))
    assert result.warnings and "070-123" not in Activity.objects.get().outcome

"""Importer fuzz (#17, classes of fault): every importer gets hypothesis-made broken files —
a valid file truncated, with bytes inserted or removed, nasty tokens (quotes, NUL, 1e400,
NaN, BOMs, Latin-1 bytes, formula payloads) spliced in, its delimiter changed; XLSX
workbooks with odd cell values, or cut short; JSON and GeoJSON of any shape. Each must
either import or refuse with a clear error (the importer's refusal, naming row and field),
leave the database as it was when it refuses, and stay within a bounded amount of memory."""

from __future__ import annotations

import datetime as dt
import io
import json
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from trygg.core.importing import ImportRefused
from trygg.core.models import Membership, Organisation
from trygg.core.permissions import Principal

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
MEMORY_LIMIT = 64 * 1024 * 1024  # bytes traced at the peak, for files of a few KB
NASTY = [
    b'"', b'""', b"\x00", b";", b",", b"\t", b"\n", b"\r", b"\r\n", b"1e400", b"NaN", b"-inf",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xe5\xe4\xf6", b"9" * 30, b"=HYPERLINK(\"x\")", b"{", b"]",
    b"2026-02-30", b"0001-01-01", b"\\", b"\x1b[31m", "٣".encode(), "ö".encode() * 200,
]  # fmt: skip

INCIDENTS = (
    "id;datum;tid;typ;område;beskrivning\n"
    "A1;2026-01-05;21:10;Skadegörelse;Bro;Krossad ruta\n"
    "A2;2026-01-06;;Brand;Kungsängen;Brand i papperskorg\n"
).encode()
OBSERVATIONS = (
    "ref;kategori;datum;tid;lat;lon;plats;område;allvarlighet;beskrivning\n"
    "R1;klotter;{d};21:10;59,5080;17,6360;;;2;Klotter\n"
    "R2;grupper;{d};22:00;;;Bro station;;1;Grupp vid stationen\n"
)
ACTIVITIES = (
    "ref;typ;titel;från;till;område;arrangör;deltagare;flickor;pojkar;annat;kostnad;åtgärd;resultat\n"
    "LOV-1;lovaktivitet;Sportlov;2026-02-23;;Kungsängen;Fritid – fältverksamheten;"
    "64;30;34;;12000,50;;\n"
).encode()
SURVEY = (
    "område;år;åldersgrupp;kön;otrygg_kvall;undviker_platser\n" + "Bro;2026;16-24;kvinna;3;1\n" * 12
).encode()
POLISEN = json.dumps(
    [
        {"id": 1, "datetime": "2026-01-05 21:10:00 +01:00",
         "name": "05 januari 20.45, Skadegörelse, Upplands-Bro", "summary": "Krossad ruta.",
         "url": "/x/", "type": "Skadegörelse",
         "location": {"name": "Upplands-Bro", "gps": "59.5080,17.6360"}},
    ]
).encode()  # fmt: skip
AREAS = json.dumps(
    {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Testområde"},
         "geometry": {"type": "Polygon", "coordinates": [[[17.60, 59.50], [17.62, 59.50],
                                                          [17.62, 59.52], [17.60, 59.50]]]}}]}
).encode()  # fmt: skip


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """The seed file, broken in one to four ways."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["truncate", "insert", "delete", "flip", "nasty", "delimiter"]))
        if kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 30))]
        elif kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "nasty":
            data[at:at] = draw(st.sampled_from(NASTY))
        else:
            data = bytearray(bytes(data).replace(b";", draw(st.sampled_from([b",", b"\t", b"|"]))))
    return bytes(data)


# Text a worksheet can hold (openpyxl refuses control characters when writing).
SHEET_TEXT = st.text(max_size=30).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))
CELL = st.one_of(
    st.none(), SHEET_TEXT, st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["=1+1", "@SUM(A1)", "2026-02-30", "1e400", "NaN"]),
)  # fmt: skip


@st.composite
def workbook(draw, header: list[str]) -> bytes:
    """An XLSX workbook: the right (or a damaged) header, rows of any cell values, and
    sometimes the file cut short."""
    wb = Workbook()
    sheet = wb.active
    if draw(st.booleans()):
        sheet.append(header)
    else:
        sheet.append(draw(st.lists(SHEET_TEXT, max_size=len(header) + 2)))
    for _ in range(draw(st.integers(0, 6))):
        sheet.append(draw(st.lists(CELL, max_size=len(header) + 2)))
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    if draw(st.integers(0, 4)) == 0:  # cut short (a fraction: the file's size varies)
        data = data[: int(draw(st.floats(0, 1)) * len(data))]
    return data


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
GEOMETRY_KEYS = ["type", "coordinates", "features", "geometry", "properties", "name", "crs"]


@st.composite
def geojson_like(draw) -> bytes:
    """A FeatureCollection with features of any shape, or any JSON at all, or bytes."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(mutated(AREAS))
    if choice == 1:
        return json.dumps(draw(JSON_VALUE)).encode()
    feature = draw(st.dictionaries(st.sampled_from(GEOMETRY_KEYS), JSON_VALUE, max_size=4))
    feature.setdefault("type", "Feature")
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def table_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


KEPT_ON_REFUSAL = {"incidents.ImportJob", "core.AuditEntry", "django_tasks_db.DBTaskResult"}


def check(run, data: bytes) -> None:
    """Run one importer on ``data`` inside a savepoint rolled back afterwards (a file that
    happens to be valid must not leak into the next example)."""
    sid = transaction.savepoint()
    before = table_counts()
    tracemalloc.start()
    try:
        refused = run(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        after = table_counts()
        transaction.savepoint_rollback(sid)
    assert peak < MEMORY_LIMIT, f"{peak / 1e6:.0f} MB for a {len(data)}-byte file"
    if refused is not None:
        assert str(refused).strip(), "a refusal must say why"
        changed = {k for k in before if before[k] != after[k]} - KEPT_ON_REFUSAL
        assert not changed, f"refused, yet {changed} changed"


def refusal(call) -> Exception | None:
    """None when the file was imported; the refusal when it was refused clearly. Anything
    else (a crash) fails the test."""
    try:
        call()
    except ImportRefused as exc:
        assert exc.errors and all(e.message for e in exc.errors)
        return exc
    except ValidationError as exc:
        return exc
    return None


@pytest.fixture
def world(demo, tmp_path):
    from trygg.est import demo as est_demo
    from trygg.incidents.models import Source

    est_demo.load()
    housing = Membership.objects.filter(organisation__name="Upplands-Brohus").first()
    Source.objects.create(
        municipality=demo, slug="bostad", name="Bostadsbolaget", kind="partner_log",
        owner_organisation=housing.organisation,
    )  # fmt: skip
    return SimpleNamespace(
        municipality=demo,
        housing=Principal(user=housing.user, membership=housing),
        fritid=Organisation.objects.get(municipality=demo, name__startswith="Fritid"),
        folder=tmp_path,
    )


def _file(world, data: bytes, name: str) -> Path:
    path = world.folder / name
    path.write_bytes(data)
    return path


def run_incidents(world, data: bytes, name: str = "logg.csv", importer: str = "incidents"):
    """The whole import job, as the worker runs it: it records a refusal on the job."""
    from trygg.incidents.services import run_import_job, start_import

    options = {"path": str(_file(world, data, name)), "source": "bostad"}
    job = run_import_job(
        start_import(world.municipality, importer, file_name=name, label="fuzz", options=options)
    )
    if job.status == "failed":
        assert job.message and (job.errors or "could not be read" in job.message), job.message
        return ValueError(job.message)
    return None


def run_observations(world, data: bytes, name: str = "rapporter.csv"):
    from trygg.est.importers import upload

    return refusal(lambda: upload(world.housing, data, name))


def run_activities(world, data: bytes, name: str = "aktiviteter.csv"):
    from trygg.plan.importers import import_activities

    return refusal(lambda: import_activities(world.municipality, data, name, owner=world.fritid))


def run_survey(world, data: bytes, name: str = "enkat.csv"):
    from trygg.surveys.services import import_survey

    return refusal(
        lambda: import_survey(
            world.municipality, data, file_name=name, question_set="ntu", year=2026
        )
    )


def run_areas(world, data: bytes):
    from trygg.core.services import import_areas

    path = _file(world, data, "omraden.geojson")
    return refusal(lambda: import_areas(world.municipality, path, name_field="name", kind="deso"))


def run_properties(world, data: bytes):
    from trygg.cases.services.routing import import_properties

    path = _file(world, data, "fastigheter.geojson")
    return refusal(lambda: import_properties(world.municipality, path, owner=world.fritid))


def yesterday() -> str:
    return (dt.date.today() - dt.timedelta(days=1)).isoformat()


def test_the_seeds_import(world):
    """Unbroken, each seed imports: the fuzz starts from real files."""
    for refused in (
        run_incidents(world, INCIDENTS),
        run_incidents(world, POLISEN, "events.json", importer="polisen"),
        run_observations(world, OBSERVATIONS.format(d=yesterday()).encode()),
        run_activities(world, ACTIVITIES),
        run_survey(world, SURVEY),
        run_areas(world, AREAS),
        run_properties(world, AREAS),
    ):
        assert refused is None, refused


@settings(FUZZ)
@given(data=st.data())
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_incident_logs(world, kind, data):
    if kind == "csv":
        check(lambda d: run_incidents(world, d), data.draw(mutated(INCIDENTS)))
    else:
        header = ["id", "datum", "tid", "typ", "område", "beskrivning"]
        check(lambda d: run_incidents(world, d, "logg.xlsx"), data.draw(workbook(header)))


@settings(FUZZ)
@given(data=st.one_of(mutated(POLISEN), JSON_VALUE.map(lambda v: json.dumps(v).encode())))
def test_the_police_feed(world, data):
    check(lambda d: run_incidents(world, d, "events.json", importer="polisen"), data)


@settings(FUZZ)
@given(data=st.data())
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_partners_report_files(world, kind, data):
    if kind == "csv":
        seed = OBSERVATIONS.format(d=yesterday()).encode()
        check(lambda d: run_observations(world, d), data.draw(mutated(seed)))
    else:
        header = OBSERVATIONS.splitlines()[0].split(";")
        check(lambda d: run_observations(world, d, "rapporter.xlsx"), data.draw(workbook(header)))


@settings(FUZZ)
@given(data=mutated(ACTIVITIES))
def test_activity_files(world, data):
    check(lambda d: run_activities(world, d), data)


@settings(FUZZ)
@given(data=mutated(SURVEY))
def test_survey_files(world, data):
    check(lambda d: run_survey(world, d), data)


@settings(FUZZ)
@given(data=geojson_like())
@pytest.mark.parametrize("importer", ["areas", "properties"])
def test_geojson_files(world, importer, data):
    run = run_areas if importer == "areas" else run_properties
    check(lambda d: run(world, d), data)

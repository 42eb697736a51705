"""import_polisen on the real sample records, the feed's pitfalls, and bad input."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError

from trygg.core.models import AuditAction, AuditEntry
from trygg.incidents.management.commands.import_polisen import seconds_to_wait
from trygg.incidents.models import (
    DailyCount,
    ImportJob,
    ImportStatus,
    Incident,
    PositionPrecision,
    TimePrecision,
)
from trygg.incidents.taxonomy import Category

SAMPLE = str(Path(__file__).parent / "data" / "polisen_events_sample.json")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def event(
    id=700001,
    when="2026-03-14 22:05:10 +01:00",
    name=None,
    type="Skadegörelse",
    place="Upplands-Bro",
    summary="Skadegörelse på busskur vid Bro station.",
    location=None,
):
    return {
        "id": id,
        "datetime": when,
        "name": name or f"14 mars 21.40, {type}, {place}",
        "summary": summary,
        "url": f"/aktuellt/handelser/2026/mars/14/{id}/",
        "type": type,
        "location": location or {"name": "Upplands-Bro", "gps": "59.51,17.63"},
    }


def test_real_sample_records_for_linkoping(linkoping, run_command):
    out, _ = run_command("import_polisen", SAMPLE, "--municipality", "0580")
    assert "1 created, 0 updated, 0 unchanged, 4 skipped (4 another municipality)" in out
    incident = Incident.objects.get()
    assert incident.source_ref == "620014"
    assert incident.category == Category.VIOLENCE
    assert incident.source_type == "Misshandel"
    assert incident.occurred_at == dt.datetime(2026, 1, 2, 18, 30, tzinfo=STOCKHOLM)
    assert incident.occurred_precision == TimePrecision.EXACT
    assert incident.reported_at == dt.datetime(
        2026, 1, 2, 19, 56, 53, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    # location.gps is Linköping's centroid: kept, at municipality precision, never a point.
    assert (incident.lat, incident.lon) == (58.410807, 15.621373)
    assert incident.position_precision == PositionPrecision.MUNICIPALITY
    assert not incident.is_plottable
    assert incident.area is None and incident.cell_e is None
    assert incident.description == "Bråk på buss i Linköping."
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE
    assert len(job.file_sha256) == 64
    assert "manage.py import_polisen" in job.started_by_label


def test_county_location_uses_the_place_in_the_name_and_drops_the_county_centroid(db, run_command):
    from trygg.core.tests.factories import MunicipalityFactory, OrganisationFactory

    stockholm = MunicipalityFactory(code="0180", name="Stockholm")
    OrganisationFactory(municipality=stockholm, kind="police")
    run_command("import_polisen", SAMPLE, "--municipality", "0180")
    incident = Incident.objects.get()
    assert incident.source_ref == "633436"
    assert incident.category == Category.VIOLENCE  # Sexualbrott
    assert incident.lat is None and incident.lon is None
    assert incident.position_precision == PositionPrecision.MUNICIPALITY


def test_rerun_changes_nothing_and_an_updated_event_is_updated_with_history(
    bro, write_file, run_command
):
    path = write_file([event()])
    run_command("import_polisen", path)
    out, _ = run_command("import_polisen", path)
    assert "0 created, 0 updated, 1 unchanged" in out
    assert Incident.objects.count() == 1

    changed = event(
        when="2026-03-15 08:00:00 +01:00", summary="Två busskurer krossade vid Bro station."
    )
    out, _ = run_command("import_polisen", write_file([changed], "v2.json"))
    assert "0 created, 1 updated, 0 unchanged" in out
    incident = Incident.objects.get()
    assert incident.description == "Två busskurer krossade vid Bro station."
    revision = incident.revisions.get()
    assert revision.changes["description"] == [
        "Skadegörelse på busskur vid Bro station.",
        "Två busskurer krossade vid Bro station.",
    ]
    assert "reported_at" in revision.changes
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 2


@pytest.mark.parametrize(
    ("name", "published", "expected"),
    [
        # New Year: occurred on 31 December, published on 1 January.
        (
            "31 december 23.50, Bråk, Upplands-Bro",
            "2026-01-01 00:20:11 +01:00",
            dt.datetime(2025, 12, 31, 23, 50, tzinfo=STOCKHOLM),
        ),
        (
            "01 januari 00.10, Bråk, Upplands-Bro",
            "2026-01-01 00:30:00 +01:00",
            dt.datetime(2026, 1, 1, 0, 10, tzinfo=STOCKHOLM),
        ),
        # Published in UTC-ish offsets late on New Year's Eve local time still 2025.
        (
            "31 december 22.00, Bråk, Upplands-Bro",
            "2025-12-31 23:30:00 +01:00",
            dt.datetime(2025, 12, 31, 22, 0, tzinfo=STOCKHOLM),
        ),
        # Older names use a colon; a one-digit hour in datetime.
        (
            "19 juli 6:40, Bråk, Upplands-Bro",
            "2021-07-19 6:44:53 +02:00",
            dt.datetime(2021, 7, 19, 6, 40, tzinfo=STOCKHOLM),
        ),
        # A leap day.
        (
            "29 februari 12.00, Bråk, Upplands-Bro",
            "2024-03-01 09:00:00 +01:00",
            dt.datetime(2024, 2, 29, 12, 0, tzinfo=STOCKHOLM),
        ),
    ],
)
def test_occurrence_time_and_year(bro, write_file, run_command, name, published, expected):
    run_command("import_polisen", write_file([event(name=name, when=published, type="Bråk")]))
    assert Incident.objects.get().occurred_at == expected


def test_type_with_a_comma_and_municipality_spelt_differently(bro, write_file, run_command):
    e = event(
        type="Trafikolycka, personskada",
        name="29 april 13.37, Trafikolycka, personskada, Upplands-bro",
        when="2026-04-29 14:28:38 +02:00",
        location={"name": "Stockholms län", "gps": "59.602496,18.138438"},
    )
    run_command("import_polisen", write_file([e]))
    incident = Incident.objects.get()
    assert incident.category == Category.TRAFFIC
    assert incident.lat is None  # a county centroid is not kept


def test_the_title_wins_over_a_stale_location_naming_another_municipality(
    bro, write_file, run_command
):
    """The police edited the title (Upplands-Bro) after first filing the event under
    Järfälla; the URL slug and location.name keep the first version. The title wins: the
    event is Upplands-Bro's, at Upplands-Bro's centroid (as the feed gives it for another
    event), never at Järfälla's, with a warning on the import job."""
    moved = {
        "id": 640311,
        "datetime": "2026-05-02 23:41:07 +02:00",
        "name": "02 maj 22.15, Skottlossning, Upplands-Bro",
        "summary": "Flera skott avlossade, ingen skadad enligt uppgift.",
        "url": "/aktuellt/handelser/2026/maj/2/02-maj-22.15-skottlossning-jarfalla/",
        "type": "Skottlossning",
        "location": {"name": "Järfälla", "gps": "59.423176,17.833221"},
    }
    here = event(id=640300, location={"name": "Upplands-Bro", "gps": "59.51,17.63"})
    elsewhere = {
        **moved,
        "id": 640312,
        "name": "02 maj 22.40, Skottlossning, Järfälla",
        "url": "/aktuellt/handelser/2026/maj/2/02-maj-22.40-skottlossning-upplands-bro/",
        "location": {"name": "Upplands-Bro", "gps": "59.51,17.63"},
    }
    out, err = run_command("import_polisen", write_file([moved, here, elsewhere]))

    incident = Incident.objects.get(source_ref="640311")
    assert incident.occurred_at == dt.datetime(2026, 5, 2, 22, 15, tzinfo=STOCKHOLM)
    assert (incident.lat, incident.lon) == (59.51, 17.63)  # Upplands-Bro's, not Järfälla's
    assert incident.position_precision == PositionPrecision.MUNICIPALITY
    assert not incident.is_plottable
    # The reverse: location.name says Upplands-Bro, the edited title Järfälla — not ours.
    assert not Incident.objects.filter(source_ref="640312").exists()
    assert "2 created" in out and "1 skipped" in out

    job = ImportJob.objects.get()
    assert job.warning_count == 2
    messages = [w["message"] for w in job.warnings]
    assert any(
        "location.name says 'Järfälla' but the title names 'Upplands-Bro'" in m for m in messages
    )
    assert any("filed under Järfälla" in m for m in messages)
    assert "the later, edited field" in err


def test_without_a_centroid_in_the_file_a_moved_event_has_no_position(bro, write_file, run_command):
    moved = event(
        name="14 mars 21.40, Skadegörelse, Upplands-Bro",
        location={"name": "Järfälla", "gps": "59.423176,17.833221"},
    )
    run_command("import_polisen", write_file([moved]))
    incident = Incident.objects.get()
    assert incident.lat is None and incident.lon is None
    assert incident.position_precision == PositionPrecision.MUNICIPALITY


def test_unknown_type_is_other_with_a_warning(bro, write_file, run_command):
    _, err = run_command("import_polisen", write_file([event(type="Drönarobservation")]))
    assert "unknown type 'Drönarobservation'" in err
    assert Incident.objects.get().category == Category.OTHER
    assert ImportJob.objects.get().warning_count == 1


def test_summaries_are_kept_but_never_counted(bro, write_file, run_command):
    summary = event(
        id=700002,
        type="Sammanfattning natt",
        name="15 mars 06.30, Sammanfattning natt, Upplands-Bro",
        when="2026-03-15 06:35:00 +01:00",
    )
    run_command("import_polisen", write_file([event(), summary]))
    assert Incident.objects.count() == 2
    assert not Incident.objects.get(source_ref="700002").counts_in_statistics
    assert sum(DailyCount.objects.values_list("count", flat=True)) == 1


def test_personal_data_in_a_summary_is_masked_with_a_warning(bro, write_file, run_command):
    e = event(summary="Anmälare 811218-9876 nås på 070-123 45 67.")
    _, err = run_command("import_polisen", write_file([e]))
    assert "masked a personal identity number, a phone number" in err
    text = Incident.objects.get().description
    assert "811218" not in text and "070" not in text
    assert "[personnummer borttaget]" in text


def test_seconds_to_wait_between_feed_calls():
    now = dt.datetime(2026, 11, 25, 12, 0, 0, tzinfo=dt.UTC)
    assert seconds_to_wait(None, now) == 0
    assert seconds_to_wait(now - dt.timedelta(seconds=3), now) == pytest.approx(7)
    assert seconds_to_wait(now - dt.timedelta(seconds=30), now) == 0


BAD = {
    "not JSON": (b"[{]", "not valid JSON"),
    "empty file": (b"", "the file is empty"),
    "wrong encoding": ('[{"id": 1, "name": "Stöld"}]'.encode("utf-16"), "not UTF-8"),
    "not an array": ({"events": []}, "expected a JSON array of events, found dict"),
    "an element is not an object": ([event(), "x"], "row 2: not a JSON object (str)"),
    "missing id": ([{**event(), "id": None}], "row 1, id: missing id"),
    "non-numeric id": ([event(id="abc")], "row 1, id: id 'abc' is not a whole number"),
    "duplicated id": (
        [event(), event()],
        "row 2, id: id 700001 occurs twice in the file (also row 1)",
    ),
    "unparsable datetime": (
        [event(when="igår kväll")],
        "row 1, datetime: unreadable publication time",
    ),
    "missing datetime": (
        [{**event(), "datetime": None}],
        "row 1, datetime: unreadable publication time: missing",
    ),
    "name without a date": (
        [event(name="Skadegörelse, Upplands-Bro")],
        "row 1, name: unreadable occurrence time",
    ),
    "unknown month": (
        [event(name="14 brumaire 21.40, Skadegörelse, Upplands-Bro")],
        "unknown month 'brumaire'",
    ),
    "impossible date": (
        [event(name="31 april 21.40, Skadegörelse, Upplands-Bro")],
        "impossible date 31 april",
    ),
    "impossible time": (
        [event(name="14 mars 25.40, Skadegörelse, Upplands-Bro")],
        "impossible time 25.40",
    ),
    "missing type": ([{**event(), "type": ""}], "row 1, type: missing type"),
    "gps not lat,lng": (
        [event(location={"name": "Upplands-Bro", "gps": "59.51"})],
        "row 1, location.gps: '59.51' is not 'lat,lng'",
    ),
    "gps outside Sweden": (
        [event(location={"name": "Upplands-Bro", "gps": "48.85,2.35"})],
        "lies outside Sweden",
    ),
    "missing location": ([{**event(), "location": None}], "row 1, location: missing location"),
    "huge field": ([event(summary="x" * 5000)], "row 1, summary: field is 5000 characters long"),
    "too long description": (
        [event(summary="x" * 1500)],
        "row 1, summary: text is 1500 characters long; at most 1000",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gives_a_clear_error_and_changes_nothing(bro, write_file, run_command, case):
    run_command("import_polisen", write_file([event(id=1)], "good.json"))
    before = list(Incident.objects.values_list("source_ref", "content_hash"))
    counts_before = list(DailyCount.objects.values_list("day", "count"))

    content, expected = BAD[case]
    with pytest.raises(CommandError, match="nothing was imported") as excinfo:
        run_command("import_polisen", write_file(content, "bad.json"))
    job = ImportJob.objects.latest("id")
    messages = str(excinfo.value) + " ".join(
        f"row {e['row']}, {e['field']}: {e['message']}"
        if e["field"]
        else f"row {e['row']}: {e['message']}"
        for e in job.errors
    )
    assert expected in messages
    assert job.status == ImportStatus.FAILED
    assert job.error_count >= 1
    assert list(Incident.objects.values_list("source_ref", "content_hash")) == before
    assert list(DailyCount.objects.values_list("day", "count")) == counts_before

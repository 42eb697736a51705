"""The importer's columnar derivation (trygg.incidents.columns): the local date, hour and
weekday of every row equal Python's own time-zone arithmetic, the content hash depends on
the values and not on how a file wrote them, and text that COPY would misread (tabs, line
breaks, backslashes) arrives intact on either database."""

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from trygg.incidents import columns, services
from trygg.incidents.importers.base import IncidentRow
from trygg.incidents.models import Incident

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _row(n, occurred_at, **fields):
    values = {
        "row": n,
        "source_ref": f"R{n}",
        "category": "vandalism",
        "source_type": "Klotter",
        "occurred_at": occurred_at,
        "occurred_precision": "exact",
        "position_precision": "exact",
        **fields,
    }
    return IncidentRow(**values)


def _chunk(rows, zone=STOCKHOLM):
    return columns.Chunk(rows, locate=lambda lats, lons: np.full(len(lats), -1), zone=zone)


def _changes(tz, year=2024):
    """The instants of ``year`` at which ``tz`` changes its offset (to the half hour)."""
    t, end = dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    found, before = [], t.astimezone(tz).utcoffset()
    while t < end:
        t += dt.timedelta(minutes=30)
        if (offset := t.astimezone(tz).utcoffset()) != before:
            found.append(t)
            before = offset
    return found


def _instants(tz):
    rng = np.random.default_rng(7)
    start = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
    instants = [start + dt.timedelta(seconds=s) for s in rng.uniform(0, 3650 * 86400, 3000)]
    # The zone's changes of 2024, minute by minute around them.
    for change in _changes(tz):
        instants += [change + dt.timedelta(minutes=m) for m in range(-90, 91, 1)]
    return instants


@pytest.mark.parametrize("zone", ["Europe/Stockholm", "Australia/Lord_Howe", "America/St_Johns"])
def test_local_date_hour_and_weekday_equal_pythons_own(zone):
    # Lord Howe Island and Newfoundland change their clocks at a half hour of UTC: the
    # per-hour offset cache must notice a change inside an hour.
    tz = ZoneInfo(zone)
    changes = _changes(tz)
    assert len(changes) == 2
    if zone != "Europe/Stockholm":
        assert any(change.minute == 30 for change in changes)
    instants = _instants(tz)
    chunk = _chunk([_row(i, t) for i, t in enumerate(instants)], tz)
    for i, t in enumerate(instants):
        local = t.astimezone(tz)
        values = chunk.values(i)
        assert (values[4], values[5], values[6]) == (local.date(), local.hour, local.weekday()), t


def test_the_hash_is_of_the_values_not_of_how_a_time_was_written():
    utc = dt.datetime(2024, 10, 27, 0, 30, 15, 250, tzinfo=dt.UTC)
    same = [utc, utc.astimezone(STOCKHOLM), utc.astimezone(ZoneInfo("Asia/Tokyo"))]
    chunk = _chunk([_row(1, t, lat=59.5, lon=17.5) for t in same])
    assert len(set(chunk.hashes)) == 1 and len(set(chunk.text)) == 1
    assert "2024-10-27 00:30:15.000250+00" in chunk.text[0]
    later = _chunk([_row(1, utc + dt.timedelta(microseconds=1), lat=59.5, lon=17.5)])
    moved = _chunk([_row(1, utc, lat=59.5, lon=17.500001)])
    assert len({chunk.hashes[0], later.hashes[0], moved.hashes[0]}) == 3


def test_day_precision_has_no_hour_and_missing_values_are_null():
    chunk = _chunk([_row(1, dt.datetime(2026, 3, 1, tzinfo=STOCKHOLM), occurred_precision="day")])
    values = chunk.values(0)
    assert values[4] == dt.date(2026, 3, 1) and values[5] is None
    fields = chunk.text[0].split("\t")
    assert fields[5] == columns.NULL and fields[7] == columns.NULL  # hour, reported_at
    assert fields[8] == fields[9] == fields[11] == columns.NULL  # lat, lon, area


def test_copy_text_escapes_what_copy_would_misread():
    assert columns.copy_text("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert columns.copy_text("Trappuppgång 3 – ”klotter”") == "Trappuppgång 3 – ”klotter”"


@pytest.mark.django_db
def test_text_with_tabs_line_breaks_and_backslashes_is_stored_intact(housing):
    description = "Rad 1\tflik\nrad 2\\n (inte radbrytning)\r\nslut"
    rows = [
        _row(1, dt.datetime(2026, 3, 1, 22, 30, tzinfo=STOCKHOLM), description=description),
        _row(
            2,
            dt.datetime(2026, 3, 2, 8, tzinfo=STOCKHOLM),
            source_ref="ref\\med\tflik",
            source_type="Typ\tmed flik",
        ),
    ]
    result = services.write_incidents(housing, rows)
    assert result.created == 2
    stored = {i.source_ref: i for i in Incident.objects.all()}
    assert stored["R1"].description == description
    assert stored["R1"].occurred_at == dt.datetime(2026, 3, 1, 21, 30, tzinfo=dt.UTC)
    assert (stored["R1"].occurred_date, stored["R1"].occurred_hour) == (dt.date(2026, 3, 1), 22)
    assert stored["ref\\med\tflik"].source_type == "Typ\tmed flik"
    # The same rows again: nothing written.
    again = services.write_incidents(housing, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.django_db
@pytest.mark.parametrize("sensitivity", ["partners", "restricted"])
def test_a_first_imports_summary_rows_are_those_a_rebuild_makes(housing, bro, sensitivity):
    from trygg.core.models import Area
    from trygg.incidents.models import DailyCount

    housing.default_sensitivity = sensitivity
    housing.save()
    area = Area.objects.filter(municipality=bro).first()
    rows = [
        _row(
            n,
            dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC) + dt.timedelta(hours=7 * n),
            category=("vandalism", "theft", "fire")[n % 3],
            area_id=area.pk if n % 2 else None,
            counts_in_statistics=n % 5 != 0,
        )
        for n in range(60)
    ]
    # A stale summary row of the source (its incidents gone) does not survive.
    DailyCount.objects.create(
        municipality=bro, day=dt.date(2020, 1, 1), category="fire", source=housing,
        sensitivity=sensitivity, count=3,
    )  # fmt: skip
    services.write_incidents(housing, rows)

    def summary():
        return sorted(
            DailyCount.objects.filter(municipality=bro).values_list(
                "day", "category", "area_id", "source_id", "sensitivity", "count"
            ),
            key=lambda r: (r[0], r[1], r[2] or 0),
        )

    written = summary()
    services.rebuild_daily_counts(bro)
    assert written == summary()
    if sensitivity == "restricted":
        assert written == []
    else:
        assert sum(r[-1] for r in written) == 48 and len(written) > 20

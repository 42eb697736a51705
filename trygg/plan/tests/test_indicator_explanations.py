"""Indicators explain themselves: a baseline computes from its period once that has
passed, recomputation really recomputes and says what changed, and "no values yet" says
why — for every kind of indicator."""

import datetime as dt

from django.utils import translation

from trygg.assessment.tests.conftest import make_rows
from trygg.plan import services
from trygg.plan.models import Activity
from trygg.plan.tests.conftest import make_indicator, make_measure


def sv(fn, *args, **kwargs):
    with translation.override("sv"):
        return fn(*args, **kwargs)


def test_an_incident_indicator_computes_its_baseline_and_says_what_changed(pw, bro_incidents):
    from trygg.incidents.services import write_incidents

    measure = make_measure(pw)
    bro = pw.areas["Bro"].pk
    indicator = make_indicator(
        measure,
        definition={"categories": ["vandalism"], "areas": [bro]},
        period_months=6,
        baseline=None,
        baseline_from=dt.date(2025, 1, 1),
        baseline_to=dt.date(2025, 6, 30),
    )
    # A vandalism in the baseline half-year, recorded later by the same log.
    write_incidents(
        bro_incidents,
        make_rows([("old", "vandalism", "2025-03-01 20:00", bro)]),
        covers=(dt.date(2025, 1, 1), dt.date(2026, 11, 29)),
    )
    result = sv(services.refresh, indicator, until=dt.date(2026, 12, 31))
    indicator.refresh_from_db()
    assert indicator.baseline == 1.0 and indicator.baseline_computed
    assert "1 jan – 30 jun 2026: – → 3" in result.summary
    assert "utgångsvärde 1 jan – 30 jun 2025: – → 1" in result.summary
    # Nothing new: recomputation says so.
    again = sv(services.refresh, indicator, until=dt.date(2026, 12, 31))
    assert again.changes == [] and "Inget ändrades" in again.summary
    # A new incident in the first half-year: the value changes, and the message says how.
    write_incidents(
        bro_incidents,
        make_rows([("late", "vandalism", "2026-05-05 20:00", bro)]),
        covers=(dt.date(2025, 1, 1), dt.date(2026, 11, 29)),
    )
    changed = sv(services.refresh, indicator, until=dt.date(2026, 12, 31))
    assert changed.changes == ["1 jan – 30 jun 2026: 3 → 4"]
    # The running half-year is marked as such.
    running = indicator.measurements.get(period_end=dt.date(2026, 12, 31))
    assert running.is_running and not indicator.measurements.first().is_running


def test_a_baseline_waits_for_its_period_and_a_typed_baseline_is_kept(pw, bro_incidents):
    measure = make_measure(pw)
    waiting = make_indicator(
        measure,
        baseline=None,
        baseline_from=dt.date(2026, 7, 1),
        baseline_to=dt.date(2027, 6, 30),
    )
    services.refresh(waiting)
    waiting.refresh_from_db()
    assert waiting.baseline is None
    typed = make_indicator(
        measure, baseline=25, baseline_from=dt.date(2025, 1, 1), baseline_to=dt.date(2025, 6, 30)
    )
    services.refresh(typed)
    typed.refresh_from_db()
    assert typed.baseline == 25 and not typed.baseline_computed


def test_no_values_says_why_for_every_kind(pw, bro_incidents):
    future = make_measure(pw, start=dt.date(2027, 3, 1), end=dt.date(2027, 12, 31))
    ahead = make_indicator(future, definition={"categories": ["fire"]})
    assert sv(services.refresh, ahead).reason == "Den första mätperioden börjar 1 mar 2027."

    measure = make_measure(pw, start=dt.date(2023, 1, 1), end=dt.date(2026, 12, 31))
    uncovered = make_indicator(measure, definition={"categories": ["fire"]})
    assert sv(services.no_values_reason, uncovered) == (
        "Ingen händelsekälla täcker indikatorns perioder."
    )
    survey = make_indicator(
        measure, kind="survey", definition={"question_set": "ntu", "question": "otrygg_kvall"}
    )
    assert "enkätresultat" in sv(services.refresh, survey).reason
    manual = make_indicator(measure, kind="manual")
    assert "för hand" in sv(services.no_values_reason, manual)
    fix_time = make_indicator(measure, kind="case_fix_time", definition={"categories": []})
    assert sv(services.refresh, fix_time).reason == "Det finns inga data för mätperioderna än."


def test_an_activity_indicator_computes_values_and_baseline(pw):
    measure = make_measure(pw)
    for day, n in [(dt.date(2025, 6, 15), 450), (dt.date(2026, 6, 15), 478)]:
        Activity.objects.create(
            municipality=pw.municipality, owner_organisation=pw.fritid, type="summer_jobs",
            title="Sommarjobb", start_date=day, end_date=day, participants=n,
        )  # fmt: skip
    indicator = make_indicator(
        measure,
        kind="activities",
        definition={"type": "summer_jobs", "what": "participants"},
        baseline=None,
        baseline_from=dt.date(2025, 1, 1),
        baseline_to=dt.date(2025, 12, 31),
        direction="increase",
    )
    result = sv(services.refresh, indicator)
    indicator.refresh_from_db()
    assert indicator.baseline == 450
    assert [m.value for m in indicator.measurements.all()] == [478]
    assert len(result.changes) == 2
    assert services.no_values_reason(indicator) == ""

"""Indicators compute themselves from Trygg's data (checked against hand counts); a
measure's effect comes from the analysis engine."""

import datetime as dt

import pytest

from trygg.cases.models import Case, CaseCategory, Origin
from trygg.plan import services
from trygg.plan.models import Activity, Measurement
from trygg.plan.tests.conftest import make_indicator, make_measure


def test_incident_indicators_count_categories_areas_and_period(pw, bro_incidents):
    measure = make_measure(pw)
    bro = pw.areas["Bro"].pk
    vandalism = make_indicator(
        measure, definition={"categories": ["vandalism"], "areas": [bro]}, period_months=6
    )
    both = make_indicator(
        measure, definition={"categories": ["vandalism", "fire"], "areas": [bro]}, period_months=6
    )
    everywhere = make_indicator(measure, definition={"categories": ["vandalism"]}, period_months=12)
    services.refresh(vandalism, until=dt.date(2026, 12, 31))
    services.refresh(both, until=dt.date(2026, 12, 31))
    services.refresh(everywhere, until=dt.date(2026, 12, 31))
    assert [(m.period_start, m.period_end, m.value) for m in vandalism.measurements.all()] == [
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30), 3.0),
        (dt.date(2026, 7, 1), dt.date(2026, 12, 31), 1.0),
    ]
    assert [m.value for m in both.measurements.all()] == [4.0, 1.0]
    # All areas, the whole year; the restricted incident is never in an indicator.
    assert [m.value for m in everywhere.measurements.all()] == [6.0]
    # Refreshing again changes nothing (idempotent).
    services.refresh(vandalism, until=dt.date(2026, 12, 31))
    assert Measurement.objects.filter(indicator=vandalism).count() == 2


def test_activity_indicators_count_activities_or_participants(pw):
    measure = make_measure(pw)
    for day, type_, n, area in [
        (dt.date(2026, 6, 15), "summer_jobs", 300, "Bro"),
        (dt.date(2026, 6, 20), "summer_jobs", 178, "Kungsängen"),
        (dt.date(2026, 7, 1), "holiday_programme", 40, "Bro"),
        (dt.date(2025, 6, 15), "summer_jobs", 450, "Bro"),
    ]:
        Activity.objects.create(
            municipality=pw.municipality, owner_organisation=pw.fritid, type=type_, title="x",
            start_date=day, end_date=day, area=pw.areas[area], participants=n,
        )  # fmt: skip
    participants = make_indicator(
        measure, kind="activities", definition={"type": "summer_jobs", "what": "participants"}
    )
    count = make_indicator(
        measure,
        kind="activities",
        definition={"type": "summer_jobs", "what": "count", "areas": [pw.areas["Bro"].pk]},
    )
    assert services.compute(participants, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 478
    assert services.compute(count, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 1
    summary = services.activity_summary(pw.municipality, 2026)
    assert summary["summer_jobs"]["participants"] == 478
    assert dict(summary["summer_jobs"]["areas"]) == {"Bro": 300, "Kungsängen": 178}


def test_case_fix_time_indicator_is_the_median_days(pw, world):
    measure = make_measure(pw)
    lamps = CaseCategory.objects.get(municipality=pw.municipality, code="belysning")
    from django.utils import timezone

    from trygg.cases import services as cases

    for days in (10, 20, 90):
        case = cases.create_case(
            pw.municipality, category=lamps, lat=59.515, lon=17.645, description="Mörkt.",
            origin=Origin.PUBLIC,
        )  # fmt: skip
        created = timezone.make_aware(dt.datetime(2026, 3, 1, 12))
        Case.objects.filter(pk=case.pk).update(
            state="fixed", created_at=created, closed_at=created + dt.timedelta(days=days)
        )
    indicator = make_indicator(
        measure, kind="case_fix_time", definition={"categories": ["belysning"]}
    )
    assert services.compute(indicator, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 20.0


def test_manual_values_and_progress(pw):
    measure = make_measure(pw)
    indicator = make_indicator(measure, kind="manual", baseline=28, target=14, direction="decrease")
    services.record_manual(
        indicator, pw.fritid_member, dt.date(2026, 1, 1), dt.date(2026, 6, 30), 21, "uppföljning"
    )
    progress = services.progress(indicator)
    assert progress.latest == 21 and progress.percent == 50 and not progress.reached
    services.record_manual(
        indicator, pw.fritid_member, dt.date(2026, 7, 1), dt.date(2026, 12, 31), 12
    )
    assert (
        services.progress(indicator, 12).reached and services.progress(indicator, 12).percent == 100
    )
    up = make_indicator(measure, kind="manual", baseline=450, target=478, direction="increase")
    assert services.progress(up, 464).percent == 50
    with pytest.raises(Exception):  # noqa: B017 - the permission layer says no
        services.record_manual(indicator, pw.reader, dt.date(2026, 1, 1), dt.date(2026, 6, 30), 1)


def test_the_effect_compares_against_the_comparison_area(pw, bro_incidents):
    """Synthetic weekly counts: Bro falls from 6 to 2 a week after the start while Brunna
    stays at 5: a clear effect, with its interval and a reading."""
    from trygg.assessment.tests.conftest import make_rows
    from trygg.incidents.services import write_incidents

    start = dt.date(2025, 6, 2)
    rows = []
    for week in range(-12, 12):
        day = start + dt.timedelta(days=7 * week)
        for k in range(6 if week < 0 else 2):
            rows.append((f"bro{week}-{k}", "vandalism", f"{day} 2{k % 4}:00", pw.areas["Bro"].pk))
        for k in range(5):
            rows.append((f"bru{week}-{k}", "vandalism", f"{day} 1{k}:00", pw.areas["Brunna"].pk))
    write_incidents(bro_incidents, make_rows(rows))
    measure = make_measure(
        pw, start=start, end=dt.date(2026, 12, 31), comparison_area=pw.areas["Brunna"],
        effect_categories=["vandalism"],
    )  # fmt: skip
    measure.target_areas.set([pw.areas["Bro"]])
    effect = services.effect(measure, today=start + dt.timedelta(days=7 * 12))
    assert effect is not None
    assert effect.target_before == 72 and effect.target_after == 24
    assert effect.comparison_before == 60 and effect.comparison_after == 60
    assert effect.percent == pytest.approx(-66.7, abs=0.1)
    assert effect.ci_high < 0 and effect.p < 0.001
    assert "färre" in effect.reading or "fewer" in effect.reading
    # Without a comparison area there is no estimate.
    measure.comparison_area = None
    assert services.effect(measure) is None

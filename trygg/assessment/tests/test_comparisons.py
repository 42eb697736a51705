"""Comparisons a coordinator can defend: sources that cover both periods, complete periods
only, and one reading of each change for the headline, the tables and the analysis."""

import datetime as dt

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import translation

from trygg.analysis import trends
from trygg.assessment import analysis, comparison, document, services
from trygg.assessment.filters import IncidentFilter, describe_filter, today
from trygg.assessment.tests.conftest import make_rows
from trygg.core.permissions import Principal
from trygg.incidents import coverage
from trygg.incidents.importers import polisen
from trygg.incidents.models import SourceCoverage
from trygg.incidents.services import write_incidents

D = dt.date


def coordinator():
    return Principal.for_user(get_user_model().objects.get(username="samordnare"))


def rows(prefix, category, days, where=(59.5117, 17.6365)):
    return make_rows(
        [(f"{prefix}{i}", category, f"{day} 12:00", *where) for i, day in enumerate(days)]
    )


def every_day(start, end, step=1):
    day, out = start, []
    while day <= end:
        out.append(day.isoformat())
        day += dt.timedelta(days=step)
    return out


# --- Coverage ----------------------------------------------------------------------------


def test_spans_merge_and_gaps_are_the_days_between():
    spans = coverage.merge([(D(2026, 3, 1), D(2026, 3, 10)), (D(2026, 1, 1), D(2026, 2, 28))])
    assert spans == [(D(2026, 1, 1), D(2026, 3, 10))]  # touching spans join
    cov = coverage.Coverage(
        1,
        "Flöde",
        tuple(coverage.merge([(D(2026, 1, 1), D(2026, 1, 10)), (D(2026, 1, 15), D(2026, 1, 31))])),
    )
    assert cov.gaps == [(D(2026, 1, 11), D(2026, 1, 14))]
    assert cov.covers(D(2026, 1, 15), D(2026, 1, 31))
    assert not cov.covers(D(2026, 1, 1), D(2026, 1, 31))
    assert cov.missing(D(2026, 1, 5), D(2026, 2, 3)) == [
        (D(2026, 1, 11), D(2026, 1, 14)),
        (D(2026, 2, 1), D(2026, 2, 3)),
    ]


def test_an_import_records_its_span_once(bro, sources):
    source = sources["housing"]
    batch = rows("h", "vandalism", ["2026-01-05", "2026-02-20"])
    write_incidents(source, batch)
    write_incidents(source, batch)  # a re-run adds nothing
    assert list(
        SourceCoverage.objects.filter(source=source).values_list("date_from", "date_to")
    ) == [(D(2026, 1, 5), D(2026, 2, 20))]
    write_incidents(source, [], covers=(D(2026, 2, 21), D(2026, 3, 31)))  # a quiet month
    cov = coverage.coverage(bro.pk)[source.pk]
    assert cov.spans == ((D(2026, 1, 5), D(2026, 3, 31)),)


def test_the_police_feed_covers_its_publication_window_from_the_first_whole_day():
    events = [
        {"datetime": "2026-11-20 23:10:00 +01:00"},
        {"datetime": "2026-11-18 07:00:00 +01:00"},
        {"datetime": "garbage"},
        {"datetime": "2026-11-19 12:00:00 +01:00"},
    ]
    assert polisen.publication_window(events) == (D(2026, 11, 19), D(2026, 11, 20))
    assert polisen.publication_window([{"datetime": "2026-11-18 07:00:00 +01:00"}]) is None


def test_a_source_that_starts_mid_period_is_left_out_and_the_note_says_so(bro, sources):
    housing, police = sources["housing"], sources["police"]
    # The housing company reported all of 2025 and 2026 (about one a day); the police
    # feed only from 1 March 2026 — 60 events in March that would double "this year".
    write_incidents(
        housing,
        rows("h", "vandalism", every_day(D(2025, 1, 1), D(2026, 3, 31), 2)),
        covers=(D(2025, 1, 1), D(2026, 3, 31)),
    )
    write_incidents(
        police,
        rows("p", "violence", every_day(D(2026, 3, 1), D(2026, 3, 31)) * 1)
        + rows("q", "violence", every_day(D(2026, 3, 1), D(2026, 3, 29))),
        covers=(D(2026, 3, 1), D(2026, 3, 31)),
    )
    f = IncidentFilter.from_query(QueryDict("from=2026-03-01&to=2026-03-31"), bro)
    vs = comparison.compare(
        f, f.last_year(), "samma period förra året", lambda x: services.total(coordinator(), x)
    )
    assert vs.sources.source_ids == (housing.pk,)
    assert vs.count == 16 and vs.baseline == 15  # the housing company's alone
    assert vs.reading.kind == "no_change"
    with translation.override("sv"):
        assert "Polisen" in vs.note and "1 mar – 31 mar 2026" in vs.note
    table = services.changes(coordinator(), f, "category")
    assert {c.key for c in table.rows} == {"vandalism"}
    assert "Polisen" in table.note


def test_a_gap_in_a_feed_is_shown_in_the_document(bro, sources):
    police = sources["police"]
    write_incidents(
        police, rows("a", "theft", ["2026-01-10"]), covers=(D(2026, 1, 1), D(2026, 1, 31))
    )
    write_incidents(
        police, rows("b", "theft", ["2026-02-10"]), covers=(D(2026, 2, 8), D(2026, 3, 31))
    )
    cov = coverage.coverage(bro.pk)[police.pk]
    assert cov.gaps == [(D(2026, 2, 1), D(2026, 2, 7))]
    with translation.override("sv"):
        fig = document._figures(document.LagesbildRequest(bro, D(2026, 1, 1), D(2026, 3, 31)))
        table = document._sources_table(fig)
    row = next(r for r in table["rows"] if r[0] == police.name)
    assert row[-1] == "1 jan – 31 mar 2026; saknas 1 feb – 7 feb 2026"


# --- Complete periods only -----------------------------------------------------------------


def test_the_default_period_ends_yesterday(bro):
    f = IncidentFilter.default(bro)
    assert f.date_to == today() - dt.timedelta(days=1)
    assert not comparison.is_partial(f.date_to)


def test_the_current_week_and_month_are_partial_and_give_no_change(bro, sources):
    now = today()
    write_incidents(
        sources["housing"],
        rows("h", "fire", every_day(now - dt.timedelta(days=800), now)),
        covers=(now - dt.timedelta(days=800), now),
    )
    monday = now - dt.timedelta(days=now.weekday())
    week = IncidentFilter(bro.pk, monday, monday + dt.timedelta(days=6))
    assert comparison.is_partial(week.date_to)
    vs = comparison.compare(
        week, week.previous_period(), "förra veckan", lambda x: services.total(coordinator(), x)
    )
    assert vs.partial and vs.reading is None and "%" not in vs.headline
    table = services.changes(coordinator(), week, "category")
    assert table.partial and table.rows == []
    month = IncidentFilter(bro.pk, now.replace(day=1), now)
    assert services.partial_periods(month, "month", comparison.last_complete_day()) == {
        now.replace(day=1)
    }
    # A whole past month is not partial; a filter cut mid-week makes its edge weeks partial.
    f = IncidentFilter(bro.pk, D(2026, 3, 4), D(2026, 3, 31))
    assert services.partial_periods(f, "week", D(2026, 11, 1)) == {D(2026, 3, 2), D(2026, 3, 30)}
    assert (
        services.partial_periods(
            IncidentFilter(bro.pk, D(2026, 3, 1), D(2026, 3, 31)), "month", D(2026, 11, 1)
        )
        == set()
    )


# --- One reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_the_reading_agrees_with_the_rate_test(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.poisson(rng.uniform(0, 60))), int(rng.poisson(rng.uniform(0, 60)))
    reading = trends.read_change(n, m)
    if n + m < trends.MIN_EVENTS_FOR_CHANGE:
        assert reading.kind == "too_few" and reading.percent is None
        return
    test = trends.rate_change(n, 1, m, 1)
    assert reading.significant == (test.p < 0.05)
    if reading.significant:
        assert reading.direction == (1 if n > m else -1)
    if m:
        assert reading.percent == pytest.approx(100 * (n - m) / m)


@pytest.mark.parametrize("seed", range(6))
def test_the_summary_and_the_analysis_never_contradict_each_other(bro, sources, seed):
    """Random synthetic years: the summary's sentence about the change is the analysis
    section's, and its words match the test."""
    rng = np.random.default_rng(seed)
    start, end = D(2025, 1, 1), D(2026, 3, 31)
    days = every_day(start, end)
    rate_before, rate_now = rng.uniform(0.05, 1.2), rng.uniform(0.05, 1.2)
    chosen = [d for d in days if rng.random() < (rate_now if d >= "2026-01-01" else rate_before)]
    write_incidents(sources["housing"], rows("h", "theft", chosen), covers=(start, end))
    with translation.override("sv"):
        data, _files = document.build(
            document.LagesbildRequest(bro, D(2026, 1, 1), D(2026, 3, 31), public=False)
        )
        fig = document._figures(document.LagesbildRequest(bro, D(2026, 1, 1), D(2026, 3, 31)))
    vs = fig.vs_last_year
    assert data["findings"][0] in data["summary"][1]
    sentence = data["findings"][0]
    kind = vs.reading.kind if vs.reading else None
    assert ("signifikant ökning" in sentence) == (kind == "increase")
    assert ("signifikant minskning" in sentence) == (kind == "decrease")
    assert ("slumpens variation" in sentence) == (kind == "no_change")


# --- One reading per analysis ---------------------------------------------------------------


def test_near_repeat_never_says_no_pattern_beside_a_marked_cell():
    with translation.override("sv"):
        marked = analysis._near_repeat_sentence("Bostadsinbrott", None, 2)
        clean = analysis._near_repeat_sentence("Bostadsinbrott", None, 0)
    assert "Inget signifikant" not in marked and "2 celler" in marked and "markerade" in marked
    assert clean == "Inget signifikant near-repeat-mönster för bostadsinbrott."


@pytest.mark.parametrize("seed", range(10))
def test_near_repeat_sentence_and_table_come_from_one_result(bro, sources, seed):
    rng = np.random.default_rng(seed)
    n = 60
    lat = 59.51 + rng.normal(0, 0.004, n)
    lon = 17.63 + rng.normal(0, 0.008, n)
    days = rng.integers(0, 120, n)
    batch = make_rows(
        [
            (
                f"b{i}",
                "burglary",
                f"{D(2026, 1, 1) + dt.timedelta(days=int(days[i]))} 10:00",
                lat[i],
                lon[i],
            )
            for i in range(n)
        ]
    )
    write_incidents(sources["housing"], batch)
    f = IncidentFilter(bro.pk, D(2026, 1, 1), D(2026, 4, 30))
    with translation.override("sv"):
        near = analysis.near_repeat_finding(coordinator(), f, "burglary")
    marked = sum(c["significant"] for _label, cells in near.rows for c in cells)
    if near.risk:
        assert near.sentence.startswith("Efter")
    elif marked:
        assert f"{marked} cell" in near.sentence and "Inget signifikant" not in near.sentence
    else:
        assert near.sentence.startswith("Inget signifikant")


def test_the_analysis_follows_the_filter_and_says_what_it_is(bro, sources, client):
    f = IncidentFilter(bro.pk, D(2026, 1, 1), D(2026, 3, 31), categories=("fire", "theft"))
    assert analysis.near_repeat_category(f, None) == "fire"
    assert analysis.near_repeat_category(f, "theft") == "theft"
    assert analysis.near_repeat_category(f, "burglary") == "fire"  # not in the filter
    assert (
        analysis.near_repeat_category(IncidentFilter(bro.pk, D(2026, 1, 1), D(2026, 3, 31)), None)
        == "burglary"
    )
    with translation.override("sv"):
        lines = describe_filter(f)
    assert lines == [
        "Period: 1 jan – 31 mar 2026",
        "Kategorier: Brand och anlagd brand, Stöld",
        "Källor: alla",
    ]


def test_a_public_chart_never_plots_a_small_count(bro, sources):
    from trygg.assessment import charts

    # 3 incidents in January, 12 in February, 7 in March (and the same a year before).
    days = ["2026-01-05"] * 3 + ["2026-02-10"] * 12 + ["2026-03-03"] * 7
    last = [d.replace("2026", "2025") for d in days]
    write_incidents(
        sources["housing"],
        rows("a", "theft", days) + rows("b", "theft", last),
        covers=(D(2025, 1, 1), D(2026, 3, 31)),
    )
    f = IncidentFilter(bro.pk, D(2026, 1, 1), D(2026, 3, 31))
    vs = comparison.compare(
        f, f.last_year(), "förra året", lambda x: services.total(coordinator(), x)
    )

    def daily(flt):
        return services.summary_counts(flt, "day")

    with translation.override("sv"):
        svg, points = charts.comparison_chart(f, vs, "month", daily, label_now="Nu", suppress=True)
    assert [p.count for p in points] == [None, 12, 7]
    assert [p.last_year for p in points] == [None, 12, 7]
    assert "Luckor: färre än 5" in svg
    _svg, exact = charts.comparison_chart(f, vs, "month", daily, label_now="Nu")
    assert [p.count for p in exact] == [3, 12, 7]

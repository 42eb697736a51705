"""The lägesbild's numbers against a plain count of the incidents, and who sees what."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict

from trygg.assessment import services
from trygg.assessment.filters import IncidentFilter
from trygg.core.models import Area, AuditAction, AuditEntry
from trygg.core.permissions import Principal
from trygg.incidents.models import Incident

MARCH = QueryDict("from=2026-03-01&to=2026-03-31")


def principal(username, organisation=None):
    return Principal.for_user(get_user_model().objects.get(username=username), organisation)


def march(bro, extra=""):
    return IncidentFilter.from_query(QueryDict(f"from=2026-03-01&to=2026-03-31{extra}"), bro)


def test_counts_by_category_area_and_period(bro, incidents):
    coordinator = principal("samordnare")
    f = march(bro)
    data = services.summary(coordinator, f, "week")
    # p1 p2 p3 h1 in March; the restricted s1 is the police's and not shown to the coordinator
    assert data["total"] == 4
    assert {r["category"]: r["count"] for r in data["by_category"]} == {
        "vandalism": 2,
        "violence": 1,
        "fire": 1,
    }
    by_area = {r["area"]: r["count"] for r in data["by_area"]}
    assert by_area == {"Bro": 3, "Kungsängen": 1}
    weeks = {r["period"]: r["count"] for r in data["by_period"]}
    assert weeks[dt.date(2026, 3, 2)] == 3  # Mon 2 March: p1, p2, h1
    assert weeks[dt.date(2026, 3, 9)] == 1
    assert sum(weeks.values()) == 4


def test_summary_matches_a_plain_count_for_every_filter(bro, incidents):
    coordinator = principal("samordnare")
    bro_id = Area.objects.get(name="Bro").pk
    for extra in ("", "&category=vandalism", f"&area={bro_id}", "&category=burglary&category=fire"):
        f = march(bro, extra)
        expected = Incident.objects.filter(
            municipality=bro,
            occurred_date__gte=f.date_from,
            occurred_date__lte=f.date_to,
            counts_in_statistics=True,
        ).exclude(sensitivity="restricted")
        if f.categories:
            expected = expected.filter(category__in=f.categories)
        if f.areas:
            expected = expected.filter(area_id__in=f.areas)
        assert services.total(coordinator, f) == expected.count(), extra


def test_restricted_incidents_count_only_for_the_owner_and_their_reads_are_logged(bro, incidents):
    police = principal("polis")
    f = march(bro)
    assert services.total(police, f) == 5
    assert services.summary(police, f)["total"] == 5
    assert not AuditEntry.objects.filter(
        action=AuditAction.READ
    ).exists()  # counting is not reading
    points = services.map_points(police, f)
    assert len(points["features"]) == 4  # p1 p2 p3 s1 (h1 is area-precision)
    assert AuditEntry.objects.filter(action=AuditAction.READ, actor_label="polis").count() == 1


def test_changes_vs_previous_period_and_last_year(bro, incidents):
    f = march(bro)
    table = services.changes(principal("samordnare"), f, "category", limit=20)
    assert table.possible and not table.partial and table.note == ""
    changes = {c.key: c for c in table.rows}
    assert changes["vandalism"].count == 2 and changes["vandalism"].last_year == 1
    assert changes["burglary"].count == 0 and changes["burglary"].previous == 1
    assert changes["burglary"].last_year == 1


def test_rates_per_1000_residents(bro, incidents):
    figures = {
        fig.area.name: fig
        for fig in services.by_area(principal("samordnare"), march(bro))
        if fig.area
    }
    bro_area = Area.objects.get(name="Bro")
    assert figures["Bro"].rate_per_1000 == round(1000 * 3 / bro_area.population, 1)
    assert figures["Låssa"].count == 0


def test_heatmap_counts_weekday_and_hour(bro, incidents):
    grid = services.heatmap(principal("samordnare"), march(bro))
    assert grid[0][21] == 1  # Monday 2 March 21:40
    assert sum(map(sum, grid)) == 4


def test_another_municipality_sees_nothing(bro, incidents):
    from trygg.core.models import Role
    from trygg.core.tests.factories import MembershipFactory

    m = MembershipFactory(role=Role.COORDINATOR)
    outsider = Principal(user=m.user, membership=m)
    f = march(bro)
    assert services.total(outsider, f) == 0
    assert services.summary(outsider, f)["total"] == 0
    assert not services.incidents(outsider, f).exists()


def test_filter_parsing_reports_bad_values_and_keeps_good_ones(bro):
    f = IncidentFilter.from_query(
        QueryDict("from=2026-13-01&to=2026-03-31&category=ufo&category=fire&area=999999"), bro
    )
    assert f.categories == ("fire",)
    assert f.areas == ()
    assert len(f.errors) == 3
    swapped = IncidentFilter.from_query(QueryDict("from=2026-03-31&to=2026-03-01"), bro)
    assert (swapped.date_from, swapped.date_to) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    again = IncidentFilter.from_query(QueryDict(march(bro, "&category=fire").query_string()), bro)
    assert again == march(bro, "&category=fire")


@pytest.mark.parametrize(("days", "granularity"), [(30, "day"), (90, "week"), (365, "month")])
def test_granularity(bro, days, granularity):
    f = IncidentFilter(
        bro.pk, dt.date(2026, 1, 1), dt.date(2026, 1, 1) + dt.timedelta(days=days - 1)
    )
    assert services.granularity_for(f) == granularity

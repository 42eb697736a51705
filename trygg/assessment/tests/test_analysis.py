"""The analysis engine on the lägesbild's incidents: a planted series of car fires is found
as a hotspot and a near-repeat pattern; sources that joined late do not fake a trend."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict

from trygg.assessment import analysis
from trygg.assessment.filters import IncidentFilter
from trygg.core.models import Organisation
from trygg.core.permissions import Principal
from trygg.incidents.importers.base import IncidentRow
from trygg.incidents.models import PositionPrecision, Source, TimePrecision
from trygg.incidents.services import write_incidents

STOCKHOLM = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def fires(bro):
    """A series of car fires in Bro (night, within ~200 m, every few days) plus scattered
    background fires over the municipality."""
    import numpy as np

    police = Organisation.objects.get(municipality=bro, kind="police")
    source = Source.objects.create(
        municipality=bro, slug="pol", name="Polisen", kind="partner_log", owner_organisation=police
    )
    rng = np.random.default_rng(5)
    rows = []
    for k in range(40):  # the series
        day = dt.datetime(2025, 8, 1, 2, 0, tzinfo=STOCKHOLM) + dt.timedelta(days=2 * k)
        rows.append(
            IncidentRow(
                0,
                f"s{k}",
                "fire",
                "Bilbrand",
                day,
                TimePrecision.EXACT,
                PositionPrecision.STREET,
                lat=59.5125 + rng.normal(0, 0.0012),
                lon=17.6330 + rng.normal(0, 0.0022),
            )
        )
    for k in range(120):  # background
        day = dt.datetime(2025, 1, 1, 22, 0, tzinfo=STOCKHOLM) + dt.timedelta(
            days=int(rng.integers(0, 300))
        )
        centre = [(59.4786, 17.7510), (59.5070, 17.7950), (59.5420, 17.7000)][k % 3]
        rows.append(
            IncidentRow(
                0,
                f"b{k}",
                "fire",
                "Brand",
                day,
                TimePrecision.EXACT,
                PositionPrecision.STREET,
                lat=centre[0] + rng.normal(0, 0.01),
                lon=centre[1] + rng.normal(0, 0.02),
            )
        )
    write_incidents(source, rows)
    return bro


def coordinator():
    return Principal.for_user(get_user_model().objects.get(username="samordnare"))


def test_the_series_is_a_hotspot(fires):
    f = IncidentFilter.from_query(QueryDict("from=2025-01-01&to=2025-10-31&category=fire"), fires)
    layers = analysis.spatial_layers(coordinator(), f)
    assert 155 <= layers["events"] <= 160  # those within the map of the municipality
    hot = [feat for feat in layers["hotspots"]["features"] if feat["properties"]["class"] == 3]
    assert hot, "the series' cells are hot at 99 %"
    from shapely.geometry import Point, shape

    series_centre = Point(17.6330, 59.5125)
    assert any(shape(feat["geometry"]).buffer(0.003).contains(series_centre) for feat in hot)
    assert layers["density"]["features"]


def test_the_series_is_a_near_repeat_pattern(fires):
    f = IncidentFilter.from_query(QueryDict("from=2025-01-01&to=2025-10-31"), fires)
    finding = analysis.near_repeat_finding(coordinator(), f, "fire")
    assert finding.risk is not None
    # Fires every other day within ~200 m: raised risk close by, for days to weeks.
    assert finding.risk.distance_m <= 400 and finding.risk.days >= 7
    assert "risken för en till inom" in finding.sentence  # Swedish by default
    assert finding.zones["features"]


def test_no_trend_is_claimed_from_a_source_that_joined_late(fires):
    # All the fires come from one source that began in 2025: no three-year baseline.
    f = IncidentFilter.from_query(QueryDict("from=2025-01-01&to=2025-10-31"), fires)
    assert analysis.trend_findings(coordinator(), f) == []


def test_analysis_page_and_layers(client, fires):
    client.force_login(get_user_model().objects.get(username="polis"))
    page = client.get("/lagesbild/analys/?from=2025-01-01&to=2025-10-31&nr_category=fire")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Knox" in html
    layers = client.get(
        "/lagesbild/analys/layers.json?from=2025-01-01&to=2025-10-31&category=fire"
    ).json()
    assert set(layers) >= {"hotspots", "density", "emerging", "near_repeat_zones"}


def test_analysis_needs_a_membership(client, fires):
    from trygg.core.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/lagesbild/analys/").status_code == 403


def test_predictive_check_compares_with_last_periods_counts(fires):
    f = IncidentFilter.from_query(QueryDict("from=2025-01-01&to=2025-10-31&category=fire"), fires)
    check = analysis.predictive_check(coordinator(), f)
    assert check is not None
    assert check.hotspot_pai > 1  # better than chance
    assert 0 <= check.hotspot_hit_rate <= 1 and 0 <= check.naive_hit_rate <= 1

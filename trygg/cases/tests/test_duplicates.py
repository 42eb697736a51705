"""Possible duplicates: same category, within the radius and the time window, open."""

import datetime as dt

from django.utils import timezone

from trygg.cases import services
from trygg.cases.models import Case, Origin, State
from trygg.cases.tests.conftest import BRO_MUNICIPAL

LAT, LON = BRO_MUNICIPAL


def _case(world, code="belysning", dlat=0.0, dlon=0.0, **extra):
    return services.create_case(
        world.municipality,
        category=world.categories[code],
        lat=LAT + dlat,
        lon=LON + dlon,
        description="Mörkt här.",
        origin=Origin.PUBLIC,
        **extra,
    )


def test_same_category_nearby_is_suggested_nearest_first(world):
    far = _case(world, dlat=0.0003)  # ≈ 33 m
    near = _case(world, dlat=0.0001)  # ≈ 11 m
    found = services.find_duplicates(world.municipality, world.categories["belysning"], LAT, LON)
    assert found == [near, far]
    assert found[0].distance_m == 11


def test_other_categories_far_away_old_and_closed_cases_are_not(world):
    _case(world, code="klotter")
    _case(world, dlon=0.002)  # ≈ 113 m east
    old = _case(world)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=200))
    closed = _case(world)
    services.change_state(closed, world.coordinator, State.FIXED, text="Lagat.")
    assert (
        services.find_duplicates(world.municipality, world.categories["belysning"], LAT, LON) == []
    )


def test_radius_and_window_are_parameters(world):
    _case(world, dlon=0.002)
    assert (
        len(
            services.find_duplicates(
                world.municipality, world.categories["belysning"], LAT, LON, radius_m=150
            )
        )
        == 1
    )


def test_the_staff_form_suggests_duplicates_before_creating(world, client):
    existing = _case(world, dlat=0.0001)
    client.force_login(world.coordinator.user)
    data = {
        "category": world.categories["belysning"].pk,
        "lat": LAT,
        "lon": LON,
        "description": "Lampan är släckt.",
        "sensitivity": "partners",
    }
    response = client.post("/cases/new/", data)
    assert response.status_code == 200
    assert f"#{existing.pk}" in response.content.decode()
    assert Case.objects.count() == 1
    response = client.post("/cases/new/", {**data, "create_anyway": "on"})
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_the_nearby_partial_lists_them(world, client):
    existing = _case(world, dlat=0.0001)
    response = client.get(
        "/rapportera/nara/", {"lat": LAT, "lon": LON, "category": world.categories["belysning"].pk}
    )
    assert f"/arenden/{existing.pk}/" in response.content.decode()
    assert client.get("/rapportera/nara/", {"lat": "x"}).status_code == 200

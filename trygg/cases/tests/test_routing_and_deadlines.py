"""Routing (category × area × property → organisation) and deadlines."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from trygg.cases import services
from trygg.cases.models import Land, Origin, RoutingRule
from trygg.cases.tests.conftest import BRO_HOUSING, BRO_MUNICIPAL, OUTSIDE
from trygg.core.models import Area


def test_lighting_on_municipal_land_goes_to_the_technical_department(world):
    route = services.route(world.municipality, world.categories["belysning"], *BRO_MUNICIPAL)
    assert route.organisation == world.teknik
    assert route.property is None


def test_lighting_in_a_housing_area_goes_to_that_housing_company(world):
    route = services.route(world.municipality, world.categories["belysning"], *BRO_HOUSING)
    assert route.organisation == world.brohus
    assert route.property.owner == world.brohus


def test_a_category_without_its_own_rule_falls_back_to_the_coordination(world):
    route = services.route(world.municipality, world.categories["ovrigt"], *BRO_MUNICIPAL)
    assert route.organisation == world.coordination


def test_the_most_specific_rule_wins_category_then_area_then_land(world):
    bro = Area.objects.get(municipality=world.municipality, name="Bro")
    category = world.categories["trafik"]
    # category + any land → teknik (demo); add category + area → police
    RoutingRule.objects.create(
        municipality=world.municipality, category=category, area=bro, organisation=world.police
    )
    assert services.route(world.municipality, category, *BRO_MUNICIPAL, area=bro).organisation == (
        world.police
    )
    # Inside the housing property, the same area rule still beats "any category on a
    # property → the owner", because naming the category weighs most.
    assert services.route(world.municipality, category, *BRO_HOUSING, area=bro).organisation == (
        world.police
    )


def test_without_any_rule_routing_says_so(world):
    RoutingRule.objects.filter(municipality=world.municipality).delete()
    with pytest.raises(services.RoutingError):
        services.route(world.municipality, world.categories["belysning"], *BRO_MUNICIPAL)


def test_a_property_rule_may_name_another_organisation_than_the_owner(world):
    RoutingRule.objects.create(
        municipality=world.municipality,
        category=world.categories["klotter"],
        land=Land.PROPERTY,
        organisation=world.teknik,
    )
    route = services.route(world.municipality, world.categories["klotter"], *BRO_HOUSING)
    assert route.organisation == world.teknik


def test_create_case_routes_and_refuses_a_place_outside_the_municipality(world):
    case = services.create_case(
        world.municipality,
        category=world.categories["belysning"],
        lat=BRO_HOUSING[0],
        lon=BRO_HOUSING[1],
        description="Lampan vid porten är trasig.",
        origin=Origin.PUBLIC,
    )
    assert case.owner_organisation == world.brohus
    assert case.area.name == "Bro"
    first = case.updates.get()
    assert first.state_to == "new" and first.reassigned_to == world.brohus
    with pytest.raises(ValidationError):
        services.create_case(
            world.municipality,
            category=world.categories["belysning"],
            lat=OUTSIDE[0],
            lon=OUTSIDE[1],
            description="Mörkt.",
            origin=Origin.PUBLIC,
        )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 15), 6, dt.date(2026, 7, 15)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 1), 1, dt.date(2027, 1, 1)),
    ],
)
def test_deadlines_add_calendar_months(day, months, expected):
    assert services.add_months(day, months) == expected


def test_the_deadline_is_six_months_by_default_and_per_category(world):
    today = timezone.localdate()
    lamp = services.create_case(
        world.municipality,
        category=world.categories["belysning"],  # 3 months in the demo
        lat=BRO_MUNICIPAL[0],
        lon=BRO_MUNICIPAL[1],
        description="Mörk gångväg.",
        origin=Origin.PUBLIC,
    )
    other = services.create_case(
        world.municipality,
        category=world.categories["ovrigt"],  # the default, 6
        lat=BRO_MUNICIPAL[0],
        lon=BRO_MUNICIPAL[1],
        description="Otryggt vid parkeringen.",
        origin=Origin.PUBLIC,
    )
    assert lamp.deadline == services.add_months(today, 3)
    assert other.deadline == services.add_months(today, 6)
    assert world.categories["ovrigt"].deadline_months == 6
    assert not lamp.is_overdue
    lamp.deadline = today - dt.timedelta(days=1)
    assert lamp.is_overdue


def test_import_properties_routes_cases_to_the_owner_and_is_idempotent(world, write_file):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from trygg.cases.models import PropertyArea

    ring = [
        [17.640, 59.514],
        [17.650, 59.514],
        [17.650, 59.517],
        [17.640, 59.517],
        [17.640, 59.514],
    ]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"namn": "Gården Ekhagen"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    path = write_file(doc, "fastigheter.geojson")
    out = StringIO()
    call_command(
        "import_properties", path, "--owner", "Upplands-Brohus", "--name-field", "namn", stdout=out
    )
    assert "1 new" in out.getvalue()
    call_command(
        "import_properties", path, "--owner", "Upplands-Brohus", "--name-field", "namn", stdout=out
    )
    assert "1 unchanged" in out.getvalue()
    assert (
        services.route(
            world.municipality, world.categories["belysning"], *BRO_MUNICIPAL
        ).organisation
        == world.brohus
    )
    bad = write_file(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": None}],
        },
        "bad.geojson",
    )
    with pytest.raises(CommandError):
        call_command("import_properties", bad, "--owner", "Upplands-Brohus", stderr=StringIO())
    assert PropertyArea.objects.filter(name="Gården Ekhagen").count() == 1

"""Case lists, maps, the follow-up dashboard, the public map, the API and Open311 take as
many queries for fifteen cases as for three (each with an update and a photo)."""

import pytest

from trygg.cases import services
from trygg.cases.models import Origin, State
from trygg.cases.tests.conftest import jpeg


def add_cases(world, n, start=0):
    for i in range(start, start + n):
        case = services.create_case(
            world.municipality,
            category=world.categories["belysning" if i % 2 else "klotter"],
            lat=59.5150 + i * 0.0003,
            lon=17.6450,
            description=f"Ärende {i}: lampan är trasig.",
            origin=Origin.PUBLIC,
            reporter_email="boende@example.se",
            photo=jpeg(size=(60, 40)) if i % 3 == 0 else None,
        )
        services.moderate(case, world.coordinator, approve=True)
        services.change_state(case, world.coordinator, State.ACKNOWLEDGED, text="Vi tittar på det.")


STAFF = [
    "/cases/",
    "/cases/?status=all",
    "/cases/cases.geojson",
    "/cases/moderation/",
    "/cases/dashboard/",
    "/api/v1/cases?status=all",
]
PUBLIC = [
    "/arenden/",
    "/arenden/arenden.geojson",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
]


@pytest.mark.parametrize("urls", [STAFF, PUBLIC], ids=["staff", "public"])
def test_case_pages_do_not_grow_with_cases(world, client, page_queries, urls):
    if urls is STAFF:
        client.force_login(world.coordinator.user)
    add_cases(world, 3)
    before = {url: page_queries(url) for url in urls}
    add_cases(world, 12, start=3)
    assert {url: page_queries(url) for url in urls} == before


@pytest.mark.parametrize("who", ["teknik_member", "coordinator"])
def test_the_start_page_does_not_grow_with_cases(world, client, page_queries, who):
    """The start page lists an organisation's open cases with their next steps."""
    client.force_login(getattr(world, who).user)
    add_cases(world, 3)
    before = page_queries("/")
    add_cases(world, 12, start=3)
    assert page_queries("/") == before
    if who == "teknik_member":  # its cases are listed, each with its quick steps
        assert client.get("/").content.decode().count('class="inline-form quick-status"') >= 5

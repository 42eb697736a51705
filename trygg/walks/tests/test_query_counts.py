"""The walk's pages take as many queries for twelve findings as for two (each finding
with its routed case and a public response)."""

import uuid

from trygg.cases import services as cases
from trygg.walks import services
from trygg.walks.tests.conftest import finding_payload


def add_findings(world, walk, n):
    for i in range(n):
        finding, _ = services.sync_finding(
            walk,
            world.coordinator,
            uuid.uuid4(),
            finding_payload(world, lat=59.5080 + i * 0.0004, description=f"Fynd {i}"),
        )
        cases.add_note(finding.case, world.coordinator, "Åtgärdas i vår.", is_public=True)


def test_walk_pages_do_not_grow_with_findings(world, walk, client, page_queries):
    client.force_login(world.coordinator.user)
    add_findings(world, walk, 2)
    walk.status = "published"
    walk.save()
    urls = [
        f"/walks/{walk.pk}/",
        f"/walks/{walk.pk}/protocol/",
        f"/walks/{walk.pk}/findings.geojson",
        "/walks/",
        f"/trygghetsvandringar/{walk.pk}/",
    ]
    before = {url: page_queries(url) for url in urls}
    add_findings(world, walk, 10)
    after = {url: page_queries(url) for url in urls}
    assert after == before


def test_the_protocol_pdf_builder_does_not_grow_with_findings(world, walk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trygg.walks import protocol

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            protocol.build(walk)
        return len(captured)

    add_findings(world, walk, 2)
    before = queries()
    add_findings(world, walk, 10)
    assert queries() == before

"""The lägesbild's pages, map data, exports list and API, the import and field-round lists,
and the shell's lists take as many queries with many rows as with few: aggregates are read
from the summary table, lists are fetched with what they show."""

import datetime as dt

from django.contrib.auth import get_user_model

from trygg.assessment.models import LagesbildDocument
from trygg.assessment.tests.conftest import make_rows
from trygg.core.jobs import JobStatus
from trygg.core.models import Area, Organisation
from trygg.core.tests.factories import MembershipFactory, NoticeFactory, OrganisationFactory
from trygg.incidents.models import FieldReport, ImportJob
from trygg.incidents.services import write_incidents

URLS = [
    "/",
    "/lagesbild/?from=2026-01-01&to=2026-06-30",
    "/lagesbild/map.json?from=2026-01-01&to=2026-06-30",
    "/lagesbild/analys/?from=2026-01-01&to=2026-06-30",
    "/lagesbild/dokument/",
    "/api/v1/incidents?date_from=2026-01-01&date_to=2026-06-30",
    "/api/v1/assessment/summary?date_from=2026-01-01&date_to=2026-06-30",
    "/incidents/imports/",
    "/incidents/field-reports/",
    "/notices/",
    "/organisations/",
    "/audit/",
    "/areas/",
    "/trygghet/",
]


def add_rows(bro, sources, n, start):
    bro_area = Area.objects.get(municipality=bro, name="Bro").pk
    spec = [
        (
            f"r{i}",
            "vandalism",
            f"2026-0{1 + i % 6}-{1 + i % 27:02d} 21:00",
            59.508 + i * 1e-4,
            17.636,
        )
        for i in range(start, start + n)
    ]
    spec += [(f"a{i}", "fire", "2026-03-02 22:00", bro_area) for i in range(start, start + n)]
    write_incidents(sources["housing"], make_rows(spec))
    coordination = Organisation.objects.get(municipality=bro, name__startswith="Kommunledning")
    for i in range(start, start + n):
        NoticeFactory(owner_organisation=coordination, title=f"Anslag {i}")
        org = OrganisationFactory(municipality=bro, name=f"Förening {i}")
        MembershipFactory(organisation=org)
        ImportJob.objects.create(
            municipality=bro, importer="incidents", file_name=f"logg-{i}.csv",
            started_by_label="test", status=JobStatus.DONE,
        )  # fmt: skip
        FieldReport.objects.create(
            municipality=bro, owner_organisation=coordination, date=dt.date(2026, 3, 1 + i % 27),
            start_time=dt.time(19), end_time=dt.time(22), area_id=bro_area, met_16_17=3,
            observations=["groups"],
        )  # fmt: skip
        LagesbildDocument.objects.create(
            municipality=bro, version=100 + i, date_from=dt.date(2026, 1, 1),
            date_to=dt.date(2026, 6, 30), audience="partners", status=JobStatus.DONE,
        )  # fmt: skip


def test_lists_and_maps_do_not_grow_with_rows(bro, sources, client, page_queries):
    client.force_login(get_user_model().objects.get(username="admin"))
    add_rows(bro, sources, 2, 0)
    before = {url: page_queries(url) for url in URLS}
    add_rows(bro, sources, 12, 2)
    assert {url: page_queries(url) for url in URLS} == before


def test_the_lagesbild_document_builder_does_not_grow_with_incidents(bro, sources):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trygg.assessment.document import LagesbildRequest, build

    request = LagesbildRequest(bro, dt.date(2026, 1, 1), dt.date(2026, 6, 30))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            build(request)
        return len(captured)

    add_rows(bro, sources, 2, 0)
    before = queries()
    add_rows(bro, sources, 12, 2)
    assert queries() == before

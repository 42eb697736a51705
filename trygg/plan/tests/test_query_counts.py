"""The plan's pages, the public plan page and the plan's PDF and XLSX builders take as
many queries for twelve measures (each with a partner, a problem with a cause, an
indicator with values and an activity) as for two."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from trygg.core.models import Sensitivity
from trygg.plan import exports
from trygg.plan.models import Activity, Cause, Decision, Measurement, Meeting, Pledge, Problem
from trygg.plan.tests.conftest import make_indicator, make_measure


def add_measures(pw, n, start=0):
    for i in range(start, start + n):
        problem = Problem.objects.create(
            municipality=pw.municipality, owner_organisation=pw.fritid,
            sensitivity=Sensitivity.PUBLIC, title=f"Problem {i}", priority=1 + i % 3,
        )  # fmt: skip
        problem.areas.set([pw.areas["Bro"]])
        cause = Cause.objects.create(problem=problem, description=f"Orsak {i}")
        measure = make_measure(
            pw, title=f"Åtgärd {i}", problem=problem, cause=cause, partners=[pw.police]
        )
        indicator = make_indicator(measure, kind="manual", name=f"Indikator {i}")
        Measurement.objects.create(
            indicator=indicator, period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 3, 31), value=5 + i,
        )  # fmt: skip
        activity = Activity.objects.create(
            municipality=pw.municipality, owner_organisation=pw.fritid,
            sensitivity=Sensitivity.PUBLIC, type="holiday_programme", title=f"Lovaktivitet {i}",
            start_date=dt.date(2026, 6, 15), end_date=dt.date(2026, 6, 20),
            area=pw.areas["Bro"], participants=20 + i, measure=measure,
        )  # fmt: skip
        activity.organisers.set([pw.fritid])
        pledge = Pledge.objects.create(
            municipality=pw.municipality, year=2026, title=f"Löfte {i}", problem="Oro",
            police_promise="Närvaro", municipality_promise="Belysning",
        )  # fmt: skip
        pledge.follow_ups.create(half=1, status="green", public_text="Pågår")
        meeting = Meeting.objects.create(
            municipality=pw.municipality, body="council", date=dt.date(2026, 3, 1 + i)
        )
        meeting.participants.set([pw.fritid, pw.police])
        Decision.objects.create(meeting=meeting, text=f"Beslut {i}", measure=measure)


def builder_queries(build) -> int:
    build()  # once to warm what the principal caches (its municipality)
    with CaptureQueriesContext(connection) as captured:
        build()
    return len(captured)


def test_plan_pages_and_exports_do_not_grow_with_measures(pw, client, page_queries):
    urls = [
        "/plan/",
        "/plan/problems/",
        "/plan/activities/?year=2026",
        "/plan/pledges/",
        "/plan/forum/",
        "/atgardsplan/",
    ]
    builders = {
        "plan_pdf": lambda: exports.plan_pdf(pw.plan, pw.coordinator),
        "plan_xlsx": lambda: exports.plan_xlsx(pw.plan, pw.coordinator),
    }

    def counts():
        client.force_login(pw.coordinator.user)
        found = {url: page_queries(url) for url in urls}
        found.update({name: builder_queries(build) for name, build in builders.items()})
        return found

    add_measures(pw, 2)
    before = counts()
    add_measures(pw, 10, start=2)
    assert counts() == before

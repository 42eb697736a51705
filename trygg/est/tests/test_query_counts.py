"""The weekly picture's list pages take as many queries for twelve reports as for two
(linkedevents' "adding a child does not add a query")."""

import datetime as dt

from django.utils import timezone

from trygg.est.models import Observation, Status


def report(est, i, status=Status.NEW):
    who = [est.housing, est.police, est.fritid][i % 3]
    code = ["klotter", "krossat", "grupper"][i % 3]
    return Observation.objects.create(
        municipality=est.municipality,
        owner_organisation=who.organisation,
        reporter=who.user,
        category=est.cat[code],
        area=est.areas["Bro"],
        lat=59.508 + (i % 4) * 0.0003,
        lon=17.636,
        occurred_at=timezone.now() - dt.timedelta(hours=i),
        status=status,
    )


def test_review_queue_does_not_grow_with_reports(est, client, page_queries):
    client.force_login(est.coordinator.user)
    for i in range(2):
        report(est, i)
    before = page_queries("/veckobild/review/")
    for i in range(2, 12):
        report(est, i)
    assert page_queries("/veckobild/review/") == before
    assert before <= 20


def test_weekly_pages_do_not_grow_with_reports(est, client, page_queries):
    from trygg.est.weeks import Week

    week = Week.of(timezone.localdate())
    urls = [
        f"/veckobild/?week={week}",
        f"/veckobild/points.geojson?week={week}",
        "/veckobild/stats/",
        "/veckobild/tertial/",
        f"/veckobild/meeting/{week}/",
        f"/api/v1/observations?week={week}",
    ]
    for i in range(3):
        report(est, i, status=Status.INFO)
        report(est, 100 + i, status=Status.ACTION)

    def counts():
        client.force_login(est.coordinator.user)
        found = {url: page_queries(url) for url in urls}
        client.force_login(est.housing.user)  # "my reports": the housing company's
        found["/veckobild/mine/"] = page_queries("/veckobild/mine/")
        return found

    before = counts()
    for i in range(3, 15):
        report(est, i, status=Status.INFO)
    assert counts() == before


def test_the_weekly_pdf_does_not_grow_with_reports(est):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trygg.est import report as weekly_report
    from trygg.est.weeks import Week

    week = Week.of(timezone.localdate())

    def queries() -> int:
        weekly_report.render(est.coordinator, week)  # warm the principal's caches
        with CaptureQueriesContext(connection) as captured:
            weekly_report.render(est.coordinator, week)
        return len(captured)

    for i in range(2):
        report(est, i, status=Status.INFO)
    before = queries()
    for i in range(2, 12):
        report(est, i, status=Status.ACTION)
    assert queries() == before

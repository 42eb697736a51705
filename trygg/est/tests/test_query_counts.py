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

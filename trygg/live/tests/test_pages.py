"""The live picture's pages: who may see and do what, the brief and its follow-up, the
rules page, the digest — and query counts that do not grow with the alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from trygg.core.models import AuditEntry
from trygg.est.models import Action, FocusPlace
from trygg.est.weeks import Week
from trygg.incidents.models import PoliceFeedFollow
from trygg.incidents.taxonomy import SeriousFamily
from trygg.live.models import AlertFollowUp, DigestSubscription, EventAlert
from trygg.live.services import alerts, digest

pytestmark = pytest.mark.django_db

BRUNNA = (59.50691, 17.79404)


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def shooting(rules, police_log, report):
    job = report(police_log, "S-1", "Skottlossning", lat=BRUNNA[0], lon=BRUNNA[1])
    [alert] = alerts.check_job(job.pk, police_log.municipality_id)
    return alert


def test_the_list_and_the_brief_show_the_event_and_its_zone(client, shooting):
    client.force_login(user("bostad"))
    page = client.get("/lagesbild/handelser/").content.decode()
    assert "Skottlossning" in page and f"/lagesbild/handelser/{shooting.pk}/" in page
    brief = client.get(f"/lagesbild/handelser/{shooting.pk}/").content.decode()
    assert f"Inom {shooting.zone_m} m från platsen" in brief
    assert "Brunna" in brief
    geo = client.get(f"/lagesbild/handelser/{shooting.pk}/karta.geojson").json()
    kinds = {f["properties"]["kind"] for f in geo["features"]}
    assert {"zone", "event"} <= kinds
    # A member may read but not decide the follow-up.
    assert "Ta upp zonen som fokusplats" not in brief
    assert (
        client.post(f"/lagesbild/handelser/{shooting.pk}/", {"action": "agenda"}).status_code == 403
    )


def test_another_municipalitys_alert_is_not_found(client, shooting, linkoping):
    from trygg.core.models import Membership, Organisation, Role

    other = Organisation.objects.create(municipality=linkoping, name="Linköpings kommun")
    visitor = get_user_model().objects.create_user("lkpg", password="x")
    Membership.objects.create(user=visitor, organisation=other, role=Role.COORDINATOR)
    client.force_login(visitor)
    assert client.get(f"/lagesbild/handelser/{shooting.pk}/").status_code == 404
    assert client.get(f"/lagesbild/handelser/{shooting.pk}/karta.geojson").status_code == 404


def test_the_coordinator_puts_the_zone_on_the_agenda_and_adds_an_action(client, shooting, orgs):
    client.force_login(user("samordnare"))
    url = f"/lagesbild/handelser/{shooting.pk}/"
    assert client.post(url, {"action": "agenda"}).status_code == 302
    assert client.post(url, {"action": "agenda"}).status_code == 302  # once per meeting
    focus = FocusPlace.objects.get()
    week = Week.of(timezone.localdate())
    assert (focus.meeting.iso_year, focus.meeting.iso_week) == (week.year, week.week)
    assert focus.area.name == "Brunna" and "Skottlossning" in focus.reason
    due = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        url,
        {
            "action": "action",
            "kind": "presence",
            "text": "",
            "owner": orgs["housing"].pk,
            "due": due,
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.owner == orgs["housing"] and action.due == due
    assert action.text.startswith("Extra närvaro av fältarbetare i zonen")
    assert AlertFollowUp.objects.filter(alert=shooting).count() == 2
    # The action is on the weekly meeting's page, the follow-up on the brief.
    meeting = client.get(f"/veckobild/meeting/{week}/").content.decode()
    assert "Extra närvaro av fältarbetare" in meeting
    brief = client.get(url).content.decode()
    assert "Fokusplats vecka" in brief and "Extra närvaro" in brief
    # A date that has passed is refused with a message, nothing written.
    response = client.post(
        url,
        {"action": "action", "kind": "walk", "owner": orgs["housing"].pk, "due": "2020-01-01"},
    )
    assert response.status_code == 400 and "Datumet har passerat" in response.content.decode()
    assert Action.objects.count() == 1


def test_only_those_allowed_change_who_is_alerted(client, rules, orgs):
    client.force_login(user("bostad"))
    assert client.get("/lagesbild/handelser/regler/").status_code == 403
    client.force_login(user("samordnare"))
    page = client.get("/lagesbild/handelser/regler/")
    assert page.status_code == 200 and "Anlagd brand i bostadsområde" in page.content.decode()
    data = {}
    for rule in rules.values():
        if rule.family != SeriousFamily.EXPLOSION:
            data[f"{rule.family}-is_active"] = "on"
        data[f"{rule.family}-organisations"] = [orgs["police"].pk]
    assert client.post("/lagesbild/handelser/regler/", data).status_code == 302
    explosion = rules[SeriousFamily.EXPLOSION]
    explosion.refresh_from_db()
    assert not explosion.is_active
    assert list(rules[SeriousFamily.SHOOTING].organisations.all()) == [orgs["police"]]
    assert AuditEntry.objects.filter(changes__serious_event_rule="explosion").exists()


def test_following_the_feed_is_turned_on_by_those_who_import(client, bro):
    client.force_login(user("bostad"))
    assert client.post("/lagesbild/handelser/", {"action": "follow"}).status_code == 403
    client.force_login(user("samordnare"))
    client.post("/lagesbild/handelser/", {"action": "follow"})
    assert PoliceFeedFollow.objects.get(municipality=bro).is_active
    page = client.get("/lagesbild/handelser/").content.decode()
    assert "Följs löpande sedan" in page
    client.post("/lagesbild/handelser/", {"action": "unfollow"})
    assert not PoliceFeedFollow.objects.get(municipality=bro).is_active


def test_the_weekly_digest_is_opt_in_and_sent_once_a_week(client, shooting, bro):
    client.force_login(user("polis"))
    client.post("/lagesbild/handelser/", {"action": "digest-on"})
    assert DigestSubscription.objects.filter(user__username="polis").exists()
    monday = (
        timezone.localdate()
        - dt.timedelta(days=timezone.localdate().weekday())
        + dt.timedelta(days=7)
    )
    assert digest.send_all(today=monday) == 1
    assert digest.send_all(today=monday) == 0  # once a week
    [message] = mail.outbox
    assert message.to == ["polis@demo.trygg.invalid"]
    assert "Veckans bild, vecka" in message.subject
    assert (
        "Skottlossning" in message.body and f"/lagesbild/handelser/{shooting.pk}/" in message.body
    )
    client.post("/lagesbild/handelser/", {"action": "digest-off"})
    assert not DigestSubscription.objects.exists()


def test_the_list_page_does_not_grow_with_alerts(client, rules, police_log, report, page_queries):
    client.force_login(user("samordnare"))

    def add(k):
        job = report(
            police_log,
            f"Q-{k}",
            "Skottlossning",
            when=timezone.now() - dt.timedelta(hours=3 * k + 1),
            lat=BRUNNA[0] + 0.01 * k,
            lon=BRUNNA[1],
        )
        alerts.check_job(job.pk, police_log.municipality_id)

    for k in range(2):
        add(k)
    before = page_queries("/lagesbild/handelser/")
    for k in range(2, 10):
        add(k)
    assert EventAlert.objects.count() == 10
    assert page_queries("/lagesbild/handelser/") == before


def test_after_the_window_the_brief_compares_what_happened_with_the_expectation(
    client, rules, police_log, report
):
    """A shooting 20 days ago (zone 100 m, 14 days): two more within 60 m in its window,
    one the year before, one outside the zone — the brief counts two against the zone's
    own rate (one a year: 14/365 ≈ 0,04)."""
    now = timezone.now()
    job = report(
        police_log, "W-0", "Skottlossning", when=now - dt.timedelta(days=20),
        lat=BRUNNA[0], lon=BRUNNA[1],
    )  # fmt: skip
    rules_max_age = dt.timedelta(days=30)
    from django.test import override_settings

    with override_settings(ALERT_MAX_AGE_HOURS=rules_max_age.days * 24):
        [alert] = alerts.check_job(job.pk, police_log.municipality_id)
    for ref, days_ago, dlat in (
        ("W-1", 18, 0.0004),
        ("W-2", 10, -0.0005),
        ("W-3", 200, 0.0003),
        ("W-4", 15, 0.01),
    ):
        report(police_log, ref, "Skottlossning", when=now - dt.timedelta(days=days_ago),
               lat=BRUNNA[0] + dlat, lon=BRUNNA[1])  # fmt: skip
    from trygg.live.services import brief

    evaluation = brief.evaluation(alert)
    assert evaluation.over and evaluation.check.observed == 2
    assert evaluation.baseline_events == 1
    assert evaluation.check.expected_base == pytest.approx(14 / 365)
    client.force_login(user("samordnare"))
    page = client.get(f"/lagesbild/handelser/{alert.pk}/").content.decode()
    assert "Under perioden på 14 dagar: 2 händelser till" in page
    assert "(1 sådan händelse) skulle 0,04 väntas" in page


def test_the_brief_and_its_map_do_not_grow_with_what_is_in_the_zone(
    client, shooting, police_log, report, page_queries
):
    client.force_login(user("samordnare"))

    def add(k):  # earlier serious events and ordinary incidents in the zone
        when = timezone.now() - dt.timedelta(days=2 + k)
        report(police_log, f"Z-{k}", "Skottlossning", when=when,
               lat=BRUNNA[0] + 0.00005 * k, lon=BRUNNA[1])  # fmt: skip
        report(police_log, f"Z-{k}-s", "Stöld", when=when,
               lat=BRUNNA[0], lon=BRUNNA[1] + 0.0001 * k, category="theft")  # fmt: skip

    urls = [
        f"/lagesbild/handelser/{shooting.pk}/",
        f"/lagesbild/handelser/{shooting.pk}/karta.geojson",
    ]
    for k in range(2):
        add(k)
    before = {url: page_queries(url) for url in urls}
    for k in range(2, 10):
        add(k)
    assert {url: page_queries(url) for url in urls} == before
    geo = client.get(urls[1]).json()
    assert sum(f["properties"]["kind"] == "serious" for f in geo["features"]) == 10

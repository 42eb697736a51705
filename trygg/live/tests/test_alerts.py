"""Serious-event alerts (#18): exactly one alert per subscribed organisation with the
risk zone; none for an ordinary event; updates threaded and coalesced; never a point for
a municipality-only position; never a personal identity number verbatim; the limits."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core import mail
from django.utils import timezone

from tests.support.fake_feed import FakeClock, record
from trygg.incidents import feed
from trygg.incidents.models import PositionPrecision
from trygg.incidents.taxonomy import Category, SeriousFamily
from trygg.live.models import AlertDelivery, DeliveryStatus, EventAlert, ZoneBasis
from trygg.live.services import alerts, brief, zone
from trygg.live.services.following import run_cycle

pytestmark = pytest.mark.django_db

BRUNNA = (59.50691, 17.79404)


def sent_to(messages) -> dict[str, list]:
    out: dict[str, list] = {}
    for m in messages:
        out.setdefault(m.to[0].split("@")[0], []).append(m)
    return out


def test_a_serious_event_alerts_each_subscribed_organisation_once_with_its_zone(
    rules, police_log, report
):
    job = report(police_log, "P-1", "Skottlossning", lat=BRUNNA[0], lon=BRUNNA[1])
    [alert] = alerts.check_job(job.pk, police_log.municipality_id)
    alerts.check_job(job.pk, police_log.municipality_id)  # checked twice: still one alert
    assert EventAlert.objects.count() == 1
    assert alert.has_point and alert.area.name == "Brunna"
    assert alert.zone_m > 0 and alert.zone_days > 0
    assert alerts.send_pending() == 2  # the police's and the housing company's member
    assert alerts.send_pending() == 0  # once
    by_user = sent_to(mail.outbox)
    assert set(by_user) == {"polis", "bostad"}  # the school is not subscribed
    message = by_user["polis"][0]
    assert "Skottlossning" in message.subject and "Brunna" in message.body
    assert f"inom {alert.zone_m} m" in message.body and f"{alert.zone_days} dagar" in message.body
    assert f"/lagesbild/handelser/{alert.pk}/" in message.body
    assert message.extra_headers["Message-ID"] == alert.message_id


def test_an_ordinary_event_alerts_no_one(rules, police_log, report):
    job = report(police_log, "P-2", "Stöld", lat=BRUNNA[0], lon=BRUNNA[1], category=Category.THEFT)
    assert alerts.check_job(job.pk, police_log.municipality_id) == []
    assert alerts.send_pending() == 0
    assert not EventAlert.objects.exists()


def test_an_old_event_or_an_inactive_rule_alerts_no_one(rules, police_log, report):
    old = report(police_log, "P-3", "Skottlossning", when=timezone.now() - dt.timedelta(days=5))
    assert alerts.check_job(old.pk, police_log.municipality_id) == []
    rules[SeriousFamily.SHOOTING].is_active = False
    rules[SeriousFamily.SHOOTING].save()
    job = report(police_log, "P-4", "Skottlossning", lat=BRUNNA[0], lon=BRUNNA[1])
    assert alerts.check_job(job.pk, police_log.municipality_id) == []


def test_a_feed_event_alerts_within_the_poll_and_its_updates_thread(
    rules, fake_feed, bro, settings
):
    """Through the follower: the poll that imports the event sends the alert; the police
    edit the event five times; the partners get one update, a reply in the same thread."""
    settings.ALERT_UPDATE_MINUTES = 30
    clock = FakeClock(timezone.now().replace(microsecond=0))
    follow = feed.turn_on(bro, by="test")
    when = clock.now() - dt.timedelta(hours=1)
    fake_feed.publish([record(9001, when, "Skottlossning", "Upplands-Bro", "Skottlossning i Bro.")])
    cycle = run_cycle(clock=clock)
    assert cycle.emails == 2
    [alert] = EventAlert.objects.all()
    first_id = alert.message_id
    for k in range(5):  # edited five times, ten minutes apart
        clock.advance(minutes=10)
        fake_feed.publish(
            [
                record(
                    9001,
                    when,
                    "Skottlossning",
                    "Upplands-Bro",
                    f"Skottlossning i Bro. Uppdatering {k + 1}: ingen skadad.",
                    published=clock.now(),
                )
            ]
        )
        run_cycle(clock=clock)
    assert EventAlert.objects.count() == 1
    alert.refresh_from_db()
    assert alert.version == 6
    # Within half an hour of the alert the updates wait; then the latest goes, once.
    sent = alerts.send_pending(now=timezone.now() + dt.timedelta(minutes=31))
    assert sent == 2
    assert alerts.send_pending(now=timezone.now() + dt.timedelta(minutes=62)) == 0
    by_user = sent_to(mail.outbox)
    assert [len(v) for v in by_user.values()] == [2, 2]
    update = by_user["polis"][1]
    assert update.extra_headers["In-Reply-To"] == first_id
    assert update.extra_headers["References"] == first_id
    assert "Uppdatering 5" in update.body and "Uppdatering 4" not in update.body
    assert update.subject.startswith("Uppdatering:")
    assert follow.source.incidents.count() == 1


def test_a_municipality_only_position_never_yields_a_point(rules, fake_feed, bro):
    clock = FakeClock(timezone.now().replace(microsecond=0))
    feed.turn_on(bro, by="test")
    fake_feed.publish(
        [record(9100, clock.now() - dt.timedelta(hours=2), "Skottlossning", "Upplands-Bro")]
    )
    run_cycle(clock=clock)
    [alert] = EventAlert.objects.all()
    assert alert.lat is None and alert.lon is None and not alert.has_point
    assert alert.position_precision == PositionPrecision.MUNICIPALITY
    assert alert.area is None and alert.address == ""
    alerts.send_pending()
    body = mail.outbox[0].body
    assert "59.51" not in body and "17.68" not in body  # the feed's centroid
    assert "bara kommunen" in body
    geo = brief.map_for(_principal("samordnare"), alert)
    assert not any(f["geometry"]["type"] == "Point" for f in geo["features"])
    assert not any(f["properties"]["kind"] == "zone" for f in geo["features"])


def test_a_personal_identity_number_is_never_sent_verbatim(rules, police_log, report):
    text = "Skottlossning utanför porten, 19850312-1231 hördes, ring 070-123 45 67."
    job = report(police_log, "P-5", "Skottlossning", lat=BRUNNA[0], lon=BRUNNA[1], text=text)
    [alert] = alerts.check_job(job.pk, police_log.municipality_id)
    alerts.send_pending()
    for message in mail.outbox:
        assert "19850312-1231" not in message.body and "850312" not in message.body
        assert "070-123 45 67" not in message.body
    assert "19850312-1231" not in alert.summary


def test_two_reports_of_one_event_make_one_alert_and_the_better_place_wins(
    rules, fake_feed, bro, police_log, report
):
    clock = FakeClock(timezone.now().replace(microsecond=0))
    feed.turn_on(bro, by="test")
    when = clock.now() - dt.timedelta(hours=3)
    fake_feed.publish([record(9200, when, "Skottlossning", "Upplands-Bro")])
    run_cycle(clock=clock)
    [alert] = EventAlert.objects.all()
    assert not alert.has_point
    job = report(
        police_log,
        "P-6",
        "Skottlossning",
        when=when + dt.timedelta(minutes=20),
        lat=BRUNNA[0],
        lon=BRUNNA[1],
    )
    alerts.check_job(job.pk, bro.pk)
    alert.refresh_from_db()
    assert EventAlert.objects.count() == 1 and alert.reports.count() == 2
    assert alert.has_point and alert.area.name == "Brunna" and alert.version == 2


def test_arson_is_alerted_near_homes_only(rules, police_log, report, demo_addresses, bro):
    from trygg.core.models import AddressPoint

    home = AddressPoint.objects.filter(municipality=bro).first()
    near = report(
        police_log, "P-7", "Anlagd brand", lat=home.lat, lon=home.lon, category=Category.FIRE
    )
    assert len(alerts.check_job(near.pk, bro.pk)) == 1
    far = report(police_log, "P-8", "Anlagd brand", lat=59.60, lon=17.45, category=Category.FIRE)
    assert alerts.check_job(far.pk, bro.pk) == []


def test_an_organisations_alerts_are_limited_per_hour(rules, police_log, report, settings):
    settings.ALERTS_PER_ORGANISATION_PER_HOUR = 3
    for k in range(5):
        job = report(
            police_log,
            f"P-L{k}",
            "Skottlossning",
            when=timezone.now() - dt.timedelta(hours=5 + 3 * k),
            lat=BRUNNA[0] + 0.02 * k,
            lon=BRUNNA[1],
        )
        alerts.check_job(job.pk, police_log.municipality_id)
    assert EventAlert.objects.count() == 5
    alerts.send_pending()
    assert len(sent_to(mail.outbox)["polis"]) == 3
    waiting = AlertDelivery.objects.filter(status=DeliveryStatus.PENDING)
    assert waiting.count() == 4  # two for each organisation
    alerts.send_pending(now=timezone.now() + dt.timedelta(minutes=61))
    assert len(sent_to(mail.outbox)["polis"]) == 5


# --- The zone --------------------------------------------------------------------------------


def test_the_zone_comes_from_own_history_when_it_shows_near_repeats(bro, police_log, report):
    """Forty shootings in twenty pairs: each pair 40 m and two days apart, the pairs
    kilometres and months apart — a near-repeat pattern the Knox test finds."""
    from trygg.incidents.importers.base import IncidentRow
    from trygg.incidents.models import TimePrecision
    from trygg.incidents.services import write_incidents

    rng = np.random.default_rng(1)
    start = timezone.now() - dt.timedelta(days=900)
    rows = []
    for k in range(20):
        lat = 59.47 + rng.uniform(0, 0.08)
        lon = 17.60 + rng.uniform(0, 0.2)
        when = start + dt.timedelta(days=40 * k)
        for j, (dlat, days) in enumerate(((0, 0), (0.00036, 2))):
            rows.append(
                IncidentRow(
                    row=len(rows) + 1,
                    source_ref=f"H{k}-{j}",
                    category=Category.WEAPONS,
                    source_type="Skottlossning",
                    occurred_at=when + dt.timedelta(days=days),
                    occurred_precision=TimePrecision.EXACT,
                    position_precision=PositionPrecision.EXACT,
                    lat=lat + dlat,
                    lon=lon,
                )
            )
    write_incidents(police_log, rows)
    own = zone.risk_zone(bro.pk, SeriousFamily.SHOOTING)
    assert own.basis == ZoneBasis.OWN
    assert own.distance_m <= 100 and own.days <= 7
    assert own.detail["events"] == 40 and own.detail["p"] <= 0.05
    assert "Knox" in zone.describe(own.distance_m, own.days, own.basis, own.detail)


def test_a_thin_history_gives_the_published_figure_labelled(bro):
    thin = zone.risk_zone(bro.pk, SeriousFamily.EXPLOSION)
    assert thin.basis == ZoneBasis.LITERATURE
    assert (thin.distance_m, thin.days) == (100, 14)
    text = zone.describe(thin.distance_m, thin.days, thin.basis, thin.detail)
    assert "Sturup" in text and "skottlossningar" in text  # measured for shootings, said so


def _principal(username):
    from django.contrib.auth import get_user_model

    from trygg.core.permissions import Principal

    return Principal.for_user(get_user_model().objects.get(username=username))

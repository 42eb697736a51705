"""Following the police feed continuously (#18): against a local fake feed server — new
events imported once, an edited event updated, a missed window recorded as a gap, the
10-second rule and the backoff honoured (with a fake clock), network errors leaving no
partial import; the backfill of an archive."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.support.fake_feed import FakeClock, FakeFeed, record
from trygg.core.importing import ImportRefused
from trygg.incidents import coverage, feed
from trygg.incidents.models import (
    FeedGap,
    FeedPoll,
    FeedState,
    Incident,
    IncidentRevision,
    PoliceFeedFollow,
    PollStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    with FakeFeed() as server:
        settings.POLICE_FEED_URL = server.url
        yield server


@pytest.fixture
def clock():
    return FakeClock(timezone.now().replace(microsecond=0))


@pytest.fixture
def follows(bro):
    return feed.turn_on(bro, by="test")


def hours_ago(clock, hours: float) -> dt.datetime:
    return clock.now() - dt.timedelta(hours=hours)


def national(clock, first_id: int = 1000, n: int = 20) -> list[dict]:
    """A national feed: most events elsewhere, some in Upplands-Bro."""
    places = ["Stockholm", "Linköping", "Upplands-Bro", "Västerås", "Malmö"]
    return [
        record(
            first_id + k,
            hours_ago(clock, 30 - k),
            ["Stöld", "Skadegörelse", "Misshandel", "Trafikolycka"][k % 4],
            places[k % len(places)],
            f"Händelse {k}.",
        )
        for k in range(n)
    ]


def bro_incidents(follow):
    return Incident.objects.filter(source=follow.source)


def test_new_events_are_imported_once(fake, clock, follows):
    events = national(clock)
    fake.publish(events)
    first = feed.poll(clock=clock)
    assert first.poll.status == PollStatus.OK
    assert first.poll.events_seen == 20
    assert first.poll.new_count == 4  # every fifth event is Upplands-Bro's
    assert bro_incidents(follows).count() == 4
    assert first.poll.results["0139"]["new"] == 4
    # The next poll, nothing new: a conditional request, nothing written, no job left.
    clock.advance(minutes=10)
    second = feed.poll(clock=clock)
    assert fake.requests[-1].get("If-None-Match")
    assert second.poll.status == PollStatus.NOT_MODIFIED
    assert second.poll.new_count == 0 and second.outcomes[0].job is None
    # The feed moves on: one new event of ours, the old ones still in it.
    events.append(record(2000, hours_ago(clock, 1), "Inbrott", "Upplands-Bro", "Inbrott."))
    fake.publish(events)
    clock.advance(minutes=10)
    third = feed.poll(clock=clock)
    assert third.poll.new_count == 1 and third.poll.changed_count == 0
    assert bro_incidents(follows).count() == 5
    assert PoliceFeedFollow.objects.get(pk=follows.pk).last_poll == third.poll


def test_an_edited_event_is_updated_with_a_revision(fake, clock, follows):
    event = record(3000, hours_ago(clock, 2), "Misshandel", "Upplands-Bro", "Bråk vid stationen.")
    fake.publish([event])
    feed.poll(clock=clock)
    # The police edit the title's type and the summary; the publication time moves on.
    edited = record(
        3000,
        hours_ago(clock, 2),
        "Misshandel, grov",
        "Upplands-Bro",
        "Grov misshandel vid stationen, en till sjukhus.",
        published=clock.now(),
    )
    fake.publish([edited])
    clock.advance(minutes=10)
    outcome = feed.poll(clock=clock)
    assert outcome.poll.changed_count == 1 and outcome.poll.new_count == 0
    incident = bro_incidents(follows).get()
    assert incident.source_type == "Misshandel, grov"
    assert "sjukhus" in incident.description
    revision = IncidentRevision.objects.get(incident=incident)
    assert revision.changes["source_type"] == ["Misshandel", "Misshandel, grov"]
    assert incident.import_job == outcome.jobs[0]


def test_a_missed_window_is_recorded_as_a_gap(fake, clock, follows):
    fake.publish([record(4000, hours_ago(clock, 40), "Stöld", "Upplands-Bro")])
    feed.poll(clock=clock)
    follows.refresh_from_db()
    held_until = follows.observed_until
    # Two days without polls: the feed now starts after the newest event held.
    clock.advance(days=2)
    later = [record(4100 + k, hours_ago(clock, 20 - k), "Stöld", "Stockholm") for k in range(5)] + [
        record(4200, hours_ago(clock, 3), "Skadegörelse", "Upplands-Bro")
    ]
    fake.publish(later)
    outcome = feed.poll(clock=clock)
    gap = FeedGap.objects.get(source=follows.source)
    assert gap.start == held_until
    assert gap.end == outcome.poll.oldest_published
    assert outcome.outcomes[0].gap == gap
    follows.refresh_from_db()
    assert follows.observed_since == outcome.poll.oldest_published
    # The days inside the gap are not covered: a comparison leaves the feed out there.
    cov = coverage.coverage(follows.municipality_id, [follows.source_id])[follows.source_id]
    gap_day = timezone.localtime(gap.start).date() + dt.timedelta(days=1)
    assert not cov.covers(gap_day, gap_day)
    # Shown where periods are compared.
    assert feed.gaps_in(follows.municipality_id, gap_day, gap_day) == [gap]
    # A poll that overlaps the last one records nothing more.
    clock.advance(minutes=10)
    fake.publish([*later, record(4300, hours_ago(clock, 0.5), "Stöld", "Stockholm")])
    feed.poll(clock=clock)
    assert FeedGap.objects.count() == 1


def test_never_two_requests_within_ten_seconds(fake, clock, follows):
    fake.publish(national(clock))
    feed.poll(clock=clock)
    clock.advance(seconds=3)
    feed.poll(clock=clock)  # e.g. a manual --once right after the scheduler's poll
    assert len(fake.requests) == 2
    assert clock.slept and abs(sum(clock.slept) - 7) < 0.01
    state = FeedState.objects.get(url=fake.url)
    polls = list(FeedPoll.objects.order_by("started_at"))
    assert state.last_request_at - polls[0].started_at >= dt.timedelta(seconds=10)


def test_errors_back_off_and_the_server_is_left_alone_meanwhile(fake, clock, follows, settings):
    settings.POLICE_FEED_INTERVAL_MINUTES = 10
    fake.publish(national(clock))
    fake.fail(500, 500)
    first = feed.poll(clock=clock)
    assert first.poll.status == PollStatus.FAILED and "HTTP 500" in first.poll.error
    assert first.waiting_until == clock.now() + dt.timedelta(minutes=10)
    # Within the backoff: no request at all.
    clock.advance(minutes=5)
    waiting = feed.poll(clock=clock)
    assert waiting.poll is None and len(fake.requests) == 1
    # After it: asked again, fails again — the wait doubles.
    clock.advance(minutes=6)
    second = feed.poll(clock=clock)
    assert second.poll.status == PollStatus.FAILED and len(fake.requests) == 2
    assert second.waiting_until == clock.now() + dt.timedelta(minutes=20)
    clock.advance(minutes=21)
    third = feed.poll(clock=clock)
    assert third.poll.status == PollStatus.OK
    assert FeedState.objects.get(url=fake.url).failures == 0
    assert bro_incidents(follows).count() == 4


def test_the_servers_retry_after_is_honoured(fake, clock, follows):
    fake.fail(503)  # with Retry-After: 120
    outcome = feed.poll(clock=clock)
    assert outcome.waiting_until >= clock.now() + dt.timedelta(seconds=120)
    assert feed.backoff(1) <= feed.backoff(2) <= feed.backoff(30) == feed.MAX_BACKOFF


def test_a_network_error_leaves_no_partial_import(fake, clock, follows):
    fake.publish(national(clock, n=200))
    fake.fail("truncated")
    outcome = feed.poll(clock=clock)
    assert outcome.poll.status == PollStatus.FAILED
    assert Incident.objects.count() == 0
    assert not FeedGap.objects.exists()
    clock.advance(minutes=11)
    feed.poll(clock=clock)
    assert bro_incidents(follows).count() == 40


def test_an_unreadable_event_refuses_its_municipality_only(fake, clock, follows, linkoping):
    linkoping_follow = feed.turn_on(linkoping, by="test")
    events = national(clock)
    events[2]["datetime"] = "yesterday"  # one of Upplands-Bro's
    fake.publish(events)
    outcome = feed.poll(clock=clock)
    by_code = {o.municipality.code: o for o in outcome.outcomes}
    assert "datetime" in by_code["0139"].error
    assert bro_incidents(follows).count() == 0  # all or nothing for Upplands-Bro
    assert Incident.objects.filter(source=linkoping_follow.source).count() == 4
    assert outcome.poll.results["0139"]["error"]


def test_only_municipalities_that_follow_are_polled(fake, clock, bro, linkoping):
    fake.publish(national(clock))
    assert feed.poll(clock=clock).poll is None  # nobody follows: no request
    assert fake.requests == []
    feed.turn_on(linkoping, by="test")
    outcome = feed.poll(clock=clock)
    assert [o.municipality.code for o in outcome.outcomes] == ["0580"]
    feed.turn_off(linkoping, by="test")
    clock.advance(minutes=10)
    assert feed.poll(clock=clock).poll is None


def test_follow_police_feed_once(fake, run_command, bro):
    fake.publish(national(FakeClock(timezone.now())))
    out, _ = run_command("follow_police_feed", "--once", "--municipality", "0139", "--turn-on")
    assert "4 new" in out and "0139 Upplands-Bro" in out
    assert PoliceFeedFollow.objects.get(municipality=bro).is_active


def test_the_days_observed_are_the_sources_coverage(fake, clock, follows):
    events = [
        record(5000 + k, clock.now() - dt.timedelta(days=3, hours=-k), "Stöld", "Upplands-Bro")
        for k in range(3)
    ]
    fake.publish(events)
    feed.poll(clock=clock)
    follows.refresh_from_db()
    span = feed.observed_days(follows.observed_since, timezone.now())
    cov = coverage.coverage(follows.municipality_id, [follows.source_id])[follows.source_id]
    assert cov.covers(*span)
    today = timezone.localdate()
    assert not cov.covers(today, today)  # a day counts once it is over


# --- Backfill -------------------------------------------------------------------------------


def test_backfill_from_a_directory_of_snapshots_is_all_or_nothing_and_idempotent(
    tmp_path, bro, run_command
):
    now = timezone.now()
    old = [
        record(6000 + k, now - dt.timedelta(days=30, hours=k), "Stöld", "Upplands-Bro")
        for k in range(5)
    ]
    newer = [*old[2:], record(6100, now - dt.timedelta(days=29), "Rån", "Upplands-Bro")]
    newer[0] = record(
        6002,
        now - dt.timedelta(days=30, hours=2),
        "Stöld, försök",
        "Upplands-Bro",
        published=now - dt.timedelta(days=29),
    )  # edited later
    (tmp_path / "2026-10-31T1200.json").write_text(json.dumps(old), encoding="utf-8")
    (tmp_path / "2026-11-01T1200.json").write_text(json.dumps(newer), encoding="utf-8")
    out, _ = run_command("backfill_police_feed", str(tmp_path), "--municipality", "0139")
    assert "6 created" in out
    assert Incident.objects.get(source_ref="6002").source_type == "Stöld, försök"  # the latest
    out, _ = run_command("backfill_police_feed", str(tmp_path), "--municipality", "0139")
    assert "0 created, 0 updated, 6 unchanged" in out
    # One bad record anywhere: nothing written.
    (tmp_path / "2026-11-02T1200.json").write_text(
        json.dumps([record(6200, now, "Stöld", "Upplands-Bro"), {"id": 6201, "datetime": "?"}]),
        encoding="utf-8",
    )
    with pytest.raises(ImportRefused) as refused:
        feed.backfill(tmp_path, [bro], by="test")
    assert "2026-11-02T1200.json" in str(refused.value)
    assert not Incident.objects.filter(source_ref="6200").exists()


def test_backfill_from_json_lines(tmp_path, bro):
    now = timezone.now()
    lines = [
        json.dumps(
            record(7000 + k, now - dt.timedelta(days=10, hours=k), "Skadegörelse", "Upplands-Bro")
        )
        for k in range(4)
    ]
    path = tmp_path / "archive.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [result] = feed.backfill(path, [bro], by="test")
    assert result.job.created_count == 4
    path.write_text("\n".join([*lines, "{not json"]), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        feed.backfill(path, [bro], by="test")
    assert "row 5" in str(refused.value.errors[0]) or refused.value.errors[0].row == 5


def test_a_gap_is_shown_on_the_lagesbild_and_in_the_documents_method(fake, clock, follows, client):
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from trygg.assessment import document

    fake.publish([record(8000, hours_ago(clock, 40), "Stöld", "Upplands-Bro")])
    feed.poll(clock=clock)
    clock.advance(days=3)
    fake.publish([record(8001, hours_ago(clock, 2), "Stöld", "Upplands-Bro")])
    feed.poll(clock=clock)
    gap = FeedGap.objects.get()
    start = timezone.localtime(gap.start)
    end_day = timezone.localdate()
    first_day = start.date() - dt.timedelta(days=10)
    client.force_login(get_user_model().objects.get(username="samordnare"))
    page = client.get(f"/lagesbild/?from={first_day}&to={end_day}").content.decode()
    assert "kan saknas" in page and f"{start:%H.%M}" in page
    with translation.override("sv"):
        data, _files = document.build(
            document.LagesbildRequest(follows.municipality, first_day, end_day)
        )
    [feed_method] = [m for m in data["methods"] if m[0] == "Polisens händelseflöde"]
    assert "Följs löpande" in feed_method[1] and "kan saknas" in feed_method[1]


def test_a_poll_for_one_municipality_does_not_hide_the_feed_from_the_others(
    fake, clock, bro, linkoping
):
    feed.turn_on(bro, by="test")
    other = feed.turn_on(linkoping, by="test")
    fake.publish(national(clock))
    feed.poll(bro, clock=clock)  # manage.py follow_police_feed --once --municipality 0139
    clock.advance(minutes=10)
    outcome = feed.poll(clock=clock)  # the scheduler's cycle: not "not modified"
    assert outcome.poll.status == PollStatus.OK
    assert Incident.objects.filter(source=other.source).count() == 4

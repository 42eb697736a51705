"""Following the police's public events feed continuously.

The feed (``settings.POLICE_FEED_URL``) holds only the latest ~500 events of the whole
country — a day or two. A municipality that imports it now and then loses most of its
events; one that follows it (``PoliceFeedFollow``) has it polled every
``POLICE_FEED_INTERVAL_MINUTES`` by the scheduler (``trygg.live.tasks``) or by
``manage.py follow_police_feed --once``:

* one request per cycle serves every municipality that follows the feed (it is national);
  never two requests within 10 s (the feed's terms), claimed in the database so that two
  followers on two machines keep it too; a conditional request (ETag / Last-Modified)
  where the server supports it; a timeout; after an error, a backoff that doubles up to
  ``MAX_BACKOFF`` (or the server's Retry-After);
* the body is read and validated whole before anything is written: a network error or a
  broken body leaves no partial import;
* each municipality's events go through the police importer (``importers.polisen``) and
  ``write_incidents``: new events created, edited events updated (with a revision),
  unchanged ones not written — each municipality all or nothing;
* coverage: a poll sees the feed as it was when it was made (the feed lists the newest
  events first, so nothing was published between its newest event and the poll). A poll
  whose oldest event was published after the previous poll has missed what lay between:
  the gap is recorded
  (``FeedGap``) and the municipality's unbroken observation starts again. The days it has
  observed completely are its source's coverage (``trygg.incidents.coverage``), so that a
  comparison of periods never uses a feed with holes;
* every poll is recorded (``FeedPoll``): when, events seen, new, changed, error.

``backfill`` imports an archive of past feed snapshots (a directory of the feed's JSON
responses, or a JSON-lines file of its records) in one all-or-nothing, idempotent run.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from trygg.core import audit
from trygg.core.dates import local_tz
from trygg.core.importing import ImportRefused, RowIssue
from trygg.core.models import AuditAction, Municipality
from trygg.incidents import coverage
from trygg.incidents.importers import polisen, polisen_source
from trygg.incidents.importers.base import kept
from trygg.incidents.models import (
    FeedGap,
    FeedPoll,
    FeedState,
    ImportJob,
    ImportStatus,
    Incident,
    PoliceFeedFollow,
    PollStatus,
    SourceCoverage,
)
from trygg.incidents.services import start_import, write_incidents

log = logging.getLogger(__name__)

MIN_SECONDS_BETWEEN_REQUESTS = polisen.MIN_SECONDS_BETWEEN_CALLS
MAX_BACKOFF = dt.timedelta(hours=4)
MAX_BODY = 50 * 1024 * 1024
USER_AGENT = "Trygg (municipal safety work; https://github.com/trygg)"
SCHEMES = ("https://", "http://", "file://")


class Clock(Protocol):
    """Time as the follower sees it: the tests give it a fake one."""

    def now(self) -> dt.datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return timezone.now()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class FeedUnavailable(Exception):
    """The feed could not be fetched or read; ``retry_after``: the server's wish."""

    def __init__(self, message: str, http_status: int | None = None, retry_after=None):
        super().__init__(message)
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass
class Response:
    status: int  # 200, or 304 (not modified)
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


def feed_url() -> str:
    return settings.POLICE_FEED_URL


# --- The request ---------------------------------------------------------------------------


def _claim_request(state: FeedState, clock: Clock) -> None:
    """Wait until 10 s have passed since the last request to this feed (by anyone), and
    claim the request: a conditional UPDATE, so two followers never both get it."""
    while True:
        now = clock.now()
        earliest = now - dt.timedelta(seconds=MIN_SECONDS_BETWEEN_REQUESTS)
        claimed = FeedState.objects.filter(
            Q(last_request_at__isnull=True) | Q(last_request_at__lte=earliest), pk=state.pk
        ).update(last_request_at=now)
        if claimed:
            state.last_request_at = now
            return
        last = FeedState.objects.values_list("last_request_at", flat=True).get(pk=state.pk)
        clock.sleep(max(0.05, MIN_SECONDS_BETWEEN_REQUESTS - (now - last).total_seconds()))


def _retry_after(value: str | None, now: dt.datetime) -> dt.datetime | None:
    """A Retry-After header (seconds or an HTTP date) as a time."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + dt.timedelta(seconds=int(value))
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def request(state: FeedState, clock: Clock, timeout: float | None = None) -> Response:
    """One request to the feed (a conditional one when the last response allowed it)."""
    url = state.url
    if not url.startswith(SCHEMES):
        raise FeedUnavailable(f"{url!r} is not an https://, http:// or file:// address")
    _claim_request(state, clock)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    req = urllib.request.Request(url, headers=headers)  # noqa: S310 - schemes checked above
    try:
        with urllib.request.urlopen(  # noqa: S310
            req, timeout=timeout or settings.POLICE_FEED_TIMEOUT
        ) as response:
            body = response.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                raise FeedUnavailable(f"the response is larger than {MAX_BODY // 2**20} MB")
            return Response(
                status=getattr(response, "status", None) or 200,
                body=body,
                etag=response.headers.get("ETag", "") or "",
                last_modified=response.headers.get("Last-Modified", "") or "",
            )
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Response(status=304, etag=state.etag, last_modified=state.last_modified)
        raise FeedUnavailable(
            f"HTTP {exc.code} {exc.reason}",
            http_status=exc.code,
            retry_after=_retry_after(exc.headers.get("Retry-After"), clock.now()),
        ) from exc
    except (OSError, ValueError) as exc:  # URLError, timeouts, resets, a truncated body
        reason = getattr(exc, "reason", None) or exc
        raise FeedUnavailable(f"could not fetch the feed: {reason}") from exc


def backoff(failures: int) -> dt.timedelta:
    """How long to wait after ``failures`` failed polls in a row: the interval, doubled
    per further failure, at most ``MAX_BACKOFF``."""
    interval = dt.timedelta(minutes=settings.POLICE_FEED_INTERVAL_MINUTES)
    return min(interval * 2 ** max(0, failures - 1), MAX_BACKOFF)


# --- One poll --------------------------------------------------------------------------------


@dataclass
class MunicipalityOutcome:
    municipality: Municipality
    new: int = 0
    changed: int = 0
    job: ImportJob | None = None
    gap: FeedGap | None = None
    error: str = ""


@dataclass
class PollOutcome:
    poll: FeedPoll | None  # None: backing off, no request made
    outcomes: list[MunicipalityOutcome] = field(default_factory=list)
    waiting_until: dt.datetime | None = None

    @property
    def jobs(self) -> list[ImportJob]:
        return [o.job for o in self.outcomes if o.job is not None]


def following(municipality: Municipality | None = None):
    follows = PoliceFeedFollow.objects.filter(is_active=True).select_related(
        "municipality", "source", "source__municipality"
    )
    if municipality is not None:
        follows = follows.filter(municipality=municipality)
    return follows.order_by("municipality__code")


def poll(
    municipality: Municipality | None = None,
    *,
    clock: Clock | None = None,
    url: str | None = None,
) -> PollOutcome:
    """One poll cycle: fetch the feed once and import it for every municipality that
    follows it (or only ``municipality``). Returns what happened; the poll is recorded."""
    clock = clock or SystemClock()
    follows = list(following(municipality))
    if not follows:
        return PollOutcome(poll=None)
    state, _ = FeedState.objects.get_or_create(url=url or feed_url())
    now = clock.now()
    if state.retry_at and now < state.retry_at:
        return PollOutcome(poll=None, waiting_until=state.retry_at)
    record = FeedPoll(url=state.url, started_at=now)
    try:
        response = request(state, clock)
        events = polisen.load_events(response.body) if response.status != 304 else []
    except (FeedUnavailable, ImportRefused) as exc:
        return _failed(state, record, follows, exc, clock)
    state.failures = 0
    state.retry_at = None
    state.etag, state.last_modified = response.etag, response.last_modified
    state.save(update_fields=["failures", "retry_at", "etag", "last_modified"])
    record.http_status = response.status
    if response.status == 304:
        record.status = PollStatus.NOT_MODIFIED
        return _finish(record, follows, clock, [], None, None, municipality is not None)
    record.status = PollStatus.OK
    record.events_seen = len(events)
    published = _published(events)
    oldest = min(published) if published else None
    newest = max(published) if published else None
    record.oldest_published, record.newest_published = oldest, newest
    return _finish(record, follows, clock, events, oldest, newest, municipality is not None)


def _failed(state, record, follows, exc, clock) -> PollOutcome:
    now = clock.now()
    state.failures += 1
    retry_at = getattr(exc, "retry_after", None)
    state.retry_at = max(retry_at or now, now + backoff(state.failures))
    state.save(update_fields=["failures", "retry_at"])
    record.status = PollStatus.FAILED
    record.http_status = getattr(exc, "http_status", None)
    record.error = str(exc)[:500]
    record.finished_at = now
    record.save()
    log.warning("police feed poll failed (%s in a row): %s", state.failures, exc)
    return PollOutcome(
        poll=record,
        outcomes=[MunicipalityOutcome(f.municipality, error=record.error) for f in follows],
        waiting_until=state.retry_at,
    )


def _published(events: list) -> list[dt.datetime]:
    out = []
    for event in events:
        try:
            out.append(polisen.parse_published(event.get("datetime")))
        except (AttributeError, ValueError):
            continue
    return out


def _finish(record, follows, clock, events, oldest, newest, partial=False) -> PollOutcome:
    record.save()
    outcome = PollOutcome(poll=record)
    groups = polisen.by_municipality(events) if events else {}
    for follow in follows:
        result = _import_for(follow, record, groups, oldest, clock)
        outcome.outcomes.append(result)
        if result.error:
            record.results[follow.municipality.code] = {"error": result.error}
        elif result.new or result.changed:
            record.new_count += result.new
            record.changed_count += result.changed
            record.results[follow.municipality.code] = {
                "new": result.new,
                "changed": result.changed,
                "job": result.job.pk if result.job else None,
            }
    _record_coverage([f for f, o in zip(follows, outcome.outcomes, strict=True) if not o.error])
    # One statement for every municipality the poll served.
    served = [f.pk for f, o in zip(follows, outcome.outcomes, strict=True) if not o.error]
    changes: dict = {"last_poll": record}
    if newest is not None:
        # Observed up to the moment the feed was asked, not just to its newest event: the
        # days the coverage counts and the start of a later gap agree.
        changes["observed_until"] = record.started_at
    PoliceFeedFollow.objects.filter(pk__in=served).update(**changes)
    record.finished_at = clock.now()
    record.save(update_fields=["finished_at", "new_count", "changed_count", "results"])
    if partial or any(o.error for o in outcome.outcomes):
        # "Not modified" next time would be wrong for whoever did not take this response
        # (a poll for one municipality, a municipality refused): ask in full next time.
        FeedState.objects.filter(url=record.url).update(etag="", last_modified="")
    return outcome


def _import_for(follow, record, groups, oldest, clock) -> MunicipalityOutcome:
    """The municipality's part of one poll: gap check, then its events, all or nothing."""
    municipality = follow.municipality
    outcome = MunicipalityOutcome(municipality)
    wanted = polisen.normalise_place(municipality.name)
    events = groups.get(wanted, []) + groups.get("", [])
    held_until = follow.observed_until
    if held_until is None:
        held_until = Incident.objects.filter(source=follow.source).aggregate(
            newest=Max("reported_at")
        )["newest"]
    try:
        with transaction.atomic():
            if oldest is not None and held_until is not None and oldest > held_until:
                outcome.gap, _ = FeedGap.objects.get_or_create(
                    source=follow.source,
                    start=held_until,
                    defaults={"end": oldest, "poll": record},
                )
            if oldest is not None and (follow.observed_since is None or outcome.gap):
                follow.observed_since = oldest
                PoliceFeedFollow.objects.filter(pk=follow.pk).update(observed_since=oldest)
            if events:
                parsed = polisen.parse_events(events, municipality.name)
                parsed.refuse_if_errors()
                with audit.acting(label="police feed follower", municipality_id=municipality.pk):
                    written = write_incidents(
                        follow.source,
                        parsed.rows,
                        make_job=lambda: _job(follow, record, parsed),
                        record_coverage=False,
                    )
                outcome.new, outcome.changed, outcome.job = (
                    written.created,
                    written.updated,
                    written.job,
                )
                if written.job is not None:
                    ImportJob.objects.filter(pk=written.job.pk).update(
                        created_count=written.created,
                        updated_count=written.updated,
                        unchanged_count=written.unchanged,
                        message=(
                            f"{written.created} created, {written.updated} updated, "
                            f"{written.unchanged} unchanged."
                        ),
                    )
    except ImportRefused as exc:
        outcome.error = "; ".join(str(e) for e in exc.errors[:3])[:500]
        outcome.gap = None
        log.warning("police feed: %s refused: %s", municipality.code, outcome.error)
    return outcome


def _job(follow: PoliceFeedFollow, record: FeedPoll, parsed) -> ImportJob:
    job = start_import(
        follow.municipality,
        "polisen",
        file_name=f"{record.url} ({record.started_at:%Y-%m-%d %H:%M})",
        label="police feed follower",
        options={"url": record.url, "poll": record.pk},
    )
    job.source = follow.source
    job.status = ImportStatus.DONE
    job.started_at = job.finished_at = record.started_at
    job.rows_total = job.rows_done = parsed.total
    job.skipped_count = parsed.skipped
    job.warning_count = parsed.warning_count
    job.warnings = kept(parsed.warnings)
    job.save()
    return job


def observed_days(since: dt.datetime | None, until: dt.datetime) -> coverage.Span | None:
    """The local days wholly inside [since, until]: a day counts once it is over."""
    if since is None:
        return None
    tz = local_tz()
    start_local = since.astimezone(tz)
    first = start_local.date()
    if start_local.time() != dt.time(0, 0):
        first += dt.timedelta(days=1)
    last = until.astimezone(tz).date() - dt.timedelta(days=1)
    return (first, last) if first <= last else None


def _record_coverage(follows: list[PoliceFeedFollow]) -> None:
    """Each followed source covers the days it observed unbroken; recorded as one span
    per observation, widened as days pass — a row written once a day, not per poll."""
    now = timezone.now()
    spans = {f.source_id: observed_days(f.observed_since, now) for f in follows}
    spans = {k: v for k, v in spans.items() if v is not None}
    if not spans:
        return
    held = {
        (c.source_id, c.date_from): c
        for c in SourceCoverage.objects.filter(source_id__in=spans, import_job=None)
    }
    new = []
    for source_id, (first, last) in spans.items():
        current = held.get((source_id, first))
        if current is None:
            new.append(SourceCoverage(source_id=source_id, date_from=first, date_to=last))
        elif current.date_to < last:
            SourceCoverage.objects.filter(pk=current.pk).update(date_to=last)
    SourceCoverage.objects.bulk_create(new, ignore_conflicts=True)


# --- Turning it on and off ----------------------------------------------------------------


def turn_on(municipality: Municipality, *, by: str) -> PoliceFeedFollow:
    """The municipality follows the feed from its next poll."""
    source = polisen_source(municipality)
    follow, created = PoliceFeedFollow.objects.get_or_create(
        municipality=municipality, defaults={"source": source, "turned_on_by": by[:200]}
    )
    if not created:
        if follow.is_active:
            return follow  # already followed: nothing changes
        follow.is_active = True
        follow.turned_on_at = timezone.now()
        follow.turned_on_by = by[:200]
        follow.save(update_fields=["is_active", "turned_on_at", "turned_on_by"])
    audit.record_event(
        AuditAction.UPDATE,
        label=by,
        changes={"police_feed": "followed"},
        municipality_id=municipality.pk,
    )
    return follow


def turn_off(municipality: Municipality, *, by: str) -> None:
    if not PoliceFeedFollow.objects.filter(municipality=municipality, is_active=True).update(
        is_active=False
    ):
        return
    audit.record_event(
        AuditAction.UPDATE,
        label=by,
        changes={"police_feed": "not followed"},
        municipality_id=municipality.pk,
    )


def gaps(source_id: int, since: dt.date | None = None) -> list[FeedGap]:
    """The recorded gaps of a followed source (the latest first)."""
    rows = FeedGap.objects.filter(source_id=source_id)
    if since is not None:
        rows = rows.filter(end__date__gte=since)
    return list(rows)


def gaps_in(municipality_id: int, date_from: dt.date, date_to: dt.date) -> list[FeedGap]:
    """The gaps of the municipality's followed feed that touch the period."""
    tz = local_tz()
    start = dt.datetime.combine(date_from, dt.time(0, 0), tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0, 0), tz)
    return list(
        FeedGap.objects.filter(
            source__municipality_id=municipality_id, start__lt=end, end__gt=start
        )
        .select_related("source")
        .order_by("start")
    )


# --- Backfill from an archive of snapshots -------------------------------------------------


def read_archive(path: Path) -> tuple[list[dict], list[str]]:
    """The feed's records from a directory of JSON snapshots (the feed's own responses,
    ``*.json``) or a JSON-lines file (one record per line): each event once, in its latest
    version (the highest ``datetime``). Returns (events, the files read)."""
    issues: list[RowIssue] = []
    versions: dict[str, tuple[str, dict]] = {}
    files: list[str] = []

    def take(event, where: int, name: str) -> None:
        if not isinstance(event, dict) or "id" not in event:
            issues.append(RowIssue(where, "", f"{name}: not a feed record with an id"))
            return
        key = str(event["id"]).strip()
        try:
            stamp = polisen.parse_published(event.get("datetime")).isoformat()
        except ValueError as exc:
            issues.append(RowIssue(where, "datetime", f"{name}: {exc}"))
            return
        if key not in versions or versions[key][0] < stamp:
            versions[key] = (stamp, event)

    if path.is_dir():
        snapshots = sorted(p for p in path.iterdir() if p.suffix == ".json")
        if not snapshots:
            raise ImportRefused([RowIssue(0, "", f"{path} holds no *.json snapshots")])
        for snapshot in snapshots:
            files.append(snapshot.name)
            try:
                events = polisen.load_events(snapshot.read_bytes())
            except ImportRefused as exc:
                issues.extend(
                    RowIssue(e.row, e.field, f"{snapshot.name}: {e.message}") for e in exc.errors
                )
                continue
            for number, event in enumerate(events, start=1):
                take(event, number, snapshot.name)
    elif path.is_file():
        files.append(path.name)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as exc:
            raise ImportRefused([RowIssue(0, "", f"{path.name} is not UTF-8")]) from exc
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                take(json.loads(line), number, path.name)
            except json.JSONDecodeError as exc:
                issues.append(RowIssue(number, "", f"{path.name}: not valid JSON ({exc.msg})"))
    else:
        raise ImportRefused([RowIssue(0, "", f"{path} does not exist")])
    if issues:
        raise ImportRefused(issues[:500], count=len(issues))
    if not versions:
        raise ImportRefused([RowIssue(0, "", "the archive holds no events")])
    return [event for _, event in versions.values()], files


@dataclass
class BackfillResult:
    municipality: Municipality
    job: ImportJob
    events: int


def backfill(
    path: Path, municipalities: Iterable[Municipality], *, by: str
) -> list[BackfillResult]:
    """Import an archive of feed snapshots for the municipalities, all or nothing: every
    record is read and validated for every municipality before anything is written.
    Coverage is what the snapshots show: for a directory, each snapshot's publication
    window; for a JSON-lines file, the window of all its records."""
    events, files = read_archive(path)
    windows = []
    if path.is_dir():
        for snapshot in sorted(p for p in path.iterdir() if p.suffix == ".json"):
            window = polisen.publication_window(polisen.load_events(snapshot.read_bytes()))
            if window:
                windows.append(window)
    else:
        window = polisen.publication_window(events)
        if window:
            windows.append(window)
    groups = polisen.by_municipality(events)
    prepared = []
    problems: list[RowIssue] = []
    for municipality in municipalities:
        wanted = polisen.normalise_place(municipality.name)
        parsed = polisen.parse_events(
            groups.get(wanted, []) + groups.get("", []), municipality.name
        )
        if parsed.errors:
            problems.extend(
                RowIssue(e.row, e.field, f"{municipality.name}: {e.message}") for e in parsed.errors
            )
        prepared.append((municipality, parsed))
    if problems:
        raise ImportRefused(problems[:500], count=len(problems))
    results = []
    with transaction.atomic():
        for municipality, parsed in prepared:
            source = polisen_source(municipality)
            job = start_import(
                municipality,
                "polisen",
                file_name=f"{path.name} ({len(files)} file(s), backfill)",
                label=by,
                options={"path": str(path), "backfill": True},
            )
            with audit.acting(label=by, municipality_id=municipality.pk):
                written = write_incidents(source, parsed.rows, job=job, record_coverage=False)
            for first, last in windows:
                coverage.record(source, first, last, job)
            job.source = source
            job.status = ImportStatus.DONE
            job.started_at = job.finished_at = timezone.now()
            job.rows_total = job.rows_done = len(events)
            job.created_count, job.updated_count = written.created, written.updated
            job.unchanged_count = written.unchanged
            job.skipped_count = parsed.skipped
            job.warning_count = parsed.warning_count
            job.warnings = kept(parsed.warnings)
            job.message = (
                f"{written.created} created, {written.updated} updated, "
                f"{written.unchanged} unchanged (backfill of {len(files)} file(s))."
            )
            job.save()
            results.append(BackfillResult(municipality, job, len(parsed.rows)))
    return results


__all__ = [
    "Clock",
    "FeedUnavailable",
    "SystemClock",
    "backfill",
    "backoff",
    "gaps",
    "gaps_in",
    "observed_days",
    "poll",
    "request",
    "turn_off",
    "turn_on",
]

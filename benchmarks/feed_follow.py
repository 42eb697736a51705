"""One poll cycle of the police feed follower (issue #18): a local fake feed of 500 events
(the real feed's size) and N municipalities following it (default 290, all of Sweden's).
Target: a cycle under 5 s on this machine, and only changed events written.

Three cycles are measured, each after the feed has moved on ten minutes:
  first      every event new (a municipality's first poll);
  unchanged  the same feed again, answered 304 Not Modified to the conditional request;
  moved      a server without ETags serving the feed moved on: 20 new events and 10
             edited ones among the 500 — the everyday cycle.
For each: wall time, SQL statements that write (INSERT/UPDATE/DELETE/COPY) and incidents
created/updated. The baseline is the first cycle measured in the same run.

    python benchmarks/feed_follow.py [--municipalities 290] [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

EVENTS = 500
NEW_PER_CYCLE = 20
EDITED_PER_CYCLE = 10
TYPES = ["Stöld", "Skadegörelse", "Misshandel", "Trafikolycka", "Inbrott", "Bråk", "Brand"]


class WriteCounter:
    """Counts the statements that write, through Django's execute wrapper."""

    def __init__(self):
        self.writes = 0
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if head in ("INSERT", "UPDATE", "DELETE", "COPY"):
            self.writes += 1
        return execute(sql, params, many, context)


def child(n: int, label: str) -> None:
    _setup.django_setup()
    from django.db import connection
    from django.utils import timezone

    from tests.support.fake_feed import FakeClock, FakeFeed, record
    from trygg.core.models import Municipality, Organisation, OrganisationKind
    from trygg.incidents import feed
    from trygg.incidents.models import Incident

    names = [f"Kommun {k:03d}" for k in range(n)]
    municipalities = Municipality.objects.bulk_create(
        [Municipality(code=f"{9000 + k:04d}", name=name) for k, name in enumerate(names)]
    )
    Organisation.objects.bulk_create(
        [
            Organisation(municipality=m, name="Polisen", kind=OrganisationKind.POLICE)
            for m in municipalities
        ]
    )
    for m in municipalities:
        feed.turn_on(m, by="benchmark")
    clock = FakeClock(timezone.now().replace(microsecond=0))

    base = clock.now()

    def events(first_id: int, count: int, edited: set[int] = frozenset()):
        """Events with times fixed by their ids: 100 000 on, every 4 minutes back from
        half an hour before the start; lower ids (newer events) every half minute after."""
        out = []
        for k in range(count):
            event_id = first_id + k
            if event_id >= 100_000:
                when = base - dt.timedelta(minutes=30 + 4 * (event_id - 100_000))
            else:
                when = base - dt.timedelta(minutes=20 - 0.5 * (100_000 - event_id))
            out.append(
                record(
                    event_id,
                    when,
                    TYPES[event_id % len(TYPES)],
                    names[event_id % n],
                    f"Händelse {event_id}." + (" Uppdaterad." if event_id in edited else ""),
                    published=when + dt.timedelta(minutes=20 + (60 if event_id in edited else 0)),
                )
            )
        return out

    def cycle(name: str, server, baseline: float | None) -> float:
        counter = WriteCounter()
        before = Incident.objects.count()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            outcome = feed.poll(clock=clock, url=server.url)
        elapsed = time.perf_counter() - started
        poll = outcome.poll
        ratio = f", {elapsed / baseline:.2f}× the first" if baseline else ""
        print(
            f"  {label:<10} {name:<9} {elapsed:5.2f} s{ratio}; {poll.get_status_display()}: "
            f"{poll.new_count} new, {poll.changed_count} changed "
            f"({Incident.objects.count() - before} incidents added); "
            f"{counter.writes} writing statements of {counter.statements}"
        )
        clock.advance(minutes=10)
        return elapsed

    with FakeFeed(etag=True) as conditional, FakeFeed(etag=False) as plain:
        first = events(100_000, EVENTS)
        conditional.publish(first)
        plain.publish(first)
        baseline = cycle("first", conditional, None)
        cycle("unchanged", conditional, baseline)
        # The feed moves on: 20 new events at the top, the 20 oldest fall off the end,
        # 10 of those still in it edited by the police.
        edited = {100_000 + k for k in range(5, 5 + EDITED_PER_CYCLE)}
        newer = events(100_000 - NEW_PER_CYCLE, EVENTS, edited)
        plain.publish(newer)
        cycle("moved", plain, baseline)
    print(
        f"  {label:<10} {Incident.objects.count():,} incidents held for {n} municipalities "
        f"(target: a cycle under 5 s; only new and changed events written)"
    )


def main() -> None:
    _setup.sized_benchmark_main(
        __doc__, __file__, "police feed follower benchmark", child, "municipalities", 290
    )


if __name__ == "__main__":
    main()

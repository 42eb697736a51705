"""One cycle of following the police feed: poll it (trygg.incidents.feed), which imports
new and changed events and — through the incidents signal — turns serious ones into
alerts; then send the alerts that wait. The scheduler runs it every
``POLICE_FEED_INTERVAL_MINUTES``; ``manage.py follow_police_feed --once`` runs it once."""

from __future__ import annotations

from dataclasses import dataclass

from trygg.core import audit
from trygg.core.models import Municipality
from trygg.incidents import feed
from trygg.live.services.alerts import check_job, send_pending


@dataclass
class Cycle:
    outcome: feed.PollOutcome
    emails: int


def run_cycle(
    municipality: Municipality | None = None, *, clock: feed.Clock | None = None
) -> Cycle:
    with audit.acting(label="police feed follower"):
        outcome = feed.poll(municipality, clock=clock)
        # Within the poll: what it imported is checked now (the incidents signal does
        # the same after commit; checking twice changes nothing).
        for result in outcome.outcomes:
            if result.job is not None:
                check_job(result.job.pk, result.municipality.pk)
        emails = send_pending()
    return Cycle(outcome, emails)

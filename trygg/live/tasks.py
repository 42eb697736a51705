"""Background work of the live picture: the police feed every few minutes, the alerts'
e-mail, the Monday digest."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from trygg.core import audit
from trygg.core.scheduler import every, weekly
from trygg.live.services import alerts, digest
from trygg.live.services.following import run_cycle


@every(minutes=settings.POLICE_FEED_INTERVAL_MINUTES)
@task()
def follow_police_feed() -> dict:
    """Poll the feed for every municipality that follows it; alert serious events."""
    cycle = run_cycle()
    poll = cycle.outcome.poll
    return {
        "status": poll.status if poll else "waiting",
        "new": poll.new_count if poll else 0,
        "changed": poll.changed_count if poll else 0,
        "emails": cycle.emails,
    }


@task()
def send_alerts() -> int:
    """Send the alert e-mails that wait (after an import outside the feed's cycle)."""
    with audit.acting(label="serious-event alerts"):
        return alerts.send_pending()


@weekly(0, "07:00")
@task()
def send_weekly_digest() -> int:
    """Monday morning: the week's picture to everyone who asked for it."""
    with audit.acting(label="scheduler: weekly digest"):
        return digest.send_all()


def on_incidents_changed(sender, municipality_id: int, source_id: int, job_id: int, **kwargs):
    """The incidents signal's receiver: alert what the import wrote, then send."""
    if alerts.check_job(job_id, municipality_id):
        send_alerts.enqueue()

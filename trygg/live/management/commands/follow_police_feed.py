"""python manage.py follow_police_feed --once [--municipality CODE]"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import formats, timezone

from trygg.core.management.base import TryggCommand
from trygg.incidents import feed
from trygg.live.services.following import run_cycle


class Command(TryggCommand):
    help = (
        "Poll the police's events feed (POLICE_FEED_URL) for every municipality that follows "
        "it, or one: import new and changed events, record gaps, alert serious events. "
        "--once: one cycle, then exit; otherwise every POLICE_FEED_INTERVAL_MINUTES."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One poll cycle, then exit.")
        parser.add_argument("--municipality", help="SCB code: only this municipality.")
        parser.add_argument(
            "--turn-on",
            action="store_true",
            help="First make the municipality (--municipality) follow the feed.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = None
        if options["municipality"]:
            municipality = self.municipality(options["municipality"])
            if options["turn_on"]:
                feed.turn_on(municipality, by=self.actor_label)
        elif options["turn_on"]:
            raise CommandError("--turn-on needs --municipality CODE.")
        while True:
            self.cycle(municipality)
            if options["once"]:
                return
            time.sleep(settings.POLICE_FEED_INTERVAL_MINUTES * 60)

    def cycle(self, municipality) -> None:
        cycle = run_cycle(municipality)
        outcome = cycle.outcome
        poll = outcome.poll
        if poll is None and outcome.waiting_until:
            when = formats.date_format(timezone.localtime(outcome.waiting_until), "j M H:i")
            self.stdout.write(f"Backing off after errors: next request after {when}.")
            return
        if poll is None:
            self.stdout.write(
                "No municipality follows the police feed (turn it on with --turn-on)."
            )
            return
        if poll.error:
            self.stderr.write(f"The feed could not be read: {poll.error}")
        self.stdout.write(
            f"{poll.url}: {poll.get_status_display()}, {poll.events_seen} events, "
            f"{poll.new_count} new, {poll.changed_count} changed; {cycle.emails} alert e-mail(s)."
        )
        for result in outcome.outcomes:
            line = f"  {result.municipality.code} {result.municipality.name}: "
            if result.error:
                line += f"refused — {result.error}"
            else:
                line += f"{result.new} new, {result.changed} changed"
            if result.gap:
                start = formats.date_format(timezone.localtime(result.gap.start), "j M H:i")
                end = formats.date_format(timezone.localtime(result.gap.end), "j M H:i")
                line += f"; GAP: events published {start} – {end} may be missing"
            self.stdout.write(line)

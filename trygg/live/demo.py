"""The demo's live picture: who is alerted of what, the police feed followed (a bundled
recording, no network), and a shooting in Brunna yesterday evening — reported with its
street by the police's log of reported crimes and, as the feed gives it, with only the
municipality by the police's events feed. The first makes the alert (with a zone); the
second joins it when the follower polls, as an update in the same thread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from trygg.core.models import Municipality, Organisation
from trygg.incidents import demo as incidents_demo
from trygg.incidents import feed
from trygg.incidents.importers.base import IncidentRow
from trygg.incidents.models import PositionPrecision, Source, TimePrecision
from trygg.incidents.services import start_import, write_incidents
from trygg.incidents.taxonomy import Category, SeriousFamily
from trygg.live.models import DigestSubscription
from trygg.live.services import alerts

# Who hears of what (the coordinator's choice in make demo).
ALERTED = {
    SeriousFamily.SHOOTING: ("polis", "kommunledning", "upplandsbrohus", "fritid"),
    SeriousFamily.EXPLOSION: ("polis", "kommunledning", "upplandsbrohus", "fritid"),
    SeriousFamily.LETHAL_VIOLENCE: ("polis", "kommunledning", "socialtjanst"),
    SeriousFamily.AGGRAVATED_ASSAULT: ("polis", "kommunledning"),
    SeriousFamily.ARSON: ("kommunledning", "upplandsbrohus", "raddning"),
    SeriousFamily.DANGEROUS_OBJECT: ("polis", "kommunledning"),
}
ORGANISATIONS = {
    "polis": "Polisen – lokalpolisområde Järfälla, kommunpolis Upplands-Bro",
    "kommunledning": "Kommunledningskontoret – trygghet och säkerhet",
    "upplandsbrohus": "Upplands-Brohus",
    "fritid": "Fritid – fältverksamheten",
    "socialtjanst": "Socialtjänsten",
    "raddning": "Brandkåren Attunda",
}
# Brunna: by the local centre (a street-level position, as the police's log gives it).
SHOOTING_AT = (59.50691, 17.79404)


def feed_file() -> Path:
    """Where the demo's recording is written (make demo's POLICE_FEED_URL points here)."""
    return Path(settings.MEDIA_ROOT) / "demo" / "polisen-feed.json"


def load(stdout=None) -> None:
    municipality = Municipality.objects.get(code="0139")
    orgs = {
        key: Organisation.objects.get(municipality=municipality, name=name)
        for key, name in ORGANISATIONS.items()
    }
    for rule in alerts.ensure_rules(municipality):
        if not rule.organisations.exists():
            rule.organisations.set([orgs[k] for k in ALERTED[rule.family]])
    # The coordinator reads the Monday digest.
    coordinator = orgs["kommunledning"].memberships.filter(user__username="samordnare").first()
    if coordinator:
        DigestSubscription.objects.get_or_create(user=coordinator.user, municipality=municipality)
    shooting_at = incidents_demo.write_recorded_feed(feed_file())
    _police_log_shooting(municipality, shooting_at)
    feed.turn_on(municipality, by="load_demo")
    if stdout is not None:
        stdout.write(
            f"Live picture: serious-event rules set, the police feed followed "
            f"(POLICE_FEED_URL; the demo's recording is {feed_file()}), "
            f"a shooting in Brunna {shooting_at:%Y-%m-%d %H:%M} alerted."
        )


def _police_log_shooting(municipality: Municipality, when: dt.datetime) -> None:
    source = Source.objects.get(municipality=municipality, slug="polisen-lagesbild")
    row = IncidentRow(
        row=1,
        source_ref=f"DEMO-SKOTT-{when:%Y%m%d}",
        category=Category.WEAPONS,
        source_type="Skottlossning",
        occurred_at=when + dt.timedelta(minutes=2),
        occurred_precision=TimePrecision.EXACT,
        reported_at=when + dt.timedelta(minutes=30),
        lat=SHOOTING_AT[0],
        lon=SHOOTING_AT[1],
        position_precision=PositionPrecision.STREET,
        description="Skottlossning utomhus vid Brunna centrum. Ingen person skadad.",
    )
    written = write_incidents(
        source,
        [row],
        make_job=lambda: start_import(
            municipality, "incidents", file_name="Polisen – anmälda brott (demo)", label="load_demo"
        ),
        is_demo=True,
    )
    if written.job is not None:  # (the incidents signal does the same once committed)
        alerts.check_job(written.job.pk, municipality.pk)

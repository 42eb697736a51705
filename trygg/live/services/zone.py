"""The near-repeat risk zone after a serious event: how far and for how long the risk of
another such event is raised — from the municipality's own history when it holds enough
positioned events of the family (the Knox test, as in the lägesbild's near-repeat
analysis), otherwise the published general figure, labelled as such."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trygg.analysis import grid, near_repeat
from trygg.core import geo
from trygg.core.roles import Sensitivity
from trygg.incidents.models import Incident, PositionPrecision
from trygg.incidents.taxonomy import SeriousFamily, serious_types
from trygg.live.models import EventAlert, ZoneBasis

HISTORY_YEARS = 5
MIN_EVENTS = 20  # as the lägesbild's near-repeat test
MAX_EVENTS = 5000
SPACE_BANDS = (50, 100, 200, 300, 500)
DAY_BANDS = (7, 14, 21, 30)
PERMUTATIONS = 999
MIN_RATIO = 1.2  # Ratcliffe's convention: a rise of at least 20 %

# Published figures for when a municipality's own history is too thin. Sturup et al.
# found raised risk of another shooting within 100 m for 14 days in Stockholm, Göteborg
# and Malmö 2011–2015; it is the only Swedish near-repeat figure for serious violence, so
# it is used for the other kinds too — and said so.
STURUP_2018 = (
    "Sturup, Rostami, Gerell & Sandholm (2018). Near-repeat shootings in contemporary "
    "Sweden 2011 to 2015. Security Journal 31(1), 73–92."
)
LITERATURE: dict[str, tuple[int, int, str, bool]] = {
    # family: (metres, days, source, measured for this very kind of event)
    SeriousFamily.SHOOTING: (100, 14, STURUP_2018, True),
    SeriousFamily.EXPLOSION: (100, 14, STURUP_2018, False),
    SeriousFamily.LETHAL_VIOLENCE: (100, 14, STURUP_2018, False),
    SeriousFamily.AGGRAVATED_ASSAULT: (100, 14, STURUP_2018, False),
    SeriousFamily.ARSON: (100, 14, STURUP_2018, False),
    SeriousFamily.DANGEROUS_OBJECT: (100, 14, STURUP_2018, False),
}


@dataclass
class Zone:
    distance_m: int
    days: int
    basis: str  # ZoneBasis
    detail: dict = field(default_factory=dict)


def history(municipality_id: int, family: str, before: dt.datetime) -> tuple:
    """(x, y, days) of the family's positioned events in the municipality's last years."""
    since = before - dt.timedelta(days=365 * HISTORY_YEARS)
    rows = list(
        Incident.objects.filter(
            municipality_id=municipality_id,
            source_type__in=serious_types([family]),
            counts_in_statistics=True,
            lat__isnull=False,
            occurred_at__gte=since,
            occurred_at__lte=before,
        )
        .exclude(position_precision__in=[PositionPrecision.MUNICIPALITY, PositionPrecision.AREA])
        .exclude(sensitivity=Sensitivity.RESTRICTED)
        .order_by("-occurred_at")
        .values_list("lon", "lat", "occurred_at")[:MAX_EVENTS]
    )
    if not rows:
        return np.empty(0), np.empty(0), np.empty(0)
    x, y = grid.to_sweref([r[0] for r in rows], [r[1] for r in rows])
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    days = np.array([(r[2] - epoch).total_seconds() / 86400 for r in rows])
    return x, y, days


def risk_zone(municipality_id: int, family: str, at: dt.datetime | None = None) -> Zone:
    """The zone for an event of ``family`` in the municipality (at time ``at``)."""
    at = at or timezone.now()
    x, y, days = history(municipality_id, family, at)
    n = int(x.size)
    metres, window, citation, measured = LITERATURE[family]
    fallback = {
        "events": n,
        "citation": citation,
        "measured_for_family": measured,
        "why": "thin" if n < MIN_EVENTS else "no_pattern",
    }
    if n < MIN_EVENTS:
        return Zone(metres, window, ZoneBasis.LITERATURE, fallback)
    result = near_repeat.knox(x, y, days, SPACE_BANDS, DAY_BANDS, PERMUTATIONS)
    risk = result.heightened_risk(min_ratio=MIN_RATIO)
    if risk is None:
        return Zone(metres, window, ZoneBasis.LITERATURE, fallback)
    si = SPACE_BANDS.index(int(risk.distance_m))
    ti = DAY_BANDS.index(int(risk.days))
    return Zone(
        int(risk.distance_m),
        int(risk.days),
        ZoneBasis.OWN,
        {
            "events": n,
            "years": HISTORY_YEARS,
            # The outermost cell of the zone: the weakest evidence inside it.
            "ratio": round(float(result.ratio[si, ti]), 2),
            "p": round(float(result.p[si, ti]), 4),
            "ratio_closest": round(float(result.ratio[0, 0]), 2),
            "permutations": PERMUTATIONS,
        },
    )


def describe(distance_m: int, days: int, basis: str, detail: dict) -> str:
    """The zone's basis in one sentence, for the e-mail and the brief."""
    if basis == ZoneBasis.OWN:
        return _(
            "Computed from the municipality's own %(events)s events of this kind in the last "
            "%(years)s years (Knox test, %(permutations)s permutations): at the edge of the "
            "zone the pairs of events are %(ratio)s times as many as chance would give "
            "(p = %(p)s)."
        ) % {
            "events": detail["events"],
            "years": detail.get("years", HISTORY_YEARS),
            "permutations": detail.get("permutations", PERMUTATIONS),
            "ratio": str(detail["ratio"]).replace(".", ","),
            "p": str(detail["p"]).replace(".", ","),
        }
    n = detail.get("events", 0)
    reason = (
        ngettext(
            "The municipality's own history is too thin (%(n)s positioned event of this kind).",
            "The municipality's own history is too thin (%(n)s positioned events of this kind).",
            n,
        )
        if detail.get("why") == "thin"
        else _("The municipality's own %(n)s events of this kind show no significant pattern.")
    ) % {"n": n}
    source = (
        _("Published general figure: %(citation)s")
        if detail.get("measured_for_family")
        else _(
            "Published general figure, measured for shootings (no published figure for this "
            "kind of event): %(citation)s"
        )
    ) % {"citation": detail.get("citation", STURUP_2018)}
    return f"{reason} {source}"


class ZoneTest:
    """Is a point (or a record's area) in the alert's zone? Within the distance of a
    point; in the area when only that is known; anywhere in the municipality else."""

    def __init__(self, alert: EventAlert, factor: float = 1.0):
        self.alert = alert
        self.radius = alert.zone_m * factor

    def distance(self, lat, lon) -> float | None:
        if not self.alert.has_point or lat is None or lon is None:
            return None
        return geo.distance_m(self.alert.lat, self.alert.lon, lat, lon)

    def contains(self, lat, lon, area_id) -> bool:
        if self.alert.has_point:
            d = self.distance(lat, lon)
            return d is not None and d <= self.radius
        if self.alert.area_id:
            return area_id == self.alert.area_id
        return True

    def prefilter(self, rows):
        if self.alert.has_point:
            box = self.radius / 111_000 * 1.2
            return rows.filter(
                lat__gte=self.alert.lat - box,
                lat__lte=self.alert.lat + box,
                lon__gte=self.alert.lon - 2 * box,
                lon__lte=self.alert.lon + 2 * box,
            )
        if self.alert.area_id:
            return rows.filter(area_id=self.alert.area_id)
        return rows

"""The one-page brief of a serious event: where and when, the risk zone and its basis,
what else is going on in the zone (serious events of the last 30 days, incidents, open
cases, planned safety walks, the partners' observations of the last week) and — once the
risk window has begun — what happened in it against the model's expectation."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from trygg.analysis import near_repeat
from trygg.cases.models import OPEN_STATES, Case
from trygg.core.permissions import Permission, Principal
from trygg.est.models import Observation
from trygg.est.services.picture import COUNTED
from trygg.incidents.models import Incident, PositionPrecision
from trygg.incidents.taxonomy import Category, serious_types
from trygg.live.models import AlertFollowUp, EventAlert, ZoneBasis
from trygg.live.services import alerts
from trygg.live.services import zone as zones
from trygg.walks.models import Walk, WalkStatus

OBSERVATION_DAYS = 7
BASELINE_DAYS = 365
NEARBY_FACTOR = 2  # "nearby" observations: within twice the zone


def access_alert(principal: Principal, pk: int) -> EventAlert:
    """The alert, if the principal's municipality's; the same 404 for missing and
    another municipality's."""
    if not principal.has(Permission.VIEW):
        raise PermissionDenied
    try:
        return EventAlert.objects.select_related("area", "municipality", "rule").get(
            pk=pk, municipality=principal.municipality
        )
    except EventAlert.DoesNotExist as exc:
        raise Http404 from exc


def circle(lat: float, lon: float, radius_m: float, sides: int = 48) -> dict:
    """A GeoJSON polygon approximating a circle (metres) around a point."""
    ring = []
    for k in range(sides + 1):
        angle = 2 * math.pi * k / sides
        dlat = radius_m * math.cos(angle) / 111_320
        dlon = radius_m * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
        ring.append([round(lon + dlon, 6), round(lat + dlat, 6)])
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class Evaluation:
    started: bool
    over: bool
    days: float  # of the window so far
    check: near_repeat.WindowCheck | None
    baseline_events: int
    raised_known: bool  # the model's raised expectation (own history only)


@dataclass
class Brief:
    alert: EventAlert
    until: dt.datetime
    zone_text: str
    in_window: bool
    serious: list
    incidents_by_category: list[tuple[str, int]]
    cases: list
    walks: list
    observations: list
    evaluation: Evaluation | None
    follow_ups: list
    sources: list[str]


def _points_in(test: zones.ZoneTest, rows, fields=("lat", "lon", "area_id")) -> list:
    out = []
    for row in test.prefilter(rows):
        lat, lon, area_id = (getattr(row, f) for f in fields)
        if test.contains(lat, lon, area_id):
            out.append(row)
    return out


def evaluation(alert: EventAlert, now: dt.datetime | None = None) -> Evaluation | None:
    """The family's events in the zone during the window (so far) against the zone's own
    rate over the year before — and that rate raised by the Knox ratio when the zone came
    from the municipality's own history. Needs a point (a zone to count in)."""
    if not alert.has_point:
        return None
    now = now or timezone.now()
    start = alert.occurred_at
    end = min(now, alert.risk_until)
    started = now > start
    over = now >= alert.risk_until
    days = max((end - start).total_seconds() / 86400, 0.0)
    if not started or days < 1:
        return Evaluation(started, over, days, None, 0, False)
    test = zones.ZoneTest(alert)
    reports = set(alert.reports.values_list("incident_id", flat=True))
    family_rows = (
        Incident.objects.filter(
            municipality_id=alert.municipality_id,
            source_type__in=serious_types([alert.family]),
            counts_in_statistics=True,
            lat__isnull=False,
        )
        .exclude(position_precision__in=[PositionPrecision.MUNICIPALITY, PositionPrecision.AREA])
        .exclude(pk__in=reports)
        .only("lat", "lon", "area_id", "occurred_at")
    )
    before = _points_in(
        test,
        family_rows.filter(
            occurred_at__gte=start - dt.timedelta(days=BASELINE_DAYS), occurred_at__lt=start
        ),
    )
    during = _points_in(test, family_rows.filter(occurred_at__gt=start, occurred_at__lte=end))
    own = alert.zone_basis == ZoneBasis.OWN
    ratio = float(alert.zone_detail.get("ratio_closest", 1.0)) if own else 1.0
    check = near_repeat.window_check(len(during), len(before), BASELINE_DAYS, days, ratio)
    return Evaluation(started, over, days, check, len(before), own)


def _open_cases(principal: Principal, alert: EventAlert) -> list:
    return _points_in(
        zones.ZoneTest(alert),
        Case.objects.visible_to(principal)
        .filter(municipality_id=alert.municipality_id, state__in=OPEN_STATES)
        .select_related("category", "owner_organisation"),
    )


def _observations_nearby(principal: Principal, alert: EventAlert, now: dt.datetime) -> list:
    return _points_in(
        zones.ZoneTest(alert, NEARBY_FACTOR),
        Observation.objects.visible_to(principal)
        .filter(
            municipality_id=alert.municipality_id,
            occurred_at__gte=now - dt.timedelta(days=OBSERVATION_DAYS),
            status__in=COUNTED,
        )
        .select_related("category")
        .order_by("-occurred_at"),
    )


def map_for(principal: Principal, alert: EventAlert, now: dt.datetime | None = None) -> dict:
    """GeoJSON for the brief's map: the zone, the event, and the serious events, open
    cases and partners' reports the brief lists (read through the permission layer)."""
    now = now or timezone.now()
    cases = _open_cases(principal, alert)
    observations = _observations_nearby(principal, alert, now)
    principal.record_reads([*cases, *observations])
    return _map(alert, alerts.serious_nearby(alert), cases, observations)


def build(principal: Principal, alert: EventAlert, now: dt.datetime | None = None) -> Brief:
    now = now or timezone.now()
    until = alert.risk_until
    test = zones.ZoneTest(alert)
    nearby_test = zones.ZoneTest(alert, NEARBY_FACTOR)
    serious = alerts.serious_nearby(alert)
    month_ago = alert.occurred_at - dt.timedelta(days=30)
    incident_rows = (
        Incident.objects.visible_to(principal)
        .filter(
            municipality_id=alert.municipality_id,
            occurred_at__gte=month_ago,
            counts_in_statistics=True,
        )
        .exclude(position_precision=PositionPrecision.MUNICIPALITY)
        .exclude(pk__in=alert.reports.values("incident_id"))  # the event itself
        .only("lat", "lon", "area_id", "category", "sensitivity")  # sensitivity: the read audit
    )
    in_zone = _points_in(test, incident_rows)
    labels = dict(Category.choices)
    by_category = Counter(str(labels.get(i.category, i.category)) for i in in_zone)
    cases = _open_cases(principal, alert)
    walks = list(
        Walk.objects.visible_to(principal)
        .filter(
            municipality_id=alert.municipality_id,
            status=WalkStatus.PLANNED,
            date__gte=timezone.localdate(),
        )
        .select_related("area")
        .order_by("date")
    )
    if alert.area_id:
        walks = [w for w in walks if w.area_id == alert.area_id]
    elif alert.has_point:
        walks = [w for w in walks if _walk_near(w, nearby_test)]
    observations = _observations_nearby(principal, alert, now)
    brief = Brief(
        alert=alert,
        until=until,
        zone_text=zones.describe(
            alert.zone_m, alert.zone_days, alert.zone_basis, alert.zone_detail
        ),
        in_window=alert.occurred_at <= now < until,
        serious=serious,
        incidents_by_category=sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])),
        cases=cases,
        walks=walks,
        observations=observations,
        evaluation=evaluation(alert, now),
        follow_ups=list(
            AlertFollowUp.objects.filter(alert=alert).select_related(
                "focus_place__meeting", "action__owner", "action__meeting"
            )
        ),
        sources=sorted(
            {r.incident.source.name for r in alert.reports.select_related("incident__source")}
        ),
    )
    principal.record_reads([*cases, *observations])
    return brief


def _walk_near(walk: Walk, test: zones.ZoneTest) -> bool:
    """A planned walk whose route passes within the nearby distance (or, without a
    route, in the alert's area)."""
    route = walk.route or {}
    coords = route.get("coordinates") if isinstance(route, dict) else None
    if coords:
        return any(test.contains(lat, lon, None) for lon, lat, *_ in coords)
    return walk.area_id == test.alert.area_id


def _map(alert: EventAlert, serious: list, cases: list, observations: list) -> dict:
    features = []
    if alert.has_point:
        features.append(
            {
                "type": "Feature",
                "geometry": circle(alert.lat, alert.lon, alert.zone_m),
                "properties": {"kind": "zone"},
            }
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [alert.lon, alert.lat]},
                "properties": {"kind": "event", "label": alert.source_type},
            }
        )
    elif alert.area is not None:
        features.append(
            {"type": "Feature", "geometry": alert.area.geometry, "properties": {"kind": "zone"}}
        )
    for item in serious:
        i = item.incident
        if i.lat is not None and i.position_precision != PositionPrecision.MUNICIPALITY:
            features.append(_point(i.lat, i.lon, "serious", i.source_type))
    for case in cases:
        features.append(_point(case.lat, case.lon, "case", case.category.label))
    for obs in observations:
        features.append(_point(obs.lat, obs.lon, "observation", obs.category.name))
    return {"type": "FeatureCollection", "features": features}


def _point(lat, lon, kind: str, label: str) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"kind": kind, "label": label},
    }

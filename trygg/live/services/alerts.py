"""Serious-event alerts.

When incidents arrive (a poll of the police feed, a partner's log, any import) those of a
family the municipality's rules call serious, and recent enough to act on, become an
``EventAlert`` — one per event, whatever the number of reports of it: a report of the
same kind within two hours and (when both have a position) 500 m joins the alert instead
of making another. Each organisation the rule names gets the alert once by e-mail
(``AlertDelivery``, unique per version); a material change (the police edit their text,
a partner gives the exact place) is a new version, sent as a reply in the same thread.
At most ``ALERTS_PER_ORGANISATION_PER_HOUR`` e-mails per organisation and hour, and an
update at most every ``ALERT_UPDATE_MINUTES``: the rest wait for the next poll.

Never personal data: the event text goes through the personal-data guard again before it
is stored or sent, and a position only the municipality is known for is never a point.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from trygg.cases.mailing import responsible_addresses
from trygg.core import audit, geo
from trygg.core.addresses import AddressFinder, describe_place
from trygg.core.models import AddressPoint, AuditAction, Municipality
from trygg.core.pdguard import mask_personal_data
from trygg.core.permissions import Permission, Principal
from trygg.core.roles import Sensitivity
from trygg.core.tenancy import absolute_url
from trygg.incidents.models import Incident, PositionPrecision
from trygg.incidents.taxonomy import SeriousFamily, serious_family, serious_types
from trygg.live.models import (
    AlertDelivery,
    AlertReport,
    DeliveryStatus,
    EventAlert,
    SeriousEventRule,
)
from trygg.live.services import zone as zones

log = logging.getLogger(__name__)

SAME_EVENT_HOURS = 2
SAME_EVENT_M = 500
NEARBY_DAYS = 30
RESIDENTIAL_M = 100
PRECISION_RANK = {
    PositionPrecision.EXACT: 3,
    PositionPrecision.STREET: 2,
    PositionPrecision.AREA: 1,
    PositionPrecision.MUNICIPALITY: 0,
}


# --- Rules ----------------------------------------------------------------------------------


def ensure_rules(municipality: Municipality) -> list[SeriousEventRule]:
    """The municipality's rules, the Sweden-wide defaults made on first use: every
    family serious, no organisation alerted until the coordinator chooses."""
    have = {r.family: r for r in SeriousEventRule.objects.filter(municipality=municipality)}
    missing = [
        SeriousEventRule(municipality=municipality, family=family)
        for family in SeriousFamily.values
        if family not in have
    ]
    if missing:
        SeriousEventRule.objects.bulk_create(missing, ignore_conflicts=True)
    return list(
        SeriousEventRule.objects.filter(municipality=municipality).prefetch_related("organisations")
    )


@transaction.atomic
def save_rules(principal: Principal, changes) -> None:
    """Set each rule's ``is_active`` and organisations: ``changes`` holds
    (rule, is_active, organisations). Audited (who, which kind, before and after)."""
    if not principal.has(Permission.MANAGE_ALERTS):
        raise PermissionDenied
    municipality = principal.acting_municipality
    for rule, is_active, organisations in changes:
        if rule.municipality_id != municipality.pk or any(
            o.municipality_id != municipality.pk for o in organisations
        ):
            raise PermissionDenied
        before = (rule.is_active, sorted(o.pk for o in rule.organisations.all()))
        after = (bool(is_active), sorted(o.pk for o in organisations))
        if before == after:
            continue
        rule.is_active = bool(is_active)
        rule.save()
        rule.organisations.set(organisations)
        audit.record_event(
            AuditAction.UPDATE,
            user=principal.user,
            changes={
                "serious_event_rule": rule.family,
                "active": [before[0], after[0]],
                "organisations": [before[1], after[1]],
            },
            municipality_id=municipality.pk,
        )


def active_rules(municipality_id: int) -> dict[str, SeriousEventRule]:
    return {
        r.family: r
        for r in SeriousEventRule.objects.filter(
            municipality_id=municipality_id, is_active=True
        ).prefetch_related("organisations")
    }


# --- From incidents to alerts ---------------------------------------------------------------


def check_job(job_id: int, municipality_id: int, now: dt.datetime | None = None) -> list:
    """Alerts for the serious events an import job created or changed."""
    now = now or timezone.now()
    rules = active_rules(municipality_id)
    if not rules:
        return []
    cutoff = now - dt.timedelta(hours=settings.ALERT_MAX_AGE_HOURS)
    incidents = (
        Incident.objects.filter(
            municipality_id=municipality_id,
            import_job_id=job_id,
            # The date first: the (municipality, occurred_date) index finds the recent rows
            # of a big import; the exact time then.
            occurred_date__gte=timezone.localtime(cutoff).date(),
            occurred_at__gte=cutoff,
            counts_in_statistics=True,
            source_type__in=serious_types(rules),
        )
        .exclude(sensitivity=Sensitivity.RESTRICTED)
        .select_related("source", "area")
        .order_by("occurred_at", "id")
    )
    touched = []
    for incident in incidents:
        alert = consider(incident, rules)
        if alert is not None and alert not in touched:
            touched.append(alert)
    return touched


def is_residential(incident: Incident) -> bool:
    """Near homes: a registered address within 100 m. When that cannot be told (no point,
    no address register) the event is treated as residential — better one alert too many
    than an arson in a stairwell missed."""
    if incident.lat is None or incident.position_precision in (
        PositionPrecision.MUNICIPALITY,
        PositionPrecision.AREA,
    ):
        return True
    if not AddressPoint.objects.filter(municipality_id=incident.municipality_id).exists():
        return True
    finder = AddressFinder(incident.municipality_id, [(incident.lat, incident.lon)])
    return finder.nearest(incident.lat, incident.lon, RESIDENTIAL_M) is not None


def _masked(text: str) -> str:
    return mask_personal_data(text or "")[0][:1000]


def _position(incident: Incident) -> tuple:
    if incident.lat is None or incident.position_precision == PositionPrecision.MUNICIPALITY:
        return None, None, PositionPrecision.MUNICIPALITY
    return incident.lat, incident.lon, incident.position_precision


@transaction.atomic
def consider(incident: Incident, rules: dict[str, SeriousEventRule]) -> EventAlert | None:
    """The alert this incident makes, joins or updates (None: not serious)."""
    family = serious_family(incident.source_type)
    rule = rules.get(family) if family else None
    if rule is None:
        return None
    if family == SeriousFamily.ARSON and not is_residential(incident):
        return None
    report = AlertReport.objects.filter(incident=incident).select_related("alert").first()
    if report is not None:
        return _refresh(report.alert, incident)
    alert = _same_event(incident, family)
    if alert is not None:
        AlertReport.objects.create(alert=alert, incident=incident)
        return _refresh(alert, incident, joined=True)
    lat, lon, precision = _position(incident)
    zone = zones.risk_zone(incident.municipality_id, family, incident.occurred_at)
    alert = EventAlert.objects.create(
        municipality_id=incident.municipality_id,
        family=family,
        rule=rule,
        source_type=incident.source_type,
        occurred_at=incident.occurred_at,
        lat=lat,
        lon=lon,
        position_precision=precision,
        area=incident.area if precision != PositionPrecision.MUNICIPALITY else None,
        address=describe_place(incident.municipality_id, lat, lon) if lat is not None else "",
        summary=_masked(incident.description),
        zone_m=zone.distance_m,
        zone_days=zone.days,
        zone_basis=zone.basis,
        zone_detail=zone.detail,
        message_id=make_msgid(domain="trygg.local"),
        is_demo=incident.is_demo,
    )
    AlertReport.objects.create(alert=alert, incident=incident)
    _deliver(alert, rule)
    return alert


def _same_event(incident: Incident, family: str) -> EventAlert | None:
    window = dt.timedelta(hours=SAME_EVENT_HOURS)
    candidates = EventAlert.objects.filter(
        municipality_id=incident.municipality_id,
        family=family,
        occurred_at__gte=incident.occurred_at - window,
        occurred_at__lte=incident.occurred_at + window,
    ).order_by("occurred_at")
    lat, lon, _ = _position(incident)
    for alert in candidates:
        if lat is None or not alert.has_point:
            return alert
        if geo.distance_m(lat, lon, alert.lat, alert.lon) <= SAME_EVENT_M:
            return alert
    return None


def _refresh(alert: EventAlert, incident: Incident, joined: bool = False) -> EventAlert:
    """Take what the incident tells better or anew; a material change is a new version."""
    changes = [f"source:{incident.source.name}"] if joined else []
    lat, lon, precision = _position(incident)
    if PRECISION_RANK[precision] > PRECISION_RANK[alert.position_precision]:
        alert.lat, alert.lon, alert.position_precision = lat, lon, precision
        alert.area = incident.area
        alert.address = describe_place(alert.municipality_id, lat, lon)
        changes.append("place")
    lead = alert.reports.order_by("added_at", "id").values_list("incident_id", flat=True).first()
    if lead == incident.pk:  # the first report's own edits
        for name, value, change in (
            ("source_type", incident.source_type, "type"),
            ("occurred_at", incident.occurred_at, "time"),
            ("summary", _masked(incident.description), "text"),
        ):
            if getattr(alert, name) != value:
                setattr(alert, name, value)
                changes.append(change)
    if changes:
        alert.version += 1
        alert.last_changes = changes
        alert.save()
        if alert.rule is not None and alert.rule.is_active:
            _deliver(alert, alert.rule)
    return alert


def _deliver(alert: EventAlert, rule: SeriousEventRule) -> None:
    AlertDelivery.objects.bulk_create(
        [
            AlertDelivery(alert=alert, organisation=org, version=alert.version)
            for org in rule.organisations.filter(is_active=True)
        ],
        ignore_conflicts=True,
    )


# --- What the alert says ----------------------------------------------------------------------


@dataclass
class Nearby:
    incident: Incident
    distance_m: int | None


def serious_nearby(alert: EventAlert, days: int = NEARBY_DAYS) -> list[Nearby]:
    """The other serious events (any family) in the alert's zone in the ``days`` before
    it: within the zone's distance of its point; in its area when only that is known; in
    the municipality when not even that."""
    start = alert.occurred_at - dt.timedelta(days=days)
    rows = (
        Incident.objects.filter(
            municipality_id=alert.municipality_id,
            occurred_at__gte=start,
            occurred_at__lte=alert.occurred_at + dt.timedelta(hours=SAME_EVENT_HOURS),
            counts_in_statistics=True,
            source_type__in=serious_types(SeriousFamily.values),
        )
        .exclude(sensitivity=Sensitivity.RESTRICTED)
        .exclude(pk__in=alert.reports.values("incident_id"))
        .select_related("area")
        .order_by("-occurred_at")
    )
    test = zones.ZoneTest(alert)
    out = []
    for incident in test.prefilter(rows):
        if alert.has_point and incident.position_precision in (
            PositionPrecision.MUNICIPALITY,
            PositionPrecision.AREA,
        ):
            continue  # no point to measure from
        if test.contains(incident.lat, incident.lon, incident.area_id):
            distance = test.distance(incident.lat, incident.lon)
            out.append(Nearby(incident, None if distance is None else round(distance)))
    return out


def mail_context(alert: EventAlert) -> dict:
    return {
        "alert": alert,
        "family": alert.get_family_display(),
        "until": alert.risk_until,
        "zone_basis": zones.describe(
            alert.zone_m, alert.zone_days, alert.zone_basis, alert.zone_detail
        ),
        "nearby": serious_nearby(alert),
        "sources": sorted({r.incident.source.name for r in _reports(alert)}),
        "brief_url": absolute_url(reverse("live_brief", args=[alert.pk])),
        "municipality": alert.municipality,
    }


def _reports(alert: EventAlert):
    return alert.reports.select_related("incident__source")


def render_mail(alert: EventAlert, version: int) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **mail_context(alert),
            "update": version > 1,
            "also_reported_by": [
                c.split(":", 1)[1] for c in alert.last_changes if c.startswith("source:")
            ],
        }
        subject = render_to_string("live/email/alert_subject.txt", context).strip()
        body = render_to_string("live/email/alert.txt", context)
    return subject, body


# --- Sending ------------------------------------------------------------------------------------


def send_pending(now: dt.datetime | None = None) -> int:
    """Send what waits, within the limits; returns the e-mails sent. Per alert and
    organisation only the newest waiting version goes out (the older ones are folded
    into it); an update waits until ``ALERT_UPDATE_MINUTES`` after the last e-mail."""
    now = now or timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    newest: dict[tuple[int, int], AlertDelivery] = {}
    for d in (
        AlertDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .select_related("alert__municipality", "organisation")
        .order_by("created_at", "id")
    ):
        key = (d.alert_id, d.organisation_id)
        if key not in newest or d.version > newest[key].version:
            newest[key] = d
    sent = 0
    used: dict[int, int] = {}
    rendered: dict[tuple[int, bool], tuple[str, str]] = {}  # one rendering per alert and kind
    for (alert_id, org), delivery in newest.items():
        last = _earlier_sent(delivery)
        if last is not None and now - last.sent_at < dt.timedelta(
            minutes=settings.ALERT_UPDATE_MINUTES
        ):
            continue
        if org not in used:
            used[org] = AlertDelivery.objects.filter(
                organisation_id=org, status=DeliveryStatus.SENT, sent_at__gte=hour_ago
            ).count()
        if used[org] >= settings.ALERTS_PER_ORGANISATION_PER_HOUR:
            continue
        waiting = AlertDelivery.objects.filter(
            alert_id=alert_id, organisation_id=org, status=DeliveryStatus.PENDING
        )
        recipients = responsible_addresses(delivery.organisation)
        if not recipients:
            waiting.update(status=DeliveryStatus.NO_RECIPIENTS)
            continue
        is_update = last is not None
        if (alert_id, is_update) not in rendered:
            rendered[alert_id, is_update] = render_mail(delivery.alert, 2 if is_update else 1)
        _send(delivery, recipients, is_update, rendered[alert_id, is_update])
        # The older versions waiting are folded into this one (sent_at stays empty).
        waiting.filter(version__lt=delivery.version).update(status=DeliveryStatus.SENT)
        AlertDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT, sent_at=now, recipients=len(recipients)
        )
        used[org] += 1
        sent += len(recipients)
    return sent


def _earlier_sent(delivery: AlertDelivery) -> AlertDelivery | None:
    return (
        AlertDelivery.objects.filter(
            alert_id=delivery.alert_id,
            organisation_id=delivery.organisation_id,
            status=DeliveryStatus.SENT,
            version__lt=delivery.version,
        )
        .exclude(sent_at=None)
        .order_by("-version")
        .first()
    )


def _send(
    delivery: AlertDelivery, recipients: Iterable[str], is_update: bool, mail: tuple[str, str]
) -> None:
    alert = delivery.alert
    subject, body = mail
    headers = {"X-Trygg-Alert": str(alert.pk)}
    if is_update:
        headers["In-Reply-To"] = alert.message_id
        headers["References"] = alert.message_id
        headers["Message-ID"] = make_msgid(domain="trygg.local")
    else:
        headers["Message-ID"] = alert.message_id
    messages = [
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers)
        for to in recipients
    ]
    get_connection().send_messages(messages)


def alerts_for(municipality_id: int, since: dt.datetime | None = None):
    rows = EventAlert.objects.filter(municipality_id=municipality_id).select_related("area")
    if since is not None:
        rows = rows.filter(occurred_at__gte=since)
    return rows


def in_risk_window(municipality_id: int, now: dt.datetime | None = None) -> list[EventAlert]:
    """The alerts whose risk window is still open, the latest first (a start page's
    "raised risk now")."""
    now = now or timezone.now()
    longest = max(zones.DAY_BANDS[-1], *(days for _, days, _, _ in zones.LITERATURE.values()))
    recent = alerts_for(municipality_id, now - dt.timedelta(days=longest))
    return [a for a in recent if a.risk_until > now]

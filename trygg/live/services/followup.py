"""The follow-up after a serious event, from its brief in one step each: the zone as a
focus place of this week's meeting, and actions (with owner and date) that appear in the
weekly picture."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trygg.core.models import Organisation
from trygg.core.permissions import Permission, Principal
from trygg.est.models import Action, FocusPlace
from trygg.est.services import meeting as meetings
from trygg.est.weeks import Week
from trygg.live.models import AlertFollowUp, EventAlert

# The usual actions after a serious event (the coordinator may write another).
ACTION_KINDS = {
    "presence": gettext_lazy("Extra field-worker presence in the zone"),
    "walk": gettext_lazy("A safety walk in the zone"),
    "caretaker": gettext_lazy("Housing company caretakers' round in the zone"),
    "information": gettext_lazy("Information to the residents in the zone"),
}


def zone_label(alert: EventAlert) -> str:
    """ "Skolvägen 4, 197 31 Bro (100 m)", "Brunna (area)", "Upplands-Bro"."""
    if alert.has_point:
        where = alert.address or (alert.area.name if alert.area else "")
        return _("%(where)s, within %(m)s m") % {
            "where": where or _("the event's place"),
            "m": alert.zone_m,
        }
    if alert.area is not None:
        return alert.area.name
    return alert.municipality.name


def _reason(alert: EventAlert) -> str:
    until = timezone.localtime(alert.risk_until)
    return _("%(what)s on %(when)s: raised risk until %(until)s") % {
        "what": alert.source_type,
        "when": formats.date_format(timezone.localtime(alert.occurred_at), "j M"),
        "until": formats.date_format(until, "j M"),
    }


def _check(principal: Principal, alert: EventAlert) -> None:
    if (
        not principal.has(Permission.RUN_WEEKLY_MEETING)
        or principal.municipality is None
        or alert.municipality_id != principal.municipality.pk
    ):
        raise PermissionDenied


def on_this_weeks_agenda(alert: EventAlert) -> bool:
    week = Week.of(timezone.localdate())
    return AlertFollowUp.objects.filter(
        alert=alert,
        focus_place__meeting__iso_year=week.year,
        focus_place__meeting__iso_week=week.week,
    ).exists()


@transaction.atomic
def put_on_agenda(principal: Principal, alert: EventAlert) -> FocusPlace:
    """The zone as a focus place of this week's meeting (once per alert and meeting)."""
    _check(principal, alert)
    meeting = meetings.meeting_for(principal, Week.of(timezone.localdate()))
    existing = AlertFollowUp.objects.filter(
        alert=alert, focus_place__meeting=meeting
    ).select_related("focus_place")
    if existing:
        return existing[0].focus_place
    focus = meetings.add_focus(
        principal,
        meeting,
        area=alert.area,
        place=zone_label(alert)[:200],
        reason=_reason(alert)[:300],
    )
    AlertFollowUp.objects.create(alert=alert, focus_place=focus, created_by=principal.user)
    return focus


@transaction.atomic
def add_action(
    principal: Principal,
    alert: EventAlert,
    *,
    kind: str,
    text: str,
    owner: Organisation,
    due: dt.date,
) -> Action:
    """An action in the zone, decided at this week's meeting."""
    _check(principal, alert)
    if owner.municipality_id != alert.municipality_id or not owner.is_active:
        raise ValidationError(_("Choose one of the municipality's organisations."))
    if kind not in ACTION_KINDS and not text.strip():
        raise ValidationError(_("Choose an action or describe one."))
    if due < timezone.localdate():
        raise ValidationError(_("The date has passed."))
    what = text.strip() or str(ACTION_KINDS[kind])
    label = zone_label(alert)
    if label.casefold() not in what.casefold():
        what = f"{what} ({label})"
    meeting = meetings.meeting_for(principal, Week.of(timezone.localdate()))
    action = meetings.add_action(
        principal, meeting, text=what[:300], owner=owner, area=alert.area, due=due
    )
    AlertFollowUp.objects.create(alert=alert, action=action, created_by=principal.user)
    return action

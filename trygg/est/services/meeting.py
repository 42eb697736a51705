"""The weekly picture: the weekly meeting — focus places, actions and their follow-up,
attendees, decisions shared with every partner."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.core import records
from trygg.core.permissions import Permission, Principal
from trygg.est.models import (
    Action,
    ActionStatus,
    FocusPlace,
    WeeklyMeeting,
)
from trygg.est.tasks import share_decisions
from trygg.est.weeks import Week

# --- The meeting --------------------------------------------------------------------


def meeting_for(principal: Principal, week: Week) -> WeeklyMeeting:
    if not principal.has(Permission.RUN_WEEKLY_MEETING):
        raise PermissionDenied
    meeting, _created = WeeklyMeeting.objects.get_or_create(
        municipality=principal.municipality,
        iso_year=week.year,
        iso_week=week.week,
        defaults={"held_on": min(timezone.localdate(), week.end)},
    )
    return meeting


def _require_meeting(principal: Principal, meeting: WeeklyMeeting) -> None:
    if (
        not principal.has(Permission.RUN_WEEKLY_MEETING)
        or meeting.municipality_id != principal.municipality.pk
    ):
        raise PermissionDenied


def add_focus(principal: Principal, meeting: WeeklyMeeting, **fields) -> FocusPlace:
    """A focus place of the week (an area or a named place, and why)."""
    _require_meeting(principal, meeting)
    if not (fields.get("area") or fields.get("place")):
        raise ValidationError(_("Choose an area or name a place."))
    return records.write(FocusPlace(meeting=meeting, **fields))


def add_action(principal: Principal, meeting: WeeklyMeeting, **fields) -> Action:
    """An action decided at the meeting: what, who, by when (open ones return next week)."""
    _require_meeting(principal, meeting)
    return records.write(Action(meeting=meeting, **fields))


def set_attendees(
    principal: Principal, meeting: WeeklyMeeting, attendees, notes: str = ""
) -> WeeklyMeeting:
    _require_meeting(principal, meeting)
    meeting.notes = notes
    return records.write(meeting, {"attendees": attendees})


def follow_up_action(principal: Principal, action: Action, status: str, outcome: str) -> Action:
    """How an open action went: its status (unchanged if not a known one) and outcome."""
    _require_meeting(principal, action.meeting)
    if status in ActionStatus.values:
        action.status = status
    action.outcome = outcome[:300]
    return records.write(action)


def share(meeting: WeeklyMeeting, principal: Principal) -> int:
    """Send the decisions to every partner's members (by e-mail, through the queue)."""
    _require_meeting(principal, meeting)
    meeting.shared_at = timezone.now()
    meeting.save(update_fields=["shared_at"])

    meeting_id = meeting.pk
    transaction.on_commit(lambda: share_decisions.enqueue(meeting_id))
    return meeting.pk

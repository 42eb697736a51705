"""Every write of the action-plan pages: plans, problems with their evidence and causes,
measures with their status and indicators, activities, pledges and their follow-ups, the
forum's meetings and decisions. Each checks who may do it, then writes (core.records)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trygg.core import records
from trygg.core.permissions import Permission, Principal, can_edit
from trygg.plan.models import (
    ActionPlan,
    Activity,
    Cause,
    Decision,
    Evidence,
    Indicator,
    Measure,
    Meeting,
    Pledge,
    PledgeFollowUp,
    Problem,
)
from trygg.plan.services import refresh, require_edit


def _require(principal: Principal, permission: Permission) -> None:
    if not principal.has(permission):
        raise PermissionDenied


def _own(principal: Principal, record) -> None:
    """A new record of the principal's municipality, owned by its organisation unless the
    form chose another (measures: whoever may manage the plan)."""
    record.municipality = principal.municipality
    if hasattr(record, "owner_organisation_id") and not record.owner_organisation_id:
        record.owner_organisation = principal.organisation
    owner = getattr(record, "owner_organisation", None)
    if owner is not None and owner.municipality_id != principal.municipality.pk:
        raise ValidationError(
            {"owner_organisation": _("Choose an organisation of the collaboration.")}
        )


def create_plan(principal: Principal, plan: ActionPlan) -> ActionPlan:
    _require(principal, Permission.MANAGE_PLAN)
    plan.municipality = principal.municipality
    return records.write(plan)


def create_problem(principal: Principal, problem: Problem, related: dict) -> Problem:
    _require(principal, Permission.CREATE)
    _own(principal, problem)
    return records.write(problem, related)


def _require_problem_edit(principal: Principal, problem: Problem) -> None:
    if not can_edit(principal, problem):
        raise PermissionDenied


def add_evidence(principal: Principal, problem: Problem, evidence: Evidence) -> Evidence:
    _require_problem_edit(principal, problem)
    evidence.problem = problem
    return records.write(evidence)


def add_cause(principal: Principal, problem: Problem, cause: Cause) -> Cause:
    _require_problem_edit(principal, problem)
    cause.problem = problem
    return records.write(cause)


@transaction.atomic
def create_measure(
    principal: Principal, measure: Measure, related: dict, decision: Decision | None = None
) -> Measure:
    """A new measure; made from a forum decision, the decision records it."""
    _require(principal, Permission.CREATE)
    _own(principal, measure)
    if (
        not principal.has(Permission.MANAGE_PLAN)
        and measure.owner_organisation_id != principal.organisation.pk
    ):
        raise PermissionDenied  # members plan measures for their own organisation
    records.write(measure, related)
    if decision is not None:
        if decision.meeting.municipality_id != principal.municipality.pk:
            raise PermissionDenied
        decision.measure = measure
        decision.save(update_fields=["measure"])
    return measure


def update_measure(principal: Principal, measure: Measure, related: dict | None = None) -> Measure:
    """The measure as its form changed it (in memory): saved if the principal may."""
    require_edit(principal, measure)
    return records.write(measure, related)


def add_indicator(principal: Principal, measure: Measure, indicator: Indicator) -> Indicator:
    require_edit(principal, measure)
    indicator.measure = measure
    records.write(indicator)
    refresh(indicator)
    return indicator


def register_activity(principal: Principal, activity: Activity, related: dict) -> Activity:
    _require(principal, Permission.CREATE)
    _own(principal, activity)
    return records.write(activity, related)


def create_pledge(principal: Principal, pledge: Pledge) -> Pledge:
    _require(principal, Permission.MANAGE_PLAN)
    pledge.municipality = principal.municipality
    return records.write(pledge)


def follow_up_pledge(
    principal: Principal, pledge: Pledge, *, half: int, status: str, public_text: str
) -> PledgeFollowUp:
    """The half-year's follow-up of a pledge (one per half-year; a second replaces it)."""
    _require(principal, Permission.MANAGE_PLAN)
    if pledge.municipality_id != principal.municipality.pk:
        raise PermissionDenied
    follow_up = pledge.follow_ups.filter(half=half).first() or PledgeFollowUp(
        pledge=pledge, half=half
    )
    follow_up.status = status
    follow_up.public_text = public_text
    return records.write(follow_up)


@transaction.atomic
def record_meeting(
    principal: Principal, meeting: Meeting, related: dict, decisions: list[str]
) -> Meeting:
    """A meeting of the collaboration forum with its decisions, one per line."""
    _require(principal, Permission.MANAGE_PLAN)
    meeting.municipality = principal.municipality
    records.write(meeting, related)
    for text in decisions:
        if text.strip():
            records.write(Decision(meeting=meeting, text=text.strip()))
    return meeting

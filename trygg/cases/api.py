"""Cases in the JSON API: for partners' own systems (a housing company's maintenance
system closing the cases it fixed) and for dashboards. Same permission layer as the web
app: a token acts as one membership."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from trygg.cases import services
from trygg.cases.models import Case, State
from trygg.core.guards import require_member

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    category: str
    category_label: str
    state: str
    state_label: str
    origin: str
    responsible: str
    lat: float
    lon: float
    area: str | None
    address: str
    description: str
    decided_action: str
    deadline: dt.date
    overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime


def _out(case: Case) -> dict:
    return {
        "id": case.pk,
        "category": case.category.code,
        "category_label": case.category.label,
        "state": case.state,
        "state_label": case.get_state_display(),
        "origin": case.origin,
        "responsible": case.owner_organisation.name,
        "lat": case.lat,
        "lon": case.lon,
        "area": case.area.name if case.area else None,
        "address": case.address,
        "description": case.description,
        "decided_action": case.decided_action,
        "deadline": case.deadline,
        "overdue": case.is_overdue,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


class CaseFilter(Schema):
    status: str = "open"  # open, closed, overdue, all
    mine: bool = False  # only the acting organisation's cases
    limit: int = 200


@router.get("/cases", response=list[CaseOut], summary="Cases the caller may read")
def list_cases(request: HttpRequest, filters: Query[CaseFilter]):
    principal = require_member(request)
    qs = Case.objects.visible_to(principal).select_related("category", "owner_organisation", "area")
    if filters.status not in services.STATUS_FILTERS:
        raise HttpError(422, "status must be open, closed, overdue or all")
    qs = services.with_status(qs, filters.status)
    if filters.mine:
        qs = qs.filter(owner_organisation=principal.organisation)
    return [_out(c) for c in qs.order_by("deadline", "pk")[: max(1, min(filters.limit, 1000))]]


@router.get("/cases/{case_id}", response=CaseOut, summary="One case")
def get_case(request: HttpRequest, case_id: int):
    principal = require_member(request)
    qs = Case.objects.visible_to(principal).select_related("category", "owner_organisation", "area")
    return _out(get_object_or_404(qs, pk=case_id))


class UpdateIn(Schema):
    state: str | None = None
    text: str = ""
    # Internal unless the caller says otherwise: another system's note is not published
    # by default.
    is_public: bool = False
    decided_action: str | None = None


class UpdateOut(Schema):
    id: int
    case: int
    state: str
    is_public: bool


@router.post(
    "/cases/{case_id}/updates",
    response={201: UpdateOut},
    summary="Add a note or change the status of a case",
)
def add_update(request: HttpRequest, case_id: int, payload: UpdateIn):
    principal = require_member(request)
    case = get_object_or_404(
        Case.objects.visible_to(principal).select_related("category", "owner_organisation"),
        pk=case_id,
    )
    try:
        if payload.state:
            if payload.state not in State.values:
                raise HttpError(422, f"Unknown state {payload.state!r}.")
            update = services.change_state(
                case,
                principal,
                payload.state,
                text=payload.text,
                is_public=payload.is_public,
                decided_action=payload.decided_action,
            )
        else:
            update = services.add_note(case, principal, payload.text, is_public=payload.is_public)
    except PermissionDenied as exc:
        raise HttpError(403, "You may not change this case.") from exc
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from exc
    return Status(
        201, {"id": update.pk, "case": case.pk, "state": case.state, "is_public": update.is_public}
    )

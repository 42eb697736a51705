"""``POST /api/v1/observations``: partners' systems report observations (a bearer token
acts for the partner organisation); ``GET /api/v1/observations``: what the caller may see."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from trygg.core.guards import require_member
from trygg.core.models import Area
from trygg.core.params import error_text
from trygg.est import services
from trygg.est.models import Observation, ObservationCategory, ObservationSource, Place
from trygg.est.weeks import Week

router = Router(tags=["weekly picture (EST)"])


class ObservationIn(Schema):
    category: str  # the category's code
    occurred_at: dt.datetime
    occurred_until: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    area: str | None = None
    severity: int = 1
    description: str = ""
    ref: str = ""  # the sender's own reference: a repeat with the same ref is not stored twice
    sensitivity: str = "partners"


class ObservationOut(Schema):
    id: int
    category: str
    occurred_at: dt.datetime
    area: str | None
    address: str  # the nearest street address (or street), "" when none is near
    severity: int
    status: str
    organisation: str
    ref: str
    created: bool = False


def _out(o: Observation, created: bool = False) -> dict:
    return {
        "id": o.pk,
        "category": o.category.code,
        "occurred_at": o.occurred_at,
        "area": o.area.name if o.area else None,
        "address": o.address,
        "severity": o.severity,
        "status": o.status,
        "organisation": o.owner_organisation.name,
        "ref": o.client_ref,
        "created": created,
    }


@router.post("/observations", response={200: ObservationOut, 201: ObservationOut},
             summary="Report an observation for the weekly picture")  # fmt: skip
def post_observation(request: HttpRequest, payload: ObservationIn):
    principal = require_member(request)
    municipality = principal.municipality
    report = services.Report(
        category=ObservationCategory.objects.filter(
            municipality=municipality, code=payload.category
        ).first(),
        lat=payload.lat,
        lon=payload.lon,
        occurred_at=payload.occurred_at,
        occurred_until=payload.occurred_until,
        severity=payload.severity,
        description=payload.description,
        client_ref=payload.ref,
        source=ObservationSource.API,
        sensitivity=payload.sensitivity
        if payload.sensitivity in ("public", "partners")
        else "partners",
    )
    if (payload.lat is None) != (payload.lon is None):
        raise HttpError(422, "lat and lon go together.")
    if payload.place:
        report.place = Place.objects.filter(
            municipality=municipality, name__iexact=payload.place
        ).first()
        if report.place is None:
            raise HttpError(422, f"place: no place named {payload.place!r}.")
    if payload.area:
        report.area = Area.objects.filter(
            municipality=municipality, name__iexact=payload.area
        ).first()
        if report.area is None:
            raise HttpError(422, f"area: no area named {payload.area!r}.")
    try:
        observation, created = services.report(principal, report)
    except PermissionDenied as exc:
        raise HttpError(403, "Your role may not report.") from exc
    except ValidationError as exc:
        raise HttpError(422, error_text(exc)) from exc
    return Status(201 if created else 200, _out(observation, created))


@router.get(
    "/observations", response=list[ObservationOut], summary="Observations the caller may read"
)
def list_observations(request: HttpRequest, week: str | None = None, limit: int = 500):
    principal = require_member(request)
    qs = Observation.objects.visible_to(principal).select_related(
        "category", "area", "owner_organisation"
    )
    if week:
        try:
            w = Week.parse(week)
        except ValueError as exc:
            raise HttpError(422, str(exc)) from exc
        qs = qs.filter(occurred_at__date__range=(w.start, w.end))
    return [_out(o) for o in qs[: max(1, min(limit, 5000))]]

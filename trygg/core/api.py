"""Core JSON API: the current user's context and the municipality's areas."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from trygg.core import services
from trygg.core.guards import require_member
from trygg.core.permissions import Principal, active_memberships

router = Router(tags=["core"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    role: str
    active: bool


class MeOut(Schema):
    username: str
    municipality_code: str | None
    municipality: str | None
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The signed-in user and their memberships")
def me(request: HttpRequest) -> dict[str, Any]:
    principal: Principal = request.principal  # type: ignore[attr-defined]  # set by core's middleware
    current = principal.membership.pk if principal.membership else None
    municipality = principal.municipality
    return {
        "username": request.user.get_username(),
        "municipality_code": municipality.code if municipality else None,
        "municipality": municipality.name if municipality else None,
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation": m.organisation.name,
                "role": m.role,
                "active": m.pk == current,
            }
            for m in active_memberships(request.user)
        ],
    }


@router.get(
    "/areas",
    summary="The municipality's areas as a GeoJSON FeatureCollection (WGS84)",
    response=dict,
)
def areas(request: HttpRequest, kind: str | None = None) -> dict[str, Any]:
    principal = require_member(request)
    return services.areas_geojson(principal.acting_municipality, kind)

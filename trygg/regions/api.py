"""The region's summary as JSON: ``GET /api/v1/regions/{id}/summary``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth

from trygg.assessment.filters import MAX_DAYS
from trygg.core.roles import RegionPermission
from trygg.core.services.regions import RegionalPrincipal
from trygg.regions import services

router = Router(tags=["regions"], auth=SessionAuth())


class MunicipalityCount(Schema):
    code: str
    name: str
    level: str  # "partners" or "public": what the region reads of this municipality
    count: int | str  # "<5": a public-level count under five


class CategoryCount(Schema):
    category: str
    count: int | str


class MonthCount(Schema):
    month: dt.date
    count: int | str


class RegionSummaryOut(Schema):
    date_from: dt.date
    date_to: dt.date
    total: int | str
    by_municipality: list[MunicipalityCount]
    by_category: list[CategoryCount]
    by_month: list[MonthCount]


@router.get(
    "/regions/{region_id}/summary",
    summary="A region's counts by municipality, category and month",
    response=RegionSummaryOut,
)
def region_summary(
    request: HttpRequest,
    region_id: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
):
    principal = RegionalPrincipal.for_user(request.user, region_id)
    if principal is None:
        raise HttpError(404, "No such region, or you have no place in it.")
    if not principal.has(RegionPermission.VIEW_REGION):
        raise HttpError(403, "Your regional role does not allow this (view_region).")
    year = services.complete_years()[-1]
    date_from = date_from or dt.date(year, 1, 1)
    date_to = date_to or dt.date(year, 12, 31)
    if date_to < date_from or (date_to - date_from).days > MAX_DAYS:
        raise HttpError(422, "date_to must be on or after date_from, at most ten years later.")
    readers = principal.read(f"summary API {date_from}–{date_to}")
    return services.summary(readers, date_from, date_to)

"""The lägesbild's JSON API: incidents (JSON or GeoJSON, paginated) and the aggregate
summary, with the dashboard's filters and the same permission layer."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from trygg.assessment import services
from trygg.assessment.exports import to_record
from trygg.assessment.filters import IncidentFilter
from trygg.core.guards import require_member
from trygg.incidents.taxonomy import Category

router = Router(tags=["lägesbild"])

MAX_PAGE_SIZE = 1000
# Beyond this a page lies past any database (and past a 64-bit offset).
MAX_PAGE = 10_000_000


class FilterParams(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    area: list[int] = []
    category: list[str] = []
    source: list[int] = []


def _filter(request: HttpRequest) -> IncidentFilter:
    principal = require_member(request)
    params = request.GET.copy()
    # The API names the period date_from/date_to (clear in OpenAPI); the UI uses from/to.
    for api_name, ui_name in (("date_from", "from"), ("date_to", "to")):
        if api_name in params:
            params[ui_name] = params[api_name]
    f = IncidentFilter.from_query(params, principal.municipality)
    if f.errors:
        raise HttpError(422, "; ".join(f.errors))
    return f


class IncidentOut(Schema):
    id: int
    source: str
    source_ref: str
    category: str
    category_label: str
    source_type: str
    occurred_at: str
    occurred_precision: str
    area: str
    lat: float | None
    lon: float | None
    position_precision: str
    sensitivity: str
    description: str


class IncidentPage(Schema):
    count: int
    page: int
    page_size: int
    next_page: int | None
    results: list[IncidentOut]


@router.get(
    "/incidents",
    summary="Incidents matching the filters, newest id first, paginated",
    response=IncidentPage | dict,
)
def list_incidents(
    request: HttpRequest,
    filters: Query[FilterParams],
    page: int = 1,
    page_size: int = 100,
    format: Literal["json", "geojson"] = "json",
):
    """Positions known only to the municipality (the police feed's centroids) are
    returned without coordinates. ``format=geojson`` returns a FeatureCollection."""
    f = _filter(request)
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise HttpError(422, f"1 ≤ page ≤ {MAX_PAGE} and 1 ≤ page_size ≤ {MAX_PAGE_SIZE}")
    qs = services.incidents(request.principal, f).order_by("-pk")
    count = qs.count()
    start = (page - 1) * page_size
    records = list(rows_in_order(qs[start : start + page_size]))
    next_page = page + 1 if start + page_size < count else None
    if format == "geojson":
        return {
            "type": "FeatureCollection",
            "count": count,
            "page": page,
            "page_size": page_size,
            "next_page": next_page,
            "features": [
                {
                    "type": "Feature",
                    "geometry": None
                    if r["lat"] is None
                    else {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                    "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")},
                }
                for r in records
            ],
        }
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "next_page": next_page,
        "results": records,
    }


def rows_in_order(qs):
    """The export records of a page, keeping the page's order."""
    labels = dict(Category.choices)
    return [to_record(incident, labels) for incident in qs.select_related("source", "area")]


class PeriodCount(Schema):
    period: dt.date
    count: int


class CategoryCount(Schema):
    category: str
    count: int


class AreaCount(Schema):
    area_id: int | None
    area: str | None
    count: int


class SummaryOut(Schema):
    date_from: dt.date
    date_to: dt.date
    granularity: str
    total: int
    by_period: list[PeriodCount]
    by_category: list[CategoryCount]
    by_area: list[AreaCount]


@router.get(
    "/assessment/summary",
    summary="Counts by period, category and area for the filters",
    response=SummaryOut,
)
def summary(
    request: HttpRequest,
    filters: Query[FilterParams],
    granularity: Literal["day", "week", "month"] | None = None,
):
    f = _filter(request)
    data = services.summary(request.principal, f, granularity)
    data["date_from"] = data.pop("from")
    data["date_to"] = data.pop("to")
    return data

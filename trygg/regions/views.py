"""A region's pages. Thin: the regional principal decides, services count, every read of a
municipality's data is written to that municipality's audit log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from shapely.geometry import shape

from trygg.core import disclosure, sweden
from trygg.core.roles import RegionPermission
from trygg.core.services.regions import RegionalPrincipal, regions_of
from trygg.incidents.taxonomy import Category
from trygg.regions import document, services


def regional_principal(request, pk: int, permission: RegionPermission) -> RegionalPrincipal:
    """The request's regional principal in region ``pk``; 404 for a region the user has
    no place in (the same answer as for one that does not exist), 403 for a role that
    does not allow ``permission``."""
    principal = RegionalPrincipal.for_user(request.user, pk)
    if principal is None:
        raise Http404
    if not principal.has(permission):
        raise PermissionDenied
    return principal


def _year(request) -> tuple[int, list[int]]:
    years = services.complete_years()
    try:
        year = int(request.GET.get("year", years[-1]))
    except ValueError:
        year = years[-1]
    return (year if year in years else years[-1]), years


@login_required
@require_GET
def index(request):
    regions = list(regions_of(request.user))
    if len(regions) == 1:
        return redirect("region_dashboard", pk=regions[0].pk)
    return render(request, "regions/index.html", {"regions": regions})


@login_required
@require_GET
def dashboard(request, pk: int):
    principal = regional_principal(request, pk, RegionPermission.VIEW_REGION)
    year, years = _year(request)
    readers = principal.read(f"dashboard {year}")
    rows = services.municipality_rows(readers, year)
    date_from, date_to = services.year_span(year)
    by_category = services.category_totals(readers, date_from, date_to)
    labels = dict(Category.choices)
    return render(
        request,
        "regions/dashboard.html",
        {
            "region": principal.region,
            "year": year,
            "year_param": str(year),
            "years": years,
            "rows": rows,
            "by_category": [(labels.get(c, c), n) for c, n in by_category],
            "total": disclosure.shown(sum(row.count for row in rows)),
            "partner_level": sum(1 for r in readers if not r.public),
            "can_analyse": principal.has(RegionPermission.ANALYSE_REGION),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "map_extent": _extent(readers),
        },
    )


@login_required
@require_GET
def comparison(request, pk: int):
    principal = regional_principal(request, pk, RegionPermission.VIEW_REGION)
    category = request.GET.get("category") or None
    if category not in dict(Category.choices):
        category = None
    readers = principal.read("comparison")
    table = services.comparison(readers, category)
    return render(
        request,
        "regions/comparison.html",
        {
            "region": principal.region,
            "table": table,
            "category": category,
            "categories": services.category_choices(),
            "category_label": dict(Category.choices).get(category, _("All categories")),
        },
    )


@login_required
@require_GET
def outlines(request, pk: int):
    """The region's municipalities' outlines (the national list's simplified ones)."""
    principal = regional_principal(request, pk, RegionPermission.VIEW_REGION)
    features = []
    for member in principal.region.members.select_related("municipality"):
        known = sweden.by_code(member.municipality.code)
        if known is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": known.geometry,
                    "properties": {"name": known.name, "code": known.code},
                }
            )
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
@require_GET
def layers(request, pk: int):
    principal = regional_principal(request, pk, RegionPermission.ANALYSE_REGION)
    year, _years = _year(request)
    readers = principal.read(f"hotspot map {year}")
    return JsonResponse(services.layers(readers, year))


@login_required
@require_GET
def pdf(request, pk: int):
    principal = regional_principal(request, pk, RegionPermission.ANALYSE_REGION)
    year, _years = _year(request)
    readers = principal.read(f"regional document {year}")
    content = document.render(principal.region, readers, year, language=request.LANGUAGE_CODE)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"lagesbild-{principal.region.pk}-{year}-{dt.date.today():%Y%m%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _extent(readers) -> tuple[float, float, float, float] | None:
    boxes = []
    for reader in readers:
        known = sweden.by_code(reader.municipality.code)
        if known is None:
            continue
        minx, miny, maxx, maxy = shape(known.geometry).bounds
        boxes.append((miny, minx, maxy, maxx))
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )

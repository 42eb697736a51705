"""The lägesbild dashboard and its exports. Thin: numbers come from services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.assessment import analysis, charts, comparison, exports, services
from trygg.assessment import documents as lagesbild_documents
from trygg.assessment.filters import IncidentFilter, describe_filter
from trygg.assessment.forms import DecisionForm, DocumentForm
from trygg.assessment.models import LagesbildDocument
from trygg.core.forms import add_service_errors
from trygg.core.guards import member_required
from trygg.core.models import Area
from trygg.core.permissions import Permission
from trygg.core.services import map_extent
from trygg.core.services.populations import populations_in
from trygg.incidents.taxonomy import Category


def _filter(request) -> IncidentFilter:
    return IncidentFilter.from_query(request.GET, request.principal.municipality)


@member_required()
def dashboard(request):
    principal = request.principal
    f = _filter(request)
    granularity = services.granularity_for(f)

    def total(flt: IncidentFilter) -> int:
        return services.total(principal, flt)

    vs_last_year = comparison.compare(f, f.last_year(), _("the same period last year"), total)
    # A year (or more) before is last year: the same comparison twice says nothing new.
    show_previous = not f.previous_is_last_year
    comparisons = [vs_last_year]
    if show_previous:
        comparisons.insert(
            0, comparison.compare(f, f.previous_period(), _("the previous period"), total)
        )
    chart, points = charts.comparison_chart(
        f,
        vs_last_year,
        granularity,
        lambda flt: services.counts(principal, flt, "day"),
        label_now=_("This period"),
    )
    heat = services.heatmap(principal, f)
    heat_max = max(max(row) for row in heat)
    heat_rows = [
        (day, [(n, charts.heat_class(n, heat_max)) for n in row])
        for day, row in zip(
            [
                _("Monday"),
                _("Tuesday"),
                _("Wednesday"),
                _("Thursday"),
                _("Friday"),
                _("Saturday"),
                _("Sunday"),
            ],
            heat,
            strict=True,
        )
    ]
    categories, columns, cells, row_totals, column_totals = services.breakdown(principal, f)
    breakdown_rows = [
        (c, [cells[(c.value, a.pk if a else None)] for a in columns], row_totals[c.value])
        for c in categories
    ]
    area_figures = services.by_area(principal, f)
    category_changes = services.changes(principal, f, "category")
    area_changes = services.changes(principal, f, "area")
    period_total = total(f)
    context = {
        "filter": f,
        "query": f.query_string(),
        "granularity": granularity,
        "chart": chart,
        "points": points,
        "total": period_total,
        "show_previous": show_previous,
        "rate_per_1000": _rate_per_1000(
            period_total, populations_in(principal.municipality.pk, f.date_to.year)[1]
        ),
        # Of the compared periods: this one back to the same period last year.
        "feed_gaps_note": comparison.feed_gaps_note(
            principal.municipality.pk, f.last_year().date_from, f.date_to
        ),
        "partial": comparison.is_partial(f.date_to),
        "comparisons": comparisons,
        "category_changes": category_changes,
        "change_tables": [
            (category_changes, _("By category"), _("Category")),
            (area_changes, _("By area"), _("Area")),
        ],
        "heat_rows": heat_rows,
        "hours": range(24),
        "breakdown_rows": breakdown_rows,
        "breakdown_columns": columns,
        "breakdown_column_totals": [column_totals[a.pk if a else None] for a in columns],
        "area_figures": area_figures,
        "observations": services.observations(principal, f),
        "all_areas": Area.objects.filter(municipality=principal.municipality).order_by("name"),
        "all_categories": Category.choices,
        "all_sources": services.sources_for(principal.municipality.pk),
        "map_extent": _extent(principal),
        "areas_are_demo": Area.objects.filter(
            municipality=principal.municipality, is_demo=True
        ).exists(),
    }
    return render(request, "assessment/dashboard.html", context)


def _rate_per_1000(count: int, population: int | None) -> float | None:
    """The period's incidents per 1 000 residents (not scaled to a year)."""
    if not population:
        return None
    return 1000 * count / population


def _extent(principal):

    return map_extent(principal.municipality)


@member_required()
def map_data(request):
    """The dashboard map's data: per-area counts (choropleth) and incident points."""
    principal = request.principal
    f = _filter(request)
    figures = services.by_area(principal, f)
    return JsonResponse(
        {
            "areas": {
                str(fig.area.pk): {"count": fig.count, "rate": fig.rate_per_1000}
                for fig in figures
                if fig.area is not None
            },
            "points": services.map_points(principal, f),
        }
    )


def _filename(f: IncidentFilter, extension: str) -> str:
    return f"incidents-{f.date_from}-{f.date_to}.{extension}"


@member_required()
def export(request, fmt: str):
    principal = request.principal
    f = _filter(request)
    qs = services.incidents(principal, f)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(qs), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "geojson":
        response = StreamingHttpResponse(
            exports.geojson_stream(qs), content_type="application/geo+json"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(qs),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return HttpResponse(status=404)
    response["Content-Disposition"] = f'attachment; filename="{_filename(f, fmt)}"'
    response["X-Trygg-Exported-At"] = timezone.now().isoformat()
    return response


@member_required(Permission.VIEW)
def analysis_page(request):
    """Hotspots, density, trends, near-repeat and emerging hotspots for the filter."""

    principal = request.principal
    f = _filter(request)
    category = analysis.near_repeat_category(f, request.GET.get("nr_category"))
    near = analysis.near_repeat_finding(principal, f, category)
    return render(
        request,
        "assessment/analysis.html",
        {
            "filter": f,
            "query": f.query_string(),
            "trend_findings": analysis.trend_findings(principal, f),
            "weekly_alerts": analysis.weekly_alerts(principal, f),
            "predictive": analysis.predictive_check(principal, f),
            "monthly_trends": analysis.monthly_trends(principal, f),
            "near": near,
            "nr_category": category,
            "near_days": analysis.NEAR_REPEAT_DAYS,
            "categories": [c for c in Category.choices if not f.categories or c[0] in f.categories],
            "filter_lines": describe_filter(f),
            "methods": analysis.METHODS,
            "map_extent": _extent(principal),
        },
    )


@member_required(Permission.VIEW)
def analysis_layers(request):

    principal = request.principal
    f = _filter(request)
    category = analysis.near_repeat_category(f, request.GET.get("nr_category"))
    layers = analysis.spatial_layers(principal, f)
    layers["emerging"] = analysis.emerging_layer(principal, f)
    layers["near_repeat_zones"] = analysis.near_repeat_finding(principal, f, category).zones
    return JsonResponse(layers)


# --- The lägesbild document -------------------------------------------------------------


@member_required(Permission.VIEW)
def documents(request):
    principal = request.principal
    can_create = principal.has(Permission.WRITE_LAGESBILD)
    default = IncidentFilter.default(principal.municipality)
    initial = {"date_from": default.date_from, "date_to": default.date_to}
    form = DocumentForm(request.POST or None, initial=initial) if can_create else None
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            try:
                doc = lagesbild_documents.request_document(principal, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("assessment_document", pk=doc.pk)
    docs = LagesbildDocument.objects.filter(municipality=principal.municipality)
    return render(
        request,
        "assessment/documents.html",
        {"form": form, "documents": docs, "can_create": can_create},
    )


@member_required(Permission.VIEW)
def document_detail(request, pk: int):
    principal = request.principal
    doc = get_object_or_404(LagesbildDocument, pk=pk, municipality=principal.municipality)
    can_write = principal.has(Permission.WRITE_LAGESBILD)
    can_decide = can_write and not doc.is_decided and doc.status == "done"
    decision = DecisionForm(request.POST or None) if can_decide else None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "retry":
                lagesbild_documents.retry_document(principal, doc)
                return redirect("assessment_document", pk=doc.pk)
            if not can_decide:
                raise PermissionDenied
            if decision.is_valid():
                lagesbild_documents.decide_document(principal, doc, **decision.cleaned_data)
                return redirect("assessment_document", pk=doc.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("assessment_document", pk=doc.pk)
    partial = request.headers.get("HX-Request") == "true"
    template = "assessment/_document_status.html" if partial else "assessment/document.html"
    return render(
        request,
        template,
        {"doc": doc, "decision": decision, "can_retry": can_write and not doc.is_decided},
    )


@member_required(Permission.VIEW)
def document_pdf(request, pk: int):
    doc = get_object_or_404(LagesbildDocument, pk=pk, municipality=request.principal.municipality)
    if not doc.pdf:
        raise Http404
    return FileResponse(
        doc.pdf.open("rb"),
        as_attachment=True,
        filename=doc.pdf.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )

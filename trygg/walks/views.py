"""Safety walks: planning, the walk's page, the protocol (page and PDF, published on
the public site), checklist templates, and the installable capture app for phones."""

from __future__ import annotations

import hashlib
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from trygg.core import geojson, records
from trygg.core.guards import member_required
from trygg.core.permissions import Permission, can_edit
from trygg.core.services import map_extent
from trygg.core.tenancy import public_municipality
from trygg.walks import protocol as walk_protocol
from trygg.walks import services
from trygg.walks.forms import ParticipantsForm, TemplateForm, WalkForm
from trygg.walks.models import ChecklistTemplate, Finding, FindingPhoto, Walk


def _walk(request, pk: int, *, edit: bool = False) -> Walk:
    qs = Walk.objects.visible_to(request.principal).select_related(
        "area", "template", "owner_organisation", "municipality"
    )
    walk = get_object_or_404(qs, pk=pk)
    if edit and not can_edit(request.principal, walk):
        raise PermissionDenied
    return walk


@member_required()
def walk_list(request):
    principal = request.principal
    today = timezone.localdate()
    walks = Walk.objects.visible_to(principal).select_related("area", "owner_organisation")
    return render(
        request,
        "walks/list.html",
        {
            "upcoming": walks.filter(date__gte=today).order_by("date", "start_time"),
            "past": walks.filter(date__lt=today).order_by("-date")[:50],
            "can_create": principal.has(Permission.CREATE),
            "can_manage": principal.has(Permission.MANAGE_CHECKLISTS),
        },
    )


@member_required(Permission.CREATE)
def walk_create(request):
    principal = request.principal
    template = services.default_template(principal.municipality)
    form = WalkForm(
        request.POST or None,
        principal=principal,
        initial={"template": template, "date": timezone.localdate(), "start_time": "19:00"},
    )
    if request.method == "POST" and form.is_valid():
        walk = services.plan_walk(principal, form.instance, records.relations(form))
        messages.success(request, _("The walk was planned."))
        return redirect("walk_detail", pk=walk.pk)
    return render(
        request,
        "walks/form.html",
        {"form": form, "map_extent": map_extent(principal.municipality), "walk": None},
    )


@member_required(Permission.CREATE)
def walk_edit(request, pk: int):
    walk = _walk(request, pk, edit=True)
    form = WalkForm(request.POST or None, instance=walk, principal=request.principal)
    if request.method == "POST" and form.is_valid():
        services.update_walk(request.principal, form.instance, records.relations(form))
        messages.success(request, _("The walk was saved."))
        return redirect("walk_detail", pk=walk.pk)
    return render(
        request,
        "walks/form.html",
        {"form": form, "map_extent": map_extent(request.principal.municipality), "walk": walk},
    )


@member_required()
def walk_detail(request, pk: int):
    walk = _walk(request, pk)
    editable = can_edit(request.principal, walk)
    form = ParticipantsForm(request.POST or None, instance=walk) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            services.record_participants(request.principal, form.instance)
            messages.success(request, _("Participants and summary were saved."))
            return redirect("walk_detail", pk=walk.pk)
    findings = walk_protocol.findings_for_protocol(walk)
    return render(
        request,
        "walks/detail.html",
        {
            "walk": walk,
            "form": form,
            "editable": editable,
            "findings": [(f, walk_protocol.finding_outcome(f)) for f in findings],
            "route_json": walk.route and json.dumps(walk.route),
        },
    )


@member_required(Permission.CREATE)
@require_POST
def walk_cancel(request, pk: int):
    walk = _walk(request, pk, edit=True)
    try:
        services.cancel_walk(request.principal, walk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The walk was cancelled; the invited were told."))
    return redirect("walk_detail", pk=walk.pk)


@member_required()
@require_GET
def walk_findings_geojson(request, pk: int):
    walk = _walk(request, pk)
    return JsonResponse(geojson.collection(_finding_points(walk, public=False)))


def _finding_points(walk: Walk, *, public: bool):
    """The walk's findings, numbered as in the protocol: to the case (staff) or to the
    finding on the public protocol page."""
    for number, f in enumerate(walk_protocol.findings_for_protocol(walk), start=1):
        if public:
            url = f"#finding-{number}"
        else:
            url = reverse("case_detail", args=[f.case_id]) if f.case_id else "#"
        yield geojson.point(
            f.lon,
            f.lat,
            title=f"{number}. {f.category.label}",
            status=walk_protocol.finding_outcome(f)["status"],
            is_open=bool(f.case and f.case.is_open),
            url=url,
            number=number,  # drawn on the marker, as in the PDF
        )


@member_required(Permission.CREATE)
@require_POST
def finding_route(request, pk: int):
    finding = get_object_or_404(Finding.objects.select_related("walk"), pk=pk)
    _walk(request, finding.walk_id)
    if services.route_finding(finding, request.principal):
        messages.success(request, _("The finding was routed."))
    else:
        messages.error(
            request, _("No routing rule covers this finding: add one in the administration.")
        )
    return redirect("walk_detail", pk=finding.walk_id)


@member_required()
@require_GET
def finding_photo(request, pk: int):
    photo = get_object_or_404(FindingPhoto.objects.select_related("finding"), pk=pk)
    _walk(request, photo.finding.walk_id)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


@member_required()
def protocol(request, pk: int):
    walk = _walk(request, pk)
    editable = can_edit(request.principal, walk)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "publish":
            services.publish(walk, request.principal)
            services.request_protocol(walk)
            messages.success(request, _("The protocol is published on the public site."))
        elif action == "unpublish":
            services.unpublish(walk, request.principal)
            messages.success(request, _("The protocol was taken off the public site."))
        elif action in {"generate", "retry"}:
            services.request_protocol(walk)
            messages.info(request, _("The PDF is being generated."))
        return redirect("walk_protocol", pk=walk.pk)
    return render(request, "walks/protocol.html", _protocol_context(walk) | {"editable": editable})


def _protocol_context(walk: Walk) -> dict:
    findings = walk_protocol.findings_for_protocol(walk)
    labels = {i["key"]: i["label"] for i in walk.template.items}
    rows = [
        {
            "number": n,
            "finding": f,
            "outcome": walk_protocol.finding_outcome(f),
            "checks": [labels.get(k, k) for k in f.checks],
            "scores": [(labels.get(k, k), v) for k, v in f.scores.items()],
        }
        for n, f in enumerate(findings, start=1)
    ]
    return {"walk": walk, "rows": rows, "route_json": walk.route and json.dumps(walk.route)}


@member_required()
def protocol_status(request, pk: int):
    walk = _walk(request, pk)
    return render(request, "walks/_protocol_status.html", {"walk": walk})


@member_required()
@require_GET
def protocol_pdf(request, pk: int):
    walk = _walk(request, pk)
    if not walk.protocol_pdf:
        raise Http404
    return FileResponse(
        walk.protocol_pdf.open("rb"),
        content_type="application/pdf",
        filename=f"trygghetsvandring-{walk.date:%Y-%m-%d}-{walk.pk}.pdf",
    )


# --- Checklist templates ------------------------------------------------------------


@member_required(Permission.MANAGE_CHECKLISTS)
def templates(request):
    items = ChecklistTemplate.objects.filter(municipality=request.principal.municipality)
    services.default_template(request.principal.municipality)
    return render(request, "walks/templates.html", {"templates": items})


@member_required(Permission.MANAGE_CHECKLISTS)
def template_edit(request, pk: int | None = None):
    municipality = request.principal.municipality
    template = (
        get_object_or_404(ChecklistTemplate, pk=pk, municipality=municipality) if pk else None
    )
    initial = {}
    if template:
        initial = {
            "name": template.name,
            "description": template.description,
            "is_default": template.is_default,
            "checks": "\n".join(i["label"] for i in template.checks()),
            "scores": "\n".join(i["label"] for i in template.scores()),
        }
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_checklist(
                request.principal,
                template,
                name=data["name"],
                description=data["description"],
                checks=data["checks"],
                scores=data["scores"],
                is_default=data["is_default"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The checklist was saved."))
            return redirect("walk_templates")
    return render(request, "walks/template_form.html", {"form": form, "template": template})


# --- The capture app (PWA) ----------------------------------------------------------

SHELL_ASSETS = [
    "web/css/trygg.css",
    "walks/capture.css",
    "walks/capture.js",
    "walks/idb.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "walks/icon.svg",
]


@member_required(Permission.CREATE)
@never_cache
def capture(request):
    get_token(request)  # the CSRF cookie, for the sync requests
    return render(request, "walks/capture.html", {})


@require_GET
def manifest(request):
    data = {
        "name": "Trygg – trygghetsvandring",
        "short_name": "Trygg",
        "description": _("Capture safety-walk findings, also without network."),
        "start_url": reverse("walk_capture"),
        "scope": reverse("walk_list"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#12355b",
        "lang": "sv",
        "icons": [
            {
                "src": static("walks/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
            },
            {"src": static("walks/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("walks/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(data)
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request):
    assets = [static(a) for a in SHELL_ASSETS]
    shell = reverse("walk_capture")
    version = hashlib.sha256("|".join([*assets, shell]).encode()).hexdigest()[:12]
    body = render(
        request,
        "walks/sw.js",
        {"assets": assets, "shell": shell, "version": version},
        content_type="text/javascript; charset=utf-8",
    )
    body["Cache-Control"] = "no-cache"
    body["Service-Worker-Allowed"] = reverse("walk_list")
    return body


# --- Public -------------------------------------------------------------------------


def _public_walks():
    return services.published_walks(public_municipality())


@require_GET
def public_walks(request):
    return render(
        request,
        "walks/public/list.html",
        {"walks": _public_walks().order_by("-date"), "municipality": public_municipality()},
    )


@require_GET
def public_walk(request, pk: int):
    walk = get_object_or_404(_public_walks(), pk=pk)
    published = walk_protocol.public_participants(walk)
    context = {
        **_protocol_context(walk),
        "participants_public": published["participants"],
        "participants_total_public": published["participants_total"],
    }
    return render(request, "walks/public/detail.html", context)


@require_GET
def public_walk_pdf(request, pk: int):
    walk = get_object_or_404(_public_walks(), pk=pk)
    if not walk.protocol_pdf:
        raise Http404
    return FileResponse(
        walk.protocol_pdf.open("rb"),
        content_type="application/pdf",
        filename=f"trygghetsvandring-{walk.date:%Y-%m-%d}.pdf",
    )


@require_GET
def public_finding_photo(request, pk: int):
    photo = get_object_or_404(FindingPhoto.objects.filter(finding__walk__in=_public_walks()), pk=pk)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


@require_GET
def public_findings_geojson(request, pk: int):
    walk = get_object_or_404(_public_walks(), pk=pk)
    return JsonResponse(geojson.collection(_finding_points(walk, public=True)))

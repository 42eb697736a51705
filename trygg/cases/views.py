"""Cases: the staff pages (list, map, a case, new case, moderation, dashboard) and the
public ones (report a place, the public map, a case's public page, its photos)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trygg.cases import origins, services
from trygg.cases.forms import (
    CaseFilterForm,
    FollowForm,
    MergeForm,
    ModerationForm,
    PublicReportForm,
    ReassignForm,
    StaffCaseForm,
    UpdateForm,
)
from trygg.cases.models import (
    Case,
    CaseCategory,
    CasePhoto,
    Moderation,
    Origin,
    State,
)
from trygg.core import geojson, ratelimit
from trygg.core.forms import add_service_errors
from trygg.core.guards import member_required
from trygg.core.middleware import client_ip
from trygg.core.models import Sensitivity
from trygg.core.params import id_param
from trygg.core.permissions import Permission, can_edit
from trygg.core.services import map_extent
from trygg.core.tenancy import public_municipality

# --- Staff --------------------------------------------------------------------------


@member_required()
def case_list(request):
    principal = request.principal
    municipality = principal.municipality
    qs = Case.objects.visible_to(principal).select_related("category", "owner_organisation", "area")
    data = request.GET
    if not data and qs.filter(owner_organisation=principal.organisation).exists():
        # First visit: the organisation's own cases (choose "All" to see everyone's).
        data = QueryDict(mutable=True)
        data["organisation"] = str(principal.organisation.pk)
    form = CaseFilterForm(data or None, municipality=municipality)
    status, order = "open", "-created"
    if form.is_valid():
        status = form.cleaned_data["status"] or "open"
        order = form.cleaned_data["sort"] or order
        if form.cleaned_data["organisation"]:
            qs = qs.filter(owner_organisation=form.cleaned_data["organisation"])
        if form.cleaned_data["category"]:
            qs = qs.filter(category=form.cleaned_data["category"])
        if form.cleaned_data["q"]:
            qs = services.search_cases(qs, form.cleaned_data["q"])
    today = timezone.localdate()
    qs = services.with_status(qs, status, today)
    ordering = {
        "-created": ("-created_at", "-pk"),
        "created": ("created_at", "pk"),
        "deadline": ("deadline", "-created_at"),
    }[order]
    page = Paginator(qs.order_by(*ordering), 30).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today,
            "can_create": principal.has(Permission.CREATE),
            "can_moderate": principal.has(Permission.MODERATE),
            "pending": services.public_cases(municipality)
            .filter(moderation=Moderation.PENDING)
            .count()
            if principal.has(Permission.MODERATE)
            else 0,
            "map_extent": map_extent(municipality),
            "geojson_url": reverse("cases_geojson") + "?" + query.urlencode(),
        },
    )


@member_required()
@require_GET
def cases_geojson(request):
    """The visible open cases (or the filtered ones) as GeoJSON for the staff map."""
    principal = request.principal
    qs = (
        Case.objects.visible_to(principal)
        .exclude(state=State.HIDDEN)
        .select_related("category", "owner_organisation")
    )
    case_id = id_param(request.GET, "id")
    if case_id is not None:
        qs = qs.filter(pk=case_id)
    else:
        qs = services.with_status(qs, request.GET.get("status") or "open")
    features = (
        geojson.point(
            c.lon,
            c.lat,
            title=f"#{c.pk} {c.category.label}",
            status=c.get_state_display(),
            is_open=c.is_open,
            url=reverse("case_detail", args=[c.pk]),
            id=c.pk,
            overdue=c.is_overdue,
        )
        for c in qs[:5000]
    )
    return JsonResponse(geojson.collection(features))


def _visible_case(request, pk: int) -> Case:
    qs = Case.objects.visible_to(request.principal).select_related(
        "category", "owner_organisation", "area", "duplicate_of"
    )
    return get_object_or_404(qs, pk=pk)


def _case_forms(case: Case, principal, data=None, action: str | None = None) -> dict:
    """The case page's three forms; the one ``action`` names is bound to ``data``."""

    def bound(name: str):
        return data if action == name else None

    return {
        "update": UpdateForm(
            bound("update"),
            states=services.allowed_transitions(case, principal),
            case=case,
            prefix="update",
        ),
        "reassign": ReassignForm(bound("reassign"), case=case, prefix="reassign"),
        "merge": MergeForm(bound("merge"), prefix="merge"),
    }


def _update(request, case: Case, principal, form):
    """A new state, a note, a decided action — any of them."""
    data = form.cleaned_data
    services.update_case(
        case,
        principal,
        state=data["state"] or None,
        text=data["text"],
        is_public=data["is_public"],
        decided_action=data["decided_action"],
    )
    messages.success(request, _("The case was updated."))
    # A one-click change from the start page returns there.
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)
    return redirect("case_detail", pk=case.pk)


def _reassign(request, case: Case, principal, form):
    """ "Not ours": to the organisation that is responsible."""
    services.reassign(case, principal, form.cleaned_data["organisation"], form.cleaned_data["text"])
    messages.success(request, _("The case was passed on."))
    return redirect("case_detail", pk=case.pk)


def _merge(request, case: Case, principal, form):
    """A duplicate merged into the case it repeats."""
    into = Case.objects.visible_to(principal).filter(pk=form.cleaned_data["into"]).first()
    if into is None:
        form.add_error("into", _("No such case."))
        return None
    services.merge(case, into, principal)
    messages.success(request, _("The case was merged."))
    return redirect("case_detail", pk=into.pk)


CASE_ACTIONS = {"update": _update, "reassign": _reassign, "merge": _merge}


def _case_page(case: Case, principal, editable: bool, forms: dict) -> dict:
    return {
        "case": case,
        "updates": case.updates.select_related("author", "organisation", "reassigned_to"),
        "photos": case.photos.all(),
        "editable": editable,
        "update_form": forms["update"],
        "reassign_form": forms["reassign"],
        "merge_form": forms["merge"],
        "can_moderate": principal.has(Permission.MODERATE),
        "nearby": services.find_duplicates(
            case.municipality, case.category, case.lat, case.lon, exclude=case
        )
        if case.is_open
        else [],
        "finding": getattr(case, "walk_finding", None),
        "case_extent": [case.lat - 0.002, case.lon - 0.004, case.lat + 0.002, case.lon + 0.004],
    }


@member_required()
def case_detail(request, pk: int):
    principal = request.principal
    case = _visible_case(request, pk)
    editable = can_edit(principal, case)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _case_forms(case, principal, request.POST, action)
    if request.method == "POST":
        # Moderators merge duplicates of cases they may not otherwise change.
        if not editable and "moderate" not in request.POST and "merge-into" not in request.POST:
            raise PermissionDenied
        handler = CASE_ACTIONS.get(action or "")
        if handler is not None and forms[action].is_valid():
            try:
                response = handler(request, case, principal, forms[action])
            except ValidationError as exc:
                add_service_errors(forms[action], exc)
            else:
                if response is not None:
                    return response
    return render(request, "cases/detail.html", _case_page(case, principal, editable, forms))


@member_required(Permission.CREATE)
def case_create(request):
    principal = request.principal
    municipality = principal.municipality
    # Made from a record of another app, e.g. a decision of the collaboration forum
    # (?origin=plan.decision:17): that app says what the case starts with (cases.origins).
    origin_ref = request.GET.get("origin", "")
    initial = None
    if origin_ref:
        text = origins.describe(principal, origin_ref)
        if text is None:
            raise Http404
        initial = {"description": text}
    form = StaffCaseForm(
        request.POST or None, request.FILES or None, municipality=municipality, initial=initial
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = services.find_duplicates(
            municipality, data["category"], data["lat"], data["lon"]
        )
        if not duplicates or data["create_anyway"]:
            try:
                case = services.create_case(
                    municipality,
                    category=data["category"],
                    lat=data["lat"],
                    lon=data["lon"],
                    description=data["description"],
                    address=data["address"],
                    origin=Origin.STAFF,
                    principal=principal,
                    sensitivity=data["sensitivity"],
                    photo=data["photo"].read() if data["photo"] else None,
                    origin_ref=origin_ref,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Case #%(id)s was created and sent to %(org)s.")
                    % {"id": case.pk, "org": case.owner_organisation},
                )
                return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "cases/form.html",
        {"form": form, "duplicates": duplicates, "map_extent": map_extent(municipality)},
    )


@member_required(Permission.MODERATE)
def moderation(request):
    principal = request.principal
    municipality = principal.municipality
    if request.method == "POST":
        case = _visible_case(request, id_param(request.POST, "case") or 0)
        form = ModerationForm(request.POST, prefix=f"m{case.pk}")
        if form.is_valid():
            try:
                services.moderate(
                    case,
                    principal,
                    approve=request.POST.get("decision") == "approve",
                    description=form.cleaned_data["description"],
                    address=form.cleaned_data["address"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if request.POST.get("decision") == "hide":
                    services.change_state(
                        case, principal, State.HIDDEN, text=_("Hidden by moderator.")
                    )
                messages.success(request, _("Case #%(id)s was moderated.") % {"id": case.pk})
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("case_moderation")
    pending = (
        Case.objects.visible_to(principal)
        .filter(municipality=municipality, moderation=Moderation.PENDING)
        .exclude(state=State.HIDDEN)
        .select_related("category", "area", "owner_organisation")
        .prefetch_related("photos")
        .order_by("created_at")
    )
    items = [
        (
            c,
            ModerationForm(
                prefix=f"m{c.pk}", initial={"description": c.description, "address": c.address}
            ),
        )
        for c in pending
    ]
    return render(request, "cases/moderation.html", {"items": items})


@member_required()
def dashboard(request):
    principal = request.principal
    stats = services.dashboard(principal.municipality, principal)
    return render(request, "cases/dashboard.html", {"stats": stats})


@member_required()
@require_GET
def case_photo(request, pk: int, photo_pk: int):
    case = _visible_case(request, pk)
    photo = get_object_or_404(CasePhoto, pk=photo_pk, case=case)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


@member_required()
@require_GET
def nearby(request):
    """Possible duplicates for the staff form (HTMX partial)."""
    return _nearby(request, request.principal.municipality, staff=True)


# --- Public -------------------------------------------------------------------------


def _nearby(request, municipality, *, staff: bool):
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
        category = CaseCategory.objects.get(
            municipality=municipality, pk=int(request.GET["category"])
        )
    except (KeyError, ValueError, CaseCategory.DoesNotExist):
        return render(request, "cases/_nearby.html", {"cases": []})
    cases = services.find_duplicates(municipality, category, lat, lon)
    if not staff:
        cases = [c for c in cases if c.sensitivity == Sensitivity.PUBLIC]
    return render(request, "cases/_nearby.html", {"cases": cases[:5], "staff": staff})


@require_GET
def public_nearby(request):
    return _nearby(request, public_municipality(), staff=False)


def report(request):
    """A resident reports an unsafe place. No name is asked for."""
    municipality = public_municipality()
    form = PublicReportForm(request.POST or None, request.FILES or None, municipality=municipality)
    if request.method == "POST":
        if request.POST.get("website"):
            # A bot filled in the honeypot: pretend success, store nothing.
            return redirect("public_report_received")
        verdict = ratelimit.hit(
            "public-report", client_ip(request) or "unknown", settings.PUBLIC_REPORTS_PER_HOUR, 3600
        )
        if not verdict.allowed:
            response = render(
                request,
                "cases/public/report.html",
                {
                    "form": form,
                    "municipality": municipality,
                    "rate_limited": True,
                    "map_extent": map_extent(municipality),
                },
                status=429,
            )
            response["Retry-After"] = str(verdict.retry_after)
            return response
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.create_case(
                    municipality,
                    category=data["category"],
                    lat=data["lat"],
                    lon=data["lon"],
                    description=data["description"],
                    origin=Origin.PUBLIC,
                    reporter_email=data["email"],
                    attributes=data["attributes"],
                    photo=data["photo"].read() if data["photo"] else None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("public_report_done", token=case.token)
    return render(
        request,
        "cases/public/report.html",
        {"form": form, "municipality": municipality, "map_extent": map_extent(municipality)},
    )


@require_GET
def report_done(request, token: str | None = None):
    municipality = public_municipality()
    case = services.public_cases(municipality).filter(token=token).first() if token else None
    return render(request, "cases/public/report_done.html", {"case": case})


@require_GET
def public_map(request):
    municipality = public_municipality()
    status = request.GET.get("status", "open")
    qs = services.with_status(services.public_cases(municipality), status)
    page = Paginator(qs.order_by("-created_at"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/public/map.html",
        {
            "page": page,
            "status": status,
            "municipality": municipality,
            "map_extent": map_extent(municipality),
            "geojson_url": reverse("public_cases_geojson") + f"?status={status}",
        },
    )


@require_GET
def public_cases_geojson(request):
    municipality = public_municipality()
    status = request.GET.get("status", "open")
    if "id" in request.GET:  # one case (its page's map), whatever its status
        qs = services.public_cases(municipality).filter(pk=id_param(request.GET, "id"))
    else:
        qs = services.with_status(services.public_cases(municipality), status)
    features = [
        geojson.point(
            round(c.lon, 6),
            round(c.lat, 6),
            title=f"#{c.pk} {c.category.label}",
            status=c.get_state_display(),
            is_open=c.is_open,
            url=reverse("public_case", args=[c.pk]),
            id=c.pk,
        )
        for c in qs.order_by("-created_at")[:2000]
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _public_case_page(
    request, case: Case, follow_form=None, status: int = 200, rate_limited: bool = False
):
    return render(
        request,
        "cases/public/case.html",
        {
            "case": case,
            "updates": services.public_updates(case),
            "status_notes": services.status_notes(case),
            "photos": [
                p
                for p in case.photos.all()
                if p.is_public and case.moderation == Moderation.APPROVED
            ],
            "follow_form": follow_form or FollowForm(),
            "rate_limited": rate_limited,
            "map_extent": map_extent(case.municipality),
            "points_url": reverse("public_cases_geojson") + f"?id={case.pk}",
        },
        status=status,
    )


@require_GET
def public_case(request, pk: int):
    municipality = public_municipality()
    case = get_object_or_404(services.public_cases(municipality), pk=pk)
    return _public_case_page(request, case)


@require_POST
def public_case_follow(request, pk: int):
    """Ask for e-mail about a case: a confirmation link is sent (double opt-in)."""
    municipality = public_municipality()
    case = get_object_or_404(services.public_cases(municipality), pk=pk)
    form = FollowForm(request.POST)
    if request.POST.get("website"):  # the honeypot: pretend, send nothing
        return render(request, "cases/public/follow.html", {"case": case, "step": "sent"})
    verdict = ratelimit.hit(
        "case-follow", client_ip(request) or "unknown", settings.PUBLIC_REPORTS_PER_HOUR, 3600
    )
    if not verdict.allowed:
        response = _public_case_page(request, case, form, status=429, rate_limited=True)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    if not form.is_valid():
        return _public_case_page(request, case, form, status=400)
    services.request_subscription(case, form.cleaned_data["email"])
    return render(request, "cases/public/follow.html", {"case": case, "step": "sent"})


def public_follow_confirm(request, token: str):
    """The link in the confirmation e-mail: a button (a mail scanner that opens links
    does not confirm anything), then confirmed."""
    subscription = services.pending_subscription(token)
    if subscription is None:
        return render(request, "cases/public/follow.html", {"step": "invalid"}, status=404)
    if request.method == "POST":
        services.confirm_subscription(subscription)
        step = "confirmed"
    else:
        step = "confirmed" if subscription.confirmed_at else "confirm"
    return render(request, "cases/public/follow.html", {"case": subscription.case, "step": step})


def public_unsubscribe(request, token: str):
    """The stop link in every e-mail to a resident."""
    if request.method == "POST":
        case = services.unsubscribe(token)
        if case is None:
            return render(request, "cases/public/follow.html", {"step": "invalid"}, status=404)
        return render(request, "cases/public/follow.html", {"case": case, "step": "stopped"})
    return render(request, "cases/public/follow.html", {"step": "stop"})


@require_GET
def public_case_photo(request, pk: int, photo_pk: int):
    municipality = public_municipality()
    case = get_object_or_404(
        services.public_cases(municipality), pk=pk, moderation=Moderation.APPROVED
    )
    photo = get_object_or_404(CasePhoto, pk=photo_pk, case=case, is_public=True)
    if not photo.image:
        raise Http404
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")

"""The staff web shell: overview, areas, notice board, organisations, audit log and the
organisation switcher. Thin views: rules live in trygg.core.services/permissions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trygg.cases import services as cases_services
from trygg.core import audit, services
from trygg.core.guards import member_required
from trygg.core.middleware import SESSION_KEY
from trygg.core.models import (
    Area,
    AuditAction,
    AuditEntry,
    Membership,
    Notice,
    Organisation,
    OrganisationKind,
)
from trygg.core.permissions import Permission, Principal, can_edit
from trygg.core.services.regions import regions_of
from trygg.core.tenancy import public_municipality
from trygg.live.services import alerts as live_alerts
from trygg.plan.models import ActionPlan
from trygg.walks.services import published_walks
from trygg.web.forms import NoticeForm
from trygg.web.todo import todo


def _map_context(principal: Principal) -> dict:
    municipality = principal.municipality
    areas = list(Area.objects.filter(municipality=municipality).order_by("name"))
    return {
        "municipality": municipality,
        "areas": areas,
        "areas_are_demo": any(a.is_demo for a in areas),
        "map_extent": services.map_extent(municipality),
    }


def home(request):
    """The start page: staff get theirs; anyone else the public site's (report a place,
    the map of reported places, the plan, the published walks), with the staff login."""
    if not request.user.is_authenticated:
        try:
            return public_home(request)
        except Http404:  # no municipality set up yet: only staff have anything to do
            return redirect_to_login(request.get_full_path())
    if not request.principal.is_member and regions_of(request.user).exists():
        return redirect("regions")  # a region's person: the regional start page
    return staff_home(request)


@require_GET
def public_home(request):
    municipality = public_municipality()
    plan = ActionPlan.objects.filter(municipality=municipality, versions__isnull=False).first()
    context = {
        "municipality": municipality,
        "map_extent": services.map_extent(municipality),
        "latest_cases": list(
            cases_services.with_status(cases_services.public_cases(municipality), "open").order_by(
                "-created_at"
            )[:5]
        ),
        "walks": list(published_walks(municipality).order_by("-date")[:3]),
        "has_plan": plan is not None,
    }
    return render(request, "web/public_home.html", context)


@member_required()
def staff_home(request):
    principal = request.principal
    notices = [
        n
        for n in Notice.objects.visible_to(principal)
        .select_related("owner_organisation")
        .order_by("-created_at")[:5]
        if n.is_current
    ]
    context = _map_context(principal) | {
        "todo": todo(principal),
        "raised_risk": live_alerts.in_risk_window(principal.municipality.pk),
        "notices": notices,
        "organisation_count": Organisation.objects.filter(
            municipality=principal.municipality, is_active=True
        ).count(),
    }
    return render(request, "web/home.html", context)


@member_required()
def areas(request):
    return render(request, "web/areas.html", _map_context(request.principal))


@member_required()
@require_GET
def areas_geojson(request):
    data = services.areas_geojson(request.principal.municipality, request.GET.get("kind"))
    return JsonResponse(data)


@require_GET
def public_areas_geojson(request):
    """The public site's areas (names and boundaries are public information)."""
    data = services.areas_geojson(public_municipality(), request.GET.get("kind"))
    return JsonResponse(data)


@member_required()
def notices(request):
    principal = request.principal
    qs = (
        Notice.objects.visible_to(principal)
        .select_related("owner_organisation")
        .prefetch_related("restricted_to")
        .order_by("-created_at")
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    rows = [(notice, can_edit(principal, notice)) for notice in page]
    return render(
        request,
        "web/notices.html",
        {"page": page, "rows": rows, "can_create": principal.has(Permission.CREATE)},
    )


@member_required(Permission.CREATE)
def notice_create(request):
    principal = request.principal
    form = NoticeForm(request.POST or None, principal=principal)
    if request.method == "POST" and form.is_valid():
        services.create_notice(
            principal,
            restricted_to=form.cleaned_data["restricted_to"],
            **{k: form.cleaned_data[k] for k in services.NOTICE_FIELDS},
        )
        messages.success(request, _("The notice was published."))
        return redirect("notices")
    return render(request, "web/notice_form.html", {"form": form, "notice": None})


def _editable_notice(request, pk: int) -> Notice:
    notice = get_object_or_404(Notice.objects.visible_to(request.principal), pk=pk)
    if not can_edit(request.principal, notice):
        raise PermissionDenied
    return notice


@member_required()
def notice_edit(request, pk: int):
    notice = _editable_notice(request, pk)
    form = NoticeForm(request.POST or None, instance=notice, principal=request.principal)
    if request.method == "POST" and form.is_valid():
        services.update_notice(
            request.principal,
            notice,
            restricted_to=form.cleaned_data["restricted_to"],
            **{k: form.cleaned_data[k] for k in services.NOTICE_FIELDS},
        )
        messages.success(request, _("The notice was saved."))
        return redirect("notices")
    return render(request, "web/notice_form.html", {"form": form, "notice": notice})


@member_required()
@require_POST
def notice_delete(request, pk: int):
    notice = _editable_notice(request, pk)
    services.delete_notice(request.principal, notice)
    messages.success(request, _("The notice was removed."))
    return redirect("notices")


@member_required()
def organisations(request):
    principal = request.principal
    orgs = (
        Organisation.objects.filter(municipality=principal.municipality, is_active=True)
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("kind", "name")
    )
    members = None
    if principal.has(Permission.MANAGE_MEMBERS):
        members = (
            Membership.objects.filter(organisation__municipality=principal.municipality)
            .select_related("user", "organisation")
            .order_by("organisation__name", "user__username")
        )
    kinds = dict(OrganisationKind.choices)
    return render(
        request,
        "web/organisations.html",
        {
            "organisations": [(org, kinds.get(org.kind, org.kind)) for org in orgs],
            "members": members,
        },
    )


@member_required(Permission.VIEW_AUDIT_LOG)
def audit_log(request):
    principal = request.principal
    qs = (
        AuditEntry.objects.filter(
            Q(municipality=principal.municipality)
            | Q(
                municipality__isnull=True,
                actor__memberships__organisation__municipality=principal.municipality,
            )
        )
        .select_related("content_type", "organisation")
        .distinct()
        .order_by("-at", "-id")
    )
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        qs = qs.filter(action=action)
    actor = request.GET.get("actor", "").strip()
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/audit_log.html",
        {
            "page": page,
            # A record the reader may not read: its kind and id, never its text or values.
            "shown": audit.for_reader(page.object_list, principal),
            "actions": AuditAction.choices,
            "action": action,
            "actor": actor,
        },
    )


@login_required
@require_POST
def switch_organisation(request):
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError as exc:
        raise Http404 from exc
    principal = Principal.for_user(request.user, organisation_id)
    if principal.membership is None:
        raise PermissionDenied
    request.session[SESSION_KEY] = organisation_id
    messages.info(
        request,
        _("You are now working for %(organisation)s as %(role)s.")
        % {
            "organisation": principal.organisation.name,
            "role": principal.membership.get_role_display().lower(),
        },
    )
    target = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    return redirect(target)


@require_GET
def healthz(request):
    """Liveness and database check for load balancers and monitoring."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception=None):
    """400: a parameter Trygg cannot use, with the message saying which and why."""
    message = str(exception) if exception is not None and exception.args else ""
    return render(request, "400.html", {"message": message}, status=400)

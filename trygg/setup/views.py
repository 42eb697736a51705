"""Inställningar: the municipality's settings in Trygg's own pages. Each view parses the
form, calls the owning app's service, and renders; every rule lives in the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from trygg.cases.models import CaseCategory, PropertyArea, RoutingRule
from trygg.cases.services import routing as cases_routing
from trygg.cases.services import settings as case_settings
from trygg.core import vector
from trygg.core.forms import add_service_errors
from trygg.core.guards import member_required
from trygg.core.importing import ImportRefused
from trygg.core.models import (
    AreaKind,
    AreaLayer,
    Invitation,
    Membership,
    Organisation,
    Population,
    RegionMember,
    SiteProfile,
)
from trygg.core.permissions import Permission
from trygg.core.services import areas as area_services
from trygg.core.services import locate_area, map_extent
from trygg.core.services import organisations as organisation_services
from trygg.core.services import people as people_services
from trygg.core.services import site as site_services
from trygg.core.services.populations import import_population
from trygg.core.services.regions import set_sharing
from trygg.core.tenancy import public_municipality
from trygg.est.models import Observation, ObservationCategory, Place, ScaleKind
from trygg.est.services import scales
from trygg.est.services import settings as est_settings
from trygg.setup import forms, services


def _import_errors(exc: ImportRefused) -> list[str]:
    shown = [str(e) for e in exc.errors[:50]]
    if exc.count > len(shown):
        shown.append(_("… and %(n)s more") % {"n": exc.count - len(shown)})
    return shown


@member_required(Permission.MANAGE_SETTINGS)
def index(request):
    principal = request.principal
    if request.method == "POST" and request.POST.get("step") == "categories_reviewed":
        services.mark(principal, "categories_reviewed")
        messages.success(request, _("Noted: the case categories are reviewed."))
        return redirect("setup_index")
    steps = services.getting_started(principal.municipality)
    return render(
        request,
        "setup/index.html",
        {"steps": steps, "done": sum(s.done for s in steps), "section": "index"},
    )


# --- Organisations and people ---------------------------------------------------------


@member_required(Permission.MANAGE_SETTINGS)
def organisations(request):
    municipality = request.principal.municipality
    orgs = (
        Organisation.objects.filter(municipality=municipality)
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__is_active=True)),
            pending=Count(
                "invitations",
                filter=Q(
                    invitations__accepted_at__isnull=True, invitations__revoked_at__isnull=True
                ),
            ),
        )
        .order_by("-is_active", "kind", "name")
    )
    return render(
        request,
        "setup/organisations.html",
        {"organisations": orgs, "kinds": forms.KIND_LABELS, "section": "organisations"},
    )


@member_required(Permission.MANAGE_SETTINGS)
def organisation_edit(request, pk: int | None = None):
    principal = request.principal
    organisation = (
        get_object_or_404(Organisation, pk=pk, municipality=principal.municipality) if pk else None
    )
    form = forms.OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = organisation_services.save_organisation(
                principal, organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(org)s is saved.") % {"org": saved.name})
            return redirect("setup_people", saved.pk)
    return render(
        request,
        "setup/organisation_form.html",
        {"form": form, "organisation": organisation, "section": "organisations"},
    )


def _people_organisation(request, pk: int) -> Organisation:
    principal = request.principal
    if not principal.is_member:
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk, municipality=principal.municipality)
    if not people_services.can_manage_people_of(principal, organisation):
        raise PermissionDenied
    return organisation


@member_required(Permission.MANAGE_OWN_MEMBERS)
def people(request, pk: int):
    principal = request.principal
    organisation = _people_organisation(request, pk)
    roles = people_services.assignable_roles(principal, organisation)
    invite_form = forms.InviteForm(
        request.POST if request.POST.get("action") == "invite" else None, roles=roles
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                if invite_form.is_valid():
                    sent = people_services.invite(
                        principal, organisation, **invite_form.cleaned_data
                    )
                    messages.success(
                        request,
                        _("An invitation was sent to %(email)s.")
                        % {"email": sent.invitation.email},
                    )
                    return redirect("setup_people", organisation.pk)
            elif action in ("role", "deactivate", "reactivate"):
                membership = get_object_or_404(
                    Membership, pk=request.POST.get("membership"), organisation=organisation
                )
                if action == "role":
                    people_services.change_role(principal, membership, request.POST.get("role", ""))
                    messages.success(request, _("The role is changed."))
                elif action == "deactivate":
                    people_services.deactivate(principal, membership)
                    messages.success(
                        request,
                        _("%(user)s no longer has access through %(org)s.")
                        % {"user": membership.user.get_username(), "org": organisation.name},
                    )
                else:
                    people_services.reactivate(principal, membership)
                    messages.success(request, _("The account is active again."))
                return redirect("setup_people", organisation.pk)
            elif action == "withdraw":
                invitation = get_object_or_404(
                    Invitation, pk=request.POST.get("invitation"), organisation=organisation
                )
                people_services.withdraw_invitation(principal, invitation)
                messages.success(request, _("The invitation is withdrawn."))
                return redirect("setup_people", organisation.pk)
        except ValidationError as exc:
            if action == "invite":
                add_service_errors(invite_form, exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
    members = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_active", "user__username")
    )
    invitations = Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-created_at")
    return render(
        request,
        "setup/people.html",
        {
            "organisation": organisation,
            "members": members,
            "invitations": invitations,
            "invite_form": invite_form,
            "roles": roles,
            "section": "organisations",
        },
    )


def accept_invitation(request, token: str):
    """The invitation link: choose a password (or sign in through single sign-on), and be
    a member. Refused, with the reason, when used, withdrawn or expired."""
    try:
        invitation = people_services.invitation_for(token)
    except people_services.InvitationInvalid as exc:
        return render(request, "setup/accept_invitation.html", {"invalid": str(exc)}, status=410)
    signed_in = request.user.is_authenticated
    form = forms.AcceptForm(request.POST or None) if not signed_in else None
    exists = people_services.account_exists(invitation.email)
    if request.method == "POST":
        try:
            if signed_in:
                membership = people_services.accept_invitation(token, user=request.user)
            elif form is not None and form.is_valid():
                membership = people_services.accept_invitation(
                    token, password=form.cleaned_data["password1"]
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except (ValidationError, people_services.InvitationInvalid) as exc:
            if form is not None and isinstance(exc, ValidationError):
                add_service_errors(form, exc)
            else:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            membership = None
        if membership is not None:
            request.session["trygg_active_organisation"] = membership.organisation_id
            messages.success(
                request,
                _("Welcome! You work for %(org)s in Trygg.")
                % {"org": membership.organisation.name},
            )
            return redirect("home")
    return render(
        request,
        "setup/accept_invitation.html",
        {"invitation": invitation, "form": form, "account_exists": exists, "token": token},
    )


# --- Areas and populations ----------------------------------------------------------


@member_required(Permission.MANAGE_AREAS)
def areas(request):
    principal = request.principal
    municipality = principal.municipality
    form = forms.AreaUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        name = services.store_upload(municipality, form.cleaned_data["file"])
        query = f"?file={name}&kind={form.cleaned_data['kind']}"
        query += f"&name={form.cleaned_data['file'].name[:100]}"
        return redirect(reverse("setup_area_preview") + query)
    property_form = forms.PropertyUploadForm(municipality=municipality, prefix="property")
    layers = AreaLayer.objects.filter(municipality=municipality).defer("features")
    counts = dict(
        municipality.areas.values("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    return render(
        request,
        "setup/areas.html",
        {
            "form": form,
            "layers": layers,
            "counts": [(label, counts.get(kind, 0)) for kind, label in AreaKind.choices],
            "property_form": property_form,
            "properties": PropertyArea.objects.filter(municipality=municipality)
            .select_related("owner")
            .order_by("owner__name", "name"),
            "section": "areas",
        },
    )


def _preview_source(request):
    municipality = request.principal.municipality
    name = request.GET.get("file") or request.POST.get("file") or ""
    path = services.upload_path(municipality, name)
    if path is None:
        raise Http404("The uploaded file is gone: upload it again.")
    original = (request.GET.get("name") or request.POST.get("name") or path.name)[:200]
    kind = request.GET.get("kind") or request.POST.get("kind") or AreaKind.DISTRICT
    if kind not in AreaKind.values:
        kind = AreaKind.DISTRICT
    return name, path, original, kind


@member_required(Permission.MANAGE_AREAS)
def area_preview(request):
    principal = request.principal
    name, path, original, kind = _preview_source(request)
    try:
        layer = vector.read_layer(path.read_bytes(), original)
    except ImportRefused as exc:
        services.discard_upload(principal.municipality, name)
        return render(
            request,
            "setup/area_preview.html",
            {"errors": _import_errors(exc), "original": original, "section": "areas"},
        )
    columns = layer.fields
    guessed = area_services.guessed_fields(
        columns, layer.features[0][0] if layer.features else None
    )
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "name_field" in request.GET else None)
    )
    fields_form = forms.AreaFieldsForm(
        data, columns=columns, initial={k: v or "" for k, v in guessed.items()}
    )
    chosen = (
        fields_form.cleaned_data
        if fields_form.is_bound and fields_form.is_valid()
        else {k: v or "" for k, v in guessed.items()}
    )
    errors: list[str] = []
    parsed = None
    try:
        parsed = area_services.read_area_file(
            b"",
            filename=original,
            name_field=chosen.get("name_field") or "",
            code_field=chosen.get("code_field") or None,
            population_field=chosen.get("population_field") or None,
            source=layer,
        )
    except ImportRefused as exc:
        errors = _import_errors(exc)
    if request.method == "POST" and request.POST.get("action") == "import" and parsed is not None:
        try:
            result = area_services.import_areas(
                principal.municipality,
                path,
                filename=original,
                kind=kind,
                name_field=chosen["name_field"],
                code_field=chosen.get("code_field") or None,
                population_field=chosen.get("population_field") or None,
            )
        except ImportRefused as exc:
            errors = _import_errors(exc)
        else:
            services.discard_upload(principal.municipality, name)
            messages.success(
                request,
                _("%(file)s: %(created)s areas created, %(updated)s changed, %(same)s unchanged.")
                % {
                    "file": original,
                    "created": len(result.created),
                    "updated": len(result.updated),
                    "same": len(result.unchanged),
                },
            )
            return redirect("setup_areas")
    query = request.GET.copy() if request.method == "GET" else request.POST.copy()
    for key in ("csrfmiddlewaretoken", "action"):
        query.pop(key, None)
    query.update({k: v for k, v in chosen.items() if v})
    return render(
        request,
        "setup/area_preview.html",
        {
            "file": name,
            "original": original,
            "kind": kind,
            "kind_label": dict(AreaKind.choices)[kind],
            "layer": layer,
            "fields_form": fields_form,
            "parsed": parsed,
            "errors": errors,
            "preview_url": reverse("setup_area_preview_geojson") + "?" + query.urlencode(),
            "section": "areas",
        },
    )


@member_required(Permission.MANAGE_AREAS)
@require_GET
def area_preview_geojson(request):
    _name, path, original, _kind = _preview_source(request)
    try:
        parsed = area_services.read_area_file(
            path.read_bytes(),
            filename=original,
            name_field=request.GET.get("name_field", ""),
            code_field=request.GET.get("code_field") or None,
            population_field=request.GET.get("population_field") or None,
        )
    except ImportRefused as exc:
        return JsonResponse({"errors": _import_errors(exc)}, status=400)
    return JsonResponse(area_services.preview_geojson(parsed))


@member_required(Permission.MANAGE_AREAS)
def population(request):
    municipality = request.principal.municipality
    form = forms.PopulationForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        name = services.store_upload(municipality, form.cleaned_data["file"])
        path = services.upload_path(municipality, name)
        assert path is not None
        try:
            result = import_population(
                municipality,
                path,
                year=form.cleaned_data["year"],
                filename=form.cleaned_data["file"].name,
            )
        except ImportRefused as exc:
            errors = _import_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "Population imported for %(years)s: %(created)s new figures, %(updated)s "
                    "changed, %(same)s unchanged."
                )
                % {
                    "years": ", ".join(map(str, result.years)),
                    "created": result.created,
                    "updated": result.updated,
                    "same": result.unchanged,
                },
            )
            return redirect("setup_population")
        finally:
            services.discard_upload(municipality, name)
    figures = Population.objects.filter(municipality=municipality).select_related("area")
    years = sorted({p.year for p in figures}, reverse=True)[:3]
    table: dict[str, dict[int, Population]] = {}
    for p in figures:
        if p.year in years:
            table.setdefault(p.area.name if p.area else "", {})[p.year] = p
    rows = sorted(table.items(), key=lambda item: (item[0] != "", item[0]))
    return render(
        request,
        "setup/population.html",
        {
            "form": form,
            "errors": errors,
            "years": years,
            "rows": [(label, [cells.get(y) for y in years]) for label, cells in rows],
            "municipality": municipality,
            "section": "population",
        },
    )


# --- Case categories and routing ----------------------------------------------------


@member_required(Permission.MANAGE_SETTINGS)
def categories(request):
    municipality = request.principal.municipality
    rows = CaseCategory.objects.filter(municipality=municipality).annotate(
        case_count=Count("cases")
    )
    return render(
        request,
        "setup/categories.html",
        {"categories": rows, "section": "categories"},
    )


@member_required(Permission.MANAGE_SETTINGS)
def category_edit(request, pk: int | None = None):
    principal = request.principal
    category = (
        get_object_or_404(CaseCategory, pk=pk, municipality=principal.municipality) if pk else None
    )
    form = forms.CategoryForm(request.POST or None, instance=category)
    initial = [
        {
            "code": q.get("code", ""),
            "question": q.get("description", ""),
            "datatype": q.get("datatype", "string"),
            "required": q.get("required", False),
            "choices": "; ".join(v.get("name", "") for v in q.get("values", [])),
        }
        for q in (category.attributes if category else [])
    ]
    questions = forms.QuestionFormSet(request.POST or None, initial=initial, prefix="q")
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        try:
            saved = case_settings.save_category(
                principal,
                category,
                questions=[q for q in questions.cleaned_data if q],
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
            return redirect("setup_categories")
    return render(
        request,
        "setup/category_form.html",
        {"form": form, "questions": questions, "category": category, "section": "categories"},
    )


@member_required(Permission.MANAGE_SETTINGS)
def category_delete(request, pk: int):
    principal = request.principal
    category = get_object_or_404(CaseCategory, pk=pk, municipality=principal.municipality)
    form = forms.MergeForm(request.POST if request.method == "POST" else None, category=category)
    use = case_settings.category_use(category)
    if request.method == "POST" and form.is_valid():
        try:
            moved = case_settings.delete_category(
                principal, category, merge_into=form.cleaned_data["merge_into"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is removed; %(n)s cases moved.") % {"name": category.name, "n": moved},
            )
            return redirect("setup_categories")
    return render(
        request,
        "setup/category_delete.html",
        {"form": form, "category": category, "use": use, "section": "categories"},
    )


@member_required(Permission.MANAGE_SETTINGS)
def routing(request):
    principal = request.principal
    municipality = principal.municipality
    action = request.POST.get("action") if request.method == "POST" else None
    rule_form = forms.RuleForm(request.POST if action == "add" else None, municipality=municipality)
    test_form = forms.RouteTestForm(
        request.POST if action == "test" else None, municipality=municipality
    )
    tested = None
    if action == "add" and rule_form.is_valid():
        try:
            case_settings.save_rule(principal, None, **rule_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(rule_form, exc)
        else:
            messages.success(request, _("The routing rule is added."))
            return redirect("setup_routing")
    elif action == "delete":
        rule = get_object_or_404(
            RoutingRule, pk=request.POST.get("rule"), municipality=municipality
        )
        try:
            case_settings.delete_rule(principal, rule)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The routing rule is removed."))
        return redirect("setup_routing")
    elif action == "test" and test_form.is_valid():
        data = test_form.cleaned_data
        area = locate_area(municipality, data["lat"], data["lon"])
        try:
            route = cases_routing.route(
                municipality, data["category"], data["lat"], data["lon"], area
            )
        except ValidationError as exc:
            tested = {"error": " ".join(exc.messages), "area": area, "category": data["category"]}
        else:
            tested = {"route": route, "area": area, "category": data["category"]}
            services.mark(principal, "routing_tested")
    rules = sorted(
        RoutingRule.objects.filter(municipality=municipality).select_related(
            "category", "area", "organisation"
        ),
        key=lambda r: (-r.specificity, str(r.category or ""), str(r.area or "")),
    )
    return render(
        request,
        "setup/routing.html",
        {
            "rules": rules,
            "rule_form": rule_form,
            "test_form": test_form,
            "tested": tested,
            "map_extent": map_extent(municipality),
            "section": "routing",
        },
    )


# --- The public site ----------------------------------------------------------------


@member_required(Permission.MANAGE_SETTINGS)
def site_texts(request):
    principal = request.principal
    profile = site_services.profile_of(principal.municipality)
    form = forms.SiteForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        values = {
            k: v for k, v in form.cleaned_data.items() if k not in ("logo_file", "remove_logo")
        }
        logo = form.cleaned_data.get("logo_file")
        try:
            site_services.save_profile(
                principal,
                profile,
                publish=request.POST.get("action") == "publish",
                logo=logo.read() if logo else None,
                remove_logo=form.cleaned_data.get("remove_logo", False),
                **values,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The public site's texts are published.")
                if request.POST.get("action") == "publish"
                else _("Saved. The public site shows the texts once you publish them."),
            )
            return redirect("setup_site")
    return render(request, "setup/site.html", {"form": form, "profile": profile, "section": "site"})


@require_GET
def theme(request):
    """The municipality's colour as a style sheet (a CSS variable; no inline styles under
    the site's content security policy)."""
    principal = request.principal
    try:
        municipality = principal.municipality or public_municipality()
    except Http404:
        municipality = None
    # Read only: a page view never creates the profile.
    profile = SiteProfile.objects.filter(municipality=municipality).first()
    css = ""
    if profile is not None and profile.brand_colour:
        css = f":root {{ --brand: {profile.brand_colour}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    # Revalidated on every page: a colour just chosen shows at once.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def logo(request):
    profile = SiteProfile.objects.filter(municipality=public_municipality()).first()
    if profile is None or not profile.logo:
        raise Http404("No logo.")
    response = FileResponse(profile.logo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- The weekly picture: observation categories, places, scales ----------------------


@member_required(Permission.MANAGE_SETTINGS)
def observations(request):
    principal = request.principal
    municipality = principal.municipality
    action = request.POST.get("action") if request.method == "POST" else None
    category_form = forms.ObservationCategoryForm(
        request.POST if action == "category" else None, municipality=municipality
    )
    place_form = forms.PlaceForm(request.POST if action == "place" else None)
    scale_steps = {kind: scales.steps(municipality, kind) for kind in ScaleKind.values}
    scale_forms = {
        kind: forms.ScaleForm(
            request.POST if action == f"scale-{kind}" else None,
            steps=scale_steps[kind],
            prefix=kind,
        )
        for kind in ScaleKind.values
    }
    try:
        if action == "category" and category_form.is_valid():
            est_settings.save_category(principal, None, **category_form.cleaned_data)
            messages.success(request, _("The category is added."))
            return redirect("setup_observations")
        if action == "place" and place_form.is_valid():
            est_settings.save_place(principal, None, **place_form.cleaned_data)
            messages.success(request, _("The place is added."))
            return redirect("setup_observations")
        if action == "delete-place":
            place = get_object_or_404(
                Place, pk=request.POST.get("place"), municipality=municipality
            )
            est_settings.delete_place(principal, place)
            messages.success(request, _("The place is removed."))
            return redirect("setup_observations")
        if action and action.startswith("scale-"):
            kind = action.removeprefix("scale-")
            form = scale_forms.get(kind)
            if form is not None and form.is_valid():
                est_settings.save_scale(
                    principal,
                    kind,
                    {
                        v: (form.cleaned_data[f"label_{v}"], form.cleaned_data[f"label_en_{v}"])
                        for v, *_labels in scale_steps[kind]
                    },
                )
                messages.success(request, _("The scale is saved."))
                return redirect("setup_observations")
    except ValidationError as exc:
        target = place_form if action == "place" else category_form
        add_service_errors(target, exc)
    groups = (
        ObservationCategory.objects.filter(municipality=municipality, parent__isnull=True)
        .prefetch_related("children")
        .order_by("order", "name")
    )
    return render(
        request,
        "setup/observations.html",
        {
            "groups": groups,
            "places": Place.objects.filter(municipality=municipality).select_related("area"),
            "category_form": category_form,
            "place_form": place_form,
            "scale_forms": [(dict(ScaleKind.choices)[k], k, f) for k, f in scale_forms.items()],
            "map_extent": map_extent(municipality),
            "section": "observations",
        },
    )


@member_required(Permission.MANAGE_SETTINGS)
def observation_category(request, pk: int):
    principal = request.principal
    category = get_object_or_404(ObservationCategory, pk=pk, municipality=principal.municipality)
    action = request.POST.get("action") if request.method == "POST" else None
    form = forms.ObservationCategoryForm(
        request.POST if action == "save" else None,
        instance=category,
        municipality=principal.municipality,
    )
    merge = forms.ObservationMergeForm(
        request.POST if action == "merge" else None, category=category
    )
    try:
        if action == "save" and form.is_valid():
            est_settings.save_category(principal, category, **form.cleaned_data)
            messages.success(request, _("%(name)s is saved.") % {"name": category.name})
            return redirect("setup_observations")
        if action == "merge" and merge.is_valid():
            moved = est_settings.merge_category(principal, category, merge.cleaned_data["into"])
            messages.success(
                request,
                _("%(name)s is removed; %(n)s reports moved.")
                % {"name": category.name, "n": moved},
            )
            return redirect("setup_observations")
    except ValidationError as exc:
        add_service_errors(merge if action == "merge" else form, exc)
    return render(
        request,
        "setup/observation_category.html",
        {
            "category": category,
            "form": form,
            "merge": merge,
            "use": Observation.objects.filter(category=category).count(),
            "section": "observations",
        },
    )


@member_required(Permission.MANAGE_AREAS)
def properties(request):
    """A housing company's (or other owner's) land, for routing cases inside it."""
    municipality = request.principal.municipality
    form = forms.PropertyUploadForm(
        request.POST or None, request.FILES or None, municipality=municipality, prefix="property"
    )
    if request.method != "POST" or not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}: {error}"
                )
        return redirect("setup_areas")
    name = services.store_upload(municipality, form.cleaned_data["file"])
    path = services.upload_path(municipality, name)
    assert path is not None
    original = form.cleaned_data["file"].name
    try:
        name_field = form.cleaned_data["name_field"]
        if not name_field:
            layer = vector.read_layer(path.read_bytes(), original)
            name_field = (
                area_services.guessed_fields(
                    layer.fields, layer.features[0][0] if layer.features else None
                )["name_field"]
                or ""
            )
        counts = cases_routing.import_properties(
            municipality,
            path,
            owner=form.cleaned_data["owner"],
            name_field=name_field,
            filename=original,
        )
    except ImportRefused as exc:
        for error in _import_errors(exc):
            messages.error(request, error)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(file)s: %(created)s properties created, %(updated)s changed, %(same)s unchanged.")
            % {
                "file": original,
                "created": counts["created"],
                "updated": counts["updated"],
                "same": counts["unchanged"],
            },
        )
    finally:
        services.discard_upload(municipality, name)
    return redirect("setup_areas")


@member_required(Permission.MANAGE_SETTINGS)
def regions(request):
    """The regions the municipality is part of, and whether each reads its partners'
    level (the municipality decides; every change is audited)."""
    principal = request.principal
    members = RegionMember.objects.filter(municipality=principal.municipality).select_related(
        "region", "decided_by"
    )
    if request.method == "POST":
        member = get_object_or_404(members, pk=request.POST.get("member"))
        shares = request.POST.get("shares") == "1"
        set_sharing(principal, member.region, shares)
        messages.success(
            request,
            (
                _("%(region)s now reads the partners' level.")
                if shares
                else _("%(region)s now reads the public level only.")
            )
            % {"region": member.region.name},
        )
        return redirect("setup_regions")
    return render(request, "setup/regions.html", {"members": members, "section": "regions"})

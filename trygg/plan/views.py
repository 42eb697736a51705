"""The action plan's pages: overview (measures by problem, status, indicators, decided
versions, exports), problems with evidence and causes, a measure with its indicators
and effect, the activity register, citizen pledges, the collaboration forum; and the
public transparency page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trygg.core import records
from trygg.core.guards import member_required
from trygg.core.params import id_param, year_param
from trygg.core.permissions import Permission, can_edit
from trygg.core.tenancy import public_municipality
from trygg.est.models import TertialAnalysis
from trygg.incidents.importers.base import ImportRefused
from trygg.plan import editing, exports, services
from trygg.plan.forms import (
    ActivityForm,
    ActivityImportForm,
    CauseForm,
    DecideForm,
    EvidenceForm,
    FollowUpForm,
    IndicatorForm,
    MeasureForm,
    MeasurementForm,
    MeetingForm,
    PlanForm,
    PledgeForm,
    ProblemForm,
    StatusForm,
)
from trygg.plan.importers import import_activities
from trygg.plan.models import (
    ActionPlan,
    Activity,
    ActivityType,
    Agreement,
    Decision,
    IndicatorKind,
    Measure,
    MeasureStatus,
    Meeting,
    Pledge,
    Problem,
)


def _plan_or_none(municipality, pk=None):
    qs = ActionPlan.objects.filter(municipality=municipality)
    if pk:
        return get_object_or_404(qs, pk=pk)
    today = timezone.localdate()
    return (
        qs.filter(period_start__lte=today, period_end__gte=today).first()
        or qs.order_by("-period_start").first()
    )


def _indicator_rows(measure: Measure):
    return [(i, services.progress(i)) for i in measure.indicators.all()]


@member_required()
def overview(request, pk: int | None = None):
    principal = request.principal
    plan = _plan_or_none(principal.municipality, pk)
    if plan is None:
        return redirect("plan_new") if principal.has(Permission.MANAGE_PLAN) else render(
            request, "plan/overview.html", {"plan": None}
        )  # fmt: skip
    measures = (
        Measure.objects.visible_to(principal)
        .filter(plan=plan)
        .select_related("owner_organisation", "problem", "cause")
        .prefetch_related("partners", "indicators__measurements")
    )
    groups: dict = {}
    for m in measures:
        groups.setdefault(m.problem, []).append((m, _indicator_rows(m)))
    counts = dict.fromkeys(MeasureStatus.values, 0)
    for m in measures:
        counts[m.status] += 1
    return render(
        request,
        "plan/overview.html",
        {
            "plan": plan,
            "plans": ActionPlan.objects.filter(municipality=principal.municipality),
            "groups": sorted(
                groups.items(), key=lambda kv: (kv[0] is None, kv[0] and kv[0].priority)
            ),
            "status_counts": [(MeasureStatus(s), n) for s, n in counts.items()],
            "versions": plan.versions.order_by("-number"),
            "pending": services.pending_changes(plan, request.principal),
            "decide_form": DecideForm(initial={"decided_on": timezone.localdate()}),
            "can_decide": principal.has(Permission.DECIDE_PLAN),
            "can_create": principal.has(Permission.CREATE),
        },
    )


@member_required(Permission.MANAGE_PLAN)
def plan_new(request):
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = editing.create_plan(request.principal, form.instance)
        return redirect("plan_overview_pk", pk=plan.pk)
    return render(request, "plan/form.html", {"form": form, "title": _("New action plan")})


@member_required(Permission.DECIDE_PLAN)
@require_POST
def plan_decide(request, pk: int):
    plan = _plan_or_none(request.principal.municipality, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            version = services.decide(plan, request.principal, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Version %(n)s is decided and frozen.") % {"n": version.number}
            )
    else:
        messages.error(request, _("Give the body and the date of the decision."))
    return redirect("plan_overview_pk", pk=plan.pk)


@member_required()
def version_detail(request, pk: int, number: int):
    plan = _plan_or_none(request.principal.municipality, pk)
    version = get_object_or_404(plan.versions, number=number)
    previous = plan.versions.filter(number__lt=number).order_by("-number").first()
    return render(
        request,
        "plan/version.html",
        {
            "plan": plan,
            "version": version,
            "changes": services.visible_diff(previous, version, request.principal),
            "previous": previous,
            "measures": services.frozen_measures(version, request.principal),
        },
    )


# --- Problems -----------------------------------------------------------------------


@member_required()
def problems(request):
    principal = request.principal
    form = ProblemForm(request.POST or None, principal=principal)
    if request.method == "POST":
        if not principal.has(Permission.CREATE):
            raise PermissionDenied
        if form.is_valid():
            problem = editing.create_problem(principal, form.instance, records.relations(form))
            messages.success(request, _("The problem was added."))
            return redirect("plan_problem", pk=problem.pk)
    items = Problem.objects.visible_to(principal).prefetch_related("causes", "evidence", "areas")

    tertial = TertialAnalysis.objects.filter(municipality=principal.municipality).first()
    return render(
        request, "plan/problems.html", {"problems": items, "form": form, "tertial": tertial}
    )


@member_required()
def problem_detail(request, pk: int):
    principal = request.principal
    problem = get_object_or_404(Problem.objects.visible_to(principal), pk=pk)
    editable = can_edit(principal, problem)
    evidence_form = EvidenceForm(prefix="evidence")
    cause_form = CauseForm(prefix="cause")
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if request.POST.get("action") == "evidence":
            evidence_form = EvidenceForm(request.POST, prefix="evidence")
            if evidence_form.is_valid():
                editing.add_evidence(principal, problem, evidence_form.instance)
                return redirect("plan_problem", pk=pk)
        elif request.POST.get("action") == "cause":
            cause_form = CauseForm(request.POST, prefix="cause")
            if cause_form.is_valid():
                editing.add_cause(principal, problem, cause_form.instance)
                return redirect("plan_problem", pk=pk)
    return render(
        request,
        "plan/problem.html",
        {
            "problem": problem,
            "editable": editable,
            "evidence_form": evidence_form,
            "cause_form": cause_form,
            "measures": Measure.objects.visible_to(principal).filter(problem=problem),
        },
    )


# --- Measures -----------------------------------------------------------------------


@member_required(Permission.CREATE)
def measure_new(request):
    principal = request.principal
    initial = {}
    if request.GET.get("problem"):
        initial["problem"] = id_param(request.GET, "problem")
    plan = _plan_or_none(principal.municipality)
    if plan:
        initial.update(plan=plan, start=plan.period_start, end=plan.period_end)
    decision = None
    if request.GET.get("decision"):
        decision = get_object_or_404(
            Decision,
            pk=id_param(request.GET, "decision"),
            meeting__municipality=principal.municipality,
        )
        initial["title"] = decision.text[:200]
    form = MeasureForm(request.POST or None, principal=principal, initial=initial)
    if request.method == "POST" and form.is_valid():
        measure = editing.create_measure(
            principal, form.instance, records.relations(form), decision
        )
        messages.success(request, _("The measure was added. Now give it an indicator."))
        return redirect("plan_measure", pk=measure.pk)
    return render(request, "plan/form.html", {"form": form, "title": _("New measure")})


def _measure(request, pk: int) -> Measure:
    qs = Measure.objects.visible_to(request.principal).select_related(
        "plan", "owner_organisation", "problem", "cause", "comparison_area"
    )
    return get_object_or_404(qs, pk=pk)


@member_required()
def measure_detail(request, pk: int):
    principal = request.principal
    measure = _measure(request, pk)
    editable = services.can_edit_measure(principal, measure)
    status_form = StatusForm(instance=measure, prefix="status")
    indicator_form = IndicatorForm(prefix="indicator", municipality=principal.municipality)
    measurement_form = MeasurementForm(prefix="measurement")
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "status":
            status_form = StatusForm(request.POST, instance=measure, prefix="status")
            if status_form.is_valid():
                editing.update_measure(principal, status_form.instance)
                messages.success(request, _("The status was updated."))
                return redirect("plan_measure", pk=pk)
        elif action == "indicator":
            indicator_form = IndicatorForm(
                request.POST, prefix="indicator", municipality=principal.municipality
            )
            if indicator_form.is_valid():
                editing.add_indicator(principal, measure, indicator_form.instance)
                messages.success(request, _("The indicator was added."))
                return redirect("plan_measure", pk=pk)
        elif action == "measurement":
            indicator = get_object_or_404(measure.indicators, pk=request.POST.get("indicator"))
            measurement_form = MeasurementForm(request.POST, prefix="measurement")
            if measurement_form.is_valid():
                try:
                    data = measurement_form.cleaned_data
                    services.record_manual(
                        indicator, principal, data["period_start"], data["period_end"],
                        data["value"], data["note"],
                    )  # fmt: skip
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(request, _("The value was recorded."))
                    return redirect("plan_measure", pk=pk)
        elif action == "refresh":
            for indicator in measure.indicators.exclude(kind=IndicatorKind.MANUAL):
                result = services.refresh(indicator)
                messages.info(request, f"{indicator.name}: {result.summary}")
            return redirect("plan_measure", pk=pk)
    return render(
        request,
        "plan/measure.html",
        {
            "measure": measure,
            "editable": editable,
            "indicators": [
                (i, services.progress(i), i.measurements.all(), services.no_values_reason(i))
                for i in measure.indicators.all()
            ],
            "status_form": status_form,
            "indicator_form": indicator_form,
            "measurement_form": measurement_form,
            "effect": services.effect(measure),
            "activities": measure.activities.all()[:50],
        },
    )


@member_required(Permission.CREATE)
def measure_edit(request, pk: int):
    measure = _measure(request, pk)
    services.require_edit(request.principal, measure)
    form = MeasureForm(request.POST or None, instance=measure, principal=request.principal)
    if request.method == "POST" and form.is_valid():
        editing.update_measure(request.principal, form.instance, records.relations(form))
        messages.success(request, _("The measure was saved."))
        return redirect("plan_measure", pk=pk)
    return render(request, "plan/form.html", {"form": form, "title": measure.title})


# --- Activities ---------------------------------------------------------------------


@member_required()
def activities(request):
    principal = request.principal
    year = year_param(request.GET, "year", timezone.localdate().year)
    form = ActivityForm(request.POST or None, principal=principal, prefix="activity")
    import_form = ActivityImportForm(prefix="import")
    report = None
    if request.method == "POST":
        if not principal.has(Permission.CREATE):
            raise PermissionDenied
        if request.POST.get("action") == "import":
            import_form = ActivityImportForm(request.POST, request.FILES, prefix="import")
            if import_form.is_valid():
                upload = import_form.cleaned_data["file"]
                try:
                    result = import_activities(
                        principal.municipality,
                        upload.read(),
                        upload.name,
                        owner=principal.organisation,
                        encoding=import_form.cleaned_data["encoding"],
                    )
                except ImportRefused as exc:
                    report = {"errors": exc.errors[:100], "total": len(exc.errors)}
                else:
                    messages.success(
                        request, _("Imported: %(summary)s.") % {"summary": result.summary}
                    )
                    for warning in result.warnings[:20]:
                        messages.warning(request, str(warning))
                    return redirect("plan_activities")
        elif form.is_valid():
            editing.register_activity(principal, form.instance, records.relations(form))
            messages.success(request, _("The activity was registered."))
            return redirect("plan_activities")
    items = (
        Activity.objects.visible_to(principal)
        .filter(start_date__year=year)
        .select_related("area", "measure")
        .order_by("-start_date")[:200]
    )
    summary = services.activity_summary(principal.municipality, year, principal)
    return render(
        request,
        "plan/activities.html",
        {
            "activities": items,
            "summary": [(ActivityType(t), row) for t, row in sorted(summary.items())],
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "form": form,
            "import_form": import_form,
            "report": report,
            "can_create": principal.has(Permission.CREATE),
        },
    )


# --- Pledges and the forum ----------------------------------------------------------


@member_required()
def pledges(request):
    principal = request.principal
    form = PledgeForm(request.POST or None, prefix="pledge")
    if request.method == "POST":
        if not principal.has(Permission.MANAGE_PLAN):
            raise PermissionDenied
        if request.POST.get("action") == "follow_up":
            pledge = get_object_or_404(
                Pledge, pk=id_param(request.POST, "pledge"), municipality=principal.municipality
            )
            follow_form = FollowUpForm(request.POST, prefix=f"f{pledge.pk}")
            if follow_form.is_valid():
                editing.follow_up_pledge(principal, pledge, **follow_form.cleaned_data)
                messages.success(request, _("The follow-up was saved."))
            else:
                messages.error(request, _("Give the half-year, status and text."))
            return redirect("plan_pledges")
        if form.is_valid():
            editing.create_pledge(principal, form.instance)
            messages.success(request, _("The pledge was saved."))
            return redirect("plan_pledges")
    items = Pledge.objects.filter(municipality=principal.municipality).prefetch_related(
        "follow_ups"
    )
    return render(
        request,
        "plan/pledges.html",
        {
            "pledges": [(p, FollowUpForm(prefix=f"f{p.pk}")) for p in items],
            "form": form,
            "can_edit": principal.has(Permission.MANAGE_PLAN),
        },
    )


@member_required()
def forum(request):
    principal = request.principal
    form = MeetingForm(request.POST or None, principal=principal)
    if request.method == "POST":
        if not principal.has(Permission.MANAGE_PLAN):
            raise PermissionDenied
        if form.is_valid():
            editing.record_meeting(
                principal,
                form.instance,
                records.relations(form),
                form.cleaned_data["decisions"].splitlines(),
            )
            messages.success(request, _("The meeting was saved."))
            return redirect("plan_forum")

    return render(
        request,
        "plan/forum.html",
        {
            "meetings": Meeting.objects.filter(
                municipality=principal.municipality
            ).prefetch_related("decisions", "participants")[:50],
            "agreements": Agreement.objects.filter(
                municipality=principal.municipality
            ).prefetch_related("signatories"),
            "form": form,
            "can_edit": principal.has(Permission.MANAGE_PLAN),
        },
    )


# --- Exports ------------------------------------------------------------------------


@member_required()
@require_GET
def export_xlsx(request, pk: int):
    plan = _plan_or_none(request.principal.municipality, pk)
    content = exports.plan_xlsx(plan, request.principal)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="atgardsplan-{plan.pk}.xlsx"'
    return response


@member_required()
@require_GET
def export_pdf(request, pk: int):
    """The working plan, marked as a draft on every page."""
    plan = _plan_or_none(request.principal.municipality, pk)
    content = exports.plan_pdf(plan, request.principal)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="atgardsplan-{plan.pk}-utkast.pdf"'
    return response


@member_required()
@require_GET
def export_version_pdf(request, pk: int, number: int):
    """A decided version exactly as it was frozen."""
    plan = _plan_or_none(request.principal.municipality, pk)
    version = get_object_or_404(plan.versions, number=number)
    content = exports.plan_pdf(plan, request.principal, version=version)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="atgardsplan-{plan.pk}-version-{version.number}.pdf"'
    )
    return response


# --- Public -------------------------------------------------------------------------


@require_GET
def public_plan(request):
    municipality = public_municipality()
    plans = ActionPlan.objects.filter(municipality=municipality, versions__isnull=False).distinct()
    plan = plans.order_by("-period_start").first()
    data = exports.public_data(municipality, plan) if plan else None
    return render(
        request, "plan/public/plan.html", {"municipality": municipality, "data": data, "plan": plan}
    )

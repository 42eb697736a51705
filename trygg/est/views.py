"""The weekly joint picture's pages: report (phone), my reports, the review queue, the
weekly picture with its map and assessments, the weekly meeting, the tertial analysis,
reporting statistics, bulk upload."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from trygg.core import geojson
from trygg.core.forms import add_service_errors
from trygg.core.guards import member_required
from trygg.core.models import Area
from trygg.core.params import id_param, int_param, year_param
from trygg.core.permissions import Permission
from trygg.core.services import map_extent
from trygg.est import importers, services
from trygg.est import report as pdf_report
from trygg.est.forms import (
    ActionForm,
    AssessmentForm,
    AttendeesForm,
    FocusForm,
    ReportForm,
    ReviewForm,
    UploadForm,
)
from trygg.est.models import (
    Action,
    ActionStatus,
    Observation,
    ObservationUpload,
    ScaleKind,
    Status,
    TertialAnalysis,
)
from trygg.est.weeks import Week


def _week(request) -> Week:
    """The week asked for; by default the last complete week (the one the weekly
    meeting discusses)."""
    try:
        return Week.parse(request.GET.get("week", ""))
    except ValueError:
        return Week.of(timezone.localdate()).shift(-1)


@member_required(Permission.CREATE)
def report(request):
    principal = request.principal
    form = ReportForm(
        request.POST or None, request.FILES or None, municipality=principal.municipality
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = data["photo"].read() if data["photo"] else None
        try:
            services.report(
                principal,
                services.Report(
                    category=data["category"], lat=data["lat"], lon=data["lon"],
                    place=data["place"], area=data["area"], occurred_at=data["occurred_at"],
                    occurred_until=data["occurred_until"],
                    severity=data["severity"], description=data["description"], photo=photo,
                ),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you! The report was sent."))
            return redirect("est_report")
    return render(
        request,
        "est/report.html",
        {"form": form, "map_extent": map_extent(principal.municipality)},
    )


@member_required()
def mine(request):
    principal = request.principal
    items = (
        Observation.objects.visible_to(principal)
        .filter(reporter=request.user)
        .select_related("category__parent", "area", "case")
        .order_by("-occurred_at")[:100]
    )
    return render(request, "est/mine.html", {"observations": items})


@member_required()
@require_GET
def observation_photo(request, pk: int):
    """A report's photo (re-encoded, without metadata, on upload), to whoever may read
    the report."""
    observation = get_object_or_404(Observation.objects.visible_to(request.principal), pk=pk)
    if not observation.photo:
        raise Http404
    response = FileResponse(observation.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@member_required(Permission.REVIEW_REPORTS)
def review_queue(request):
    principal = request.principal
    municipality = principal.municipality
    if request.method == "POST":
        observation = get_object_or_404(
            Observation.objects.visible_to(principal), pk=id_param(request.POST, "observation")
        )
        try:
            if request.POST.get("merge_into"):
                into = get_object_or_404(
                    Observation.objects.visible_to(principal),
                    pk=id_param(request.POST, "merge_into"),
                )
                services.merge(observation, into, principal)
                messages.success(request, _("The report was merged as a duplicate."))
            else:
                form = ReviewForm(
                    request.POST, prefix=f"r{observation.pk}", municipality=municipality
                )
                if form.is_valid():
                    services.review(
                        observation,
                        principal,
                        status=form.cleaned_data["status"],
                        category=form.cleaned_data["category"],
                        feedback=form.cleaned_data["feedback"],
                        case_category=form.cleaned_data["case_category"],
                    )
                    messages.success(request, _("The report was reviewed."))
                else:
                    messages.error(request, _("Choose information only or needs action."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("est_review")
    queue = (
        Observation.objects.visible_to(principal)
        .filter(status=Status.NEW)
        .select_related("category__parent", "area", "owner_organisation", "place")
        .order_by("occurred_at")[:100]
    )
    queue = list(queue)
    severity = dict(services.scale(municipality, ScaleKind.SEVERITY))
    for o in queue:  # the municipality's word for it ("Hög"), not the number
        o.severity_label = severity.get(o.severity, str(o.severity))
    duplicates = services.possible_duplicates_of(queue)
    choices = ReviewForm.shared_choices(municipality)
    items = [
        (
            o,
            ReviewForm(
                prefix=f"r{o.pk}",
                municipality=municipality,
                initial={"category": o.category},
                choices=choices,
            ),
            duplicates[o.pk],
        )
        for o in queue
    ]
    return render(request, "est/review.html", {"items": items})


@member_required()
def weekly(request):
    principal = request.principal
    week = _week(request)
    if request.method == "POST":
        form = AssessmentForm(request.POST, municipality=principal.municipality)
        if not principal.has(Permission.ASSESS_AREAS):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.assess(
                    principal, form.cleaned_data["area"], week, form.cleaned_data["level"],
                    form.cleaned_data["justification"],
                )  # fmt: skip
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The assessment was saved."))
        return redirect(f"{reverse('est_weekly')}?week={week}")
    picture = services.weekly_picture(principal, week)
    weeks, history = services.assessment_history(principal.municipality, week)
    return render(
        request,
        "est/weekly.html",
        {
            "picture": picture,
            "week": week,
            "previous": week.shift(-1),
            "next": week.shift(1),
            "history_weeks": weeks,
            "history": history,
            "levels": services.scale(principal.municipality, ScaleKind.ASSESSMENT),
            "can_assess": principal.has(Permission.ASSESS_AREAS),
            "map_extent": map_extent(principal.municipality),
            "points_url": reverse("est_points") + f"?week={week}",
        },
    )


@member_required()
@require_GET
def points(request):
    principal = request.principal
    week = _week(request)
    new_cells, persistent_cells = services.week_hotspots(principal, week)
    reports = (
        services.observations_in(principal, week.start, week.end)
        .exclude(lat__isnull=True)
        .select_related("category__parent")
    )
    features = [
        geojson.point(
            o.lon, o.lat, title=str(o.category), status=o.get_status_display(),
            url=reverse("est_mine"), kind="report",
        )
        for o in reports
    ]  # fmt: skip
    features += [geojson.feature(cell, title=_("New hotspot"), hotspot="new") for cell in new_cells]
    features += [
        geojson.feature(cell, title=_("Persistent hotspot"), hotspot="persistent")
        for cell in persistent_cells
    ]
    return JsonResponse(geojson.collection(features))


@member_required()
def meeting(request, week: str):
    principal = request.principal
    try:
        w = Week.parse(week)
    except ValueError:
        return redirect("est_weekly")
    municipality = principal.municipality
    editable = principal.has(Permission.RUN_WEEKLY_MEETING)
    picture = services.weekly_picture(principal, w)
    m = picture.meeting
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        m = services.meeting_for(principal, w)
        what = request.POST.get("action")
        try:
            if what == "focus":
                form = FocusForm(request.POST, municipality=municipality)
                if form.is_valid():
                    services.add_focus(principal, m, **form.cleaned_data)
            elif what == "action":
                form = ActionForm(request.POST, municipality=municipality)
                if form.is_valid():
                    services.add_action(principal, m, **form.cleaned_data)
                else:
                    messages.error(request, _("Give the action, who and by when."))
            elif what == "attendees":
                form = AttendeesForm(request.POST, municipality=municipality)
                if form.is_valid():
                    services.set_attendees(
                        principal, m, form.cleaned_data["attendees"], form.cleaned_data["notes"]
                    )
            elif what == "follow_up":
                action = get_object_or_404(
                    Action, pk=id_param(request.POST, "item"), meeting__municipality=municipality
                )
                services.follow_up_action(
                    principal,
                    action,
                    request.POST.get("status", ""),
                    request.POST.get("outcome", ""),
                )
            elif what == "share":
                services.share(m, principal)
                messages.success(request, _("The decisions were sent to all partners."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("est_meeting", week=str(w))
    return render(
        request,
        "est/meeting.html",
        {
            "week": w,
            "picture": picture,
            "meeting": m,
            "editable": editable,
            "focus_form": FocusForm(municipality=municipality),
            "action_form": ActionForm(
                municipality=municipality, initial={"due": w.end + dt.timedelta(days=7)}
            ),
            "attendees_form": AttendeesForm(
                municipality=municipality,
                initial={
                    "attendees": list(m.attendees.all()) if m else [],
                    "notes": m.notes if m else "",
                },
            ),
            "statuses": ActionStatus.choices,
        },
    )


@member_required()
def meeting_pdf(request, week: str):
    try:
        w = Week.parse(week)
    except ValueError:
        return redirect("est_weekly")
    pdf = pdf_report.render(request.principal, w)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="veckobild-{w}.pdf"'
    return response


@member_required()
def tertial(request):
    principal = request.principal
    today = timezone.localdate()
    year = year_param(request.GET, "year", today.year)
    number = int_param(request.GET, "t", (today.month - 1) // 4 + 1, minimum=1, maximum=3)

    saved = TertialAnalysis.objects.filter(
        municipality=principal.municipality, year=year, tertial=number
    ).first()
    if request.method == "POST":
        if not principal.has(Permission.WRITE_TERTIAL_ANALYSIS):
            raise PermissionDenied
        ranks = {}
        for area in Area.objects.filter(municipality=principal.municipality, kind="district"):
            raw = request.POST.get(f"rank-{area.pk}")
            if raw and raw.isdigit():
                ranks[area.pk] = (int(raw), request.POST.get(f"why-{area.pk}", ""))
        try:
            services.save_tertial(principal, year, number, ranks, request.POST.get("summary", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The tertial analysis was saved."))
        return redirect(f"{reverse('est_tertial')}?year={year}&t={number}")
    rows = services.tertial(principal, year, number)
    adjusted = {r["area"]: r for r in (saved.ranking if saved else [])}
    for r in rows:
        r["rank"] = adjusted.get(r["area"], {}).get("rank", r["computed_rank"])
        r["justification"] = adjusted.get(r["area"], {}).get("justification", "")
    return render(
        request,
        "est/tertial.html",
        {
            "rows": rows,
            "basis": services.tertial_basis(principal, year, number),
            "year": year,
            "number": number,
            "saved": saved,
            "editable": principal.has(Permission.WRITE_TERTIAL_ANALYSIS),
        },
    )


@member_required()
def stats(request):
    columns, rows = services.reporting_stats(request.principal)
    return render(request, "est/stats.html", {"columns": columns, "rows": rows})


@member_required(Permission.CREATE)
def upload(request):
    """A file of reports is received here and read by the task worker — never in the
    request, so a large file holds nobody else up; its page shows how it went."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = importers.start_upload(request.principal, form.cleaned_data["file"])
        job.enqueue()
        messages.info(request, _("The file was received and is being checked."))
        return redirect("est_upload_job", pk=job.pk)
    return render(
        request,
        "est/upload.html",
        {"form": form, "uploads": importers.recent_uploads(request.principal)},
    )


@member_required(Permission.CREATE)
def upload_job(request, pk: int):
    job = get_object_or_404(
        ObservationUpload.objects.select_related("started_by"),
        pk=pk,
        organisation=request.principal.organisation,
    )
    partial = request.headers.get("HX-Request") == "true"
    template = "est/_upload_status.html" if partial else "est/upload_job.html"
    return render(request, template, {"job": job})

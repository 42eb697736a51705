"""Import jobs (upload, progress, outcome) and field workers' round reports."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.core.guards import member_required
from trygg.core.permissions import Permission
from trygg.incidents import services
from trygg.incidents.forms import FieldReportForm, ImportForm
from trygg.incidents.models import FieldReport, ImportJob


@member_required(Permission.IMPORT_DATA)
def imports(request):
    principal = request.principal
    form = ImportForm(
        request.POST or None, request.FILES or None, municipality=principal.municipality
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = {"preset": data["preset"], "map": data["mapping"], "encoding": data["encoding"]}
        if data["importer"] == "incidents":
            options["source"] = data["source"].slug
            if data.get("covers_from") and data.get("covers_to"):
                options["covers"] = [data["covers_from"].isoformat(), data["covers_to"].isoformat()]
        job = services.start_import(
            principal.municipality,
            data["importer"],
            file_name=data["file"].name,
            user=request.user,
            options=options,
            upload=data["file"],
        )
        job.enqueue()
        messages.info(request, _("The file was received and is being imported."))
        return redirect("import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(municipality=principal.municipality).select_related("source")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "incidents/imports.html", {"form": form, "page": page})


@member_required(Permission.IMPORT_DATA)
def import_job(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, municipality=request.principal.municipality)
    partial = request.headers.get("HX-Request") == "true"
    template = "incidents/_import_job_status.html" if partial else "incidents/import_job.html"
    return render(request, template, {"job": job})


@member_required()
def field_reports(request):
    principal = request.principal
    qs = (
        FieldReport.objects.visible_to(principal)
        .select_related("area", "owner_organisation")
        .order_by("-date", "-start_time")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/field_reports.html",
        {"page": page, "can_create": principal.has(Permission.CREATE)},
    )


@member_required(Permission.CREATE)
def field_report_create(request):
    principal = request.principal
    form = FieldReportForm(
        request.POST or None, principal=principal, initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        services.report_field_round(principal, form.instance)
        messages.success(request, _("The round was reported. Thank you!"))
        return redirect("field_reports")
    return render(request, "incidents/field_report_form.html", {"form": form})

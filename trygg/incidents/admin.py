from django.contrib import admin

from trygg.core.admin import SensitiveRecordAdmin
from trygg.incidents.models import FieldReport, ImportJob, Incident, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "owner_organisation", "default_sensitivity", "is_demo"]
    list_filter = ["municipality", "kind"]


@admin.register(Incident)
class IncidentAdmin(SensitiveRecordAdmin):
    list_display = ["source_ref", "category", "occurred_at", "area", "source", "sensitivity"]
    list_filter = ["municipality", "category", "source", "sensitivity", "position_precision"]
    search_fields = ["source_ref", "source_type"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["area", "import_job"]
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "importer", "file_name", "status", "created_count", "error_count"]
    list_filter = ["importer", "status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(FieldReport)
class FieldReportAdmin(SensitiveRecordAdmin):
    list_display = ["date", "area", "owner_organisation", "young_people_met"]
    list_filter = ["municipality", "area"]

from django.contrib import admin

from trygg.core.admin import SensitiveRecordAdmin
from trygg.walks.models import ChecklistTemplate, Finding, Walk


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default", "updated_at")


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ("category", "description", "lat", "lon", "captured_at", "case")
    readonly_fields = ("captured_at", "case")


@admin.register(Walk)
class WalkAdmin(SensitiveRecordAdmin):
    list_display = ("title", "date", "area", "status", "owner_organisation")
    list_filter = ("status", "light", "area")
    inlines = [FindingInline]

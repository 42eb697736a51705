from django.contrib import admin

from trygg.cases.models import Case, CaseCategory, CaseUpdate, Open311Key, PropertyArea, RoutingRule
from trygg.core.admin import SensitiveRecordAdmin


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "group", "deadline_months", "is_public", "order")
    list_filter = ("municipality", "is_public")
    search_fields = ("name", "code")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "category", "area", "land", "organisation")
    list_filter = ("municipality", "land", "category")


@admin.register(PropertyArea)
class PropertyAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "owner")
    list_filter = ("municipality", "owner")
    exclude = ("min_lon", "min_lat", "max_lon", "max_lat")

    def save_model(self, request, obj, form, change):
        from shapely.geometry import shape

        obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat = shape(obj.geometry).bounds
        super().save_model(request, obj, form, change)


class CaseUpdateInline(admin.TabularInline):
    model = CaseUpdate
    extra = 0
    readonly_fields = (
        "at",
        "author",
        "organisation",
        "state_from",
        "state_to",
        "text",
        "is_public",
    )
    can_delete = False


@admin.register(Case)
class CaseAdmin(SensitiveRecordAdmin):
    list_display = (
        "pk",
        "category",
        "state",
        "owner_organisation",
        "deadline",
        "origin",
        "created_at",
    )
    list_filter = ("municipality", "state", "origin", "category")
    # The reporter's e-mail is personal data: not listed, not searchable, not editable here.
    exclude = ("reporter_email", "token")
    readonly_fields = ("created_at", "updated_at", "media_url")
    inlines = [CaseUpdateInline]


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "requests_per_minute",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")

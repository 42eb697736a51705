"""Django admin for the core models: the system operator's tool. Day-to-day work
happens in Trygg's own pages, which apply the permission layer."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from trygg.core import audit
from trygg.core.models import (
    Area,
    AuditEntry,
    Membership,
    Municipality,
    Notice,
    Organisation,
    Sensitivity,
)
from trygg.core.permissions import Principal


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "population"]
    search_fields = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "is_active"]
    list_filter = ["municipality", "kind", "is_active"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "organisation__municipality"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "municipality", "population", "is_demo"]
    list_filter = ["municipality", "kind", "is_demo"]
    search_fields = ["name", "code"]
    readonly_fields = ["min_lon", "min_lat", "max_lon", "max_lat", "created_at", "updated_at"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "owner_organisation", "sensitivity", "valid_until", "created_at"]
    list_filter = ["municipality", "sensitivity"]
    search_fields = ["title"]
    filter_horizontal = ["restricted_to"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.sensitivity == Sensitivity.RESTRICTED:
            audit.record_reads(Principal(user=request.user, membership=None), [obj])
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["at", "actor_label", "action", "content_type", "object_repr", "ip_address"]
    list_filter = ["action", "municipality", "content_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Trygg administration")
admin.site.site_title = _("Trygg")

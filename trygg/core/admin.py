"""Django admin for the core models: the system operator's tool. Day-to-day work
happens in Trygg's own pages, which apply the permission layer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from trygg.core.models import (
    Area,
    AuditEntry,
    Membership,
    Municipality,
    Notice,
    Organisation,
)
from trygg.core.roles import Sensitivity


class SensitiveRecordAdmin(admin.ModelAdmin[Any]):
    """The admin of a ``SensitiveRecord`` model: restricted rows are not in it at all.
    The admin is the system operator's tool and reads past the permission layer; a
    restricted record is read and changed in Trygg's own pages, by the organisations it
    is restricted to, with every read audited."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).exclude(sensitivity=Sensitivity.RESTRICTED)


class MembershipInline(admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin[Municipality]):
    list_display = ["name", "code", "population"]
    search_fields = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "municipality", "is_active"]
    list_filter = ["municipality", "kind", "is_active"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "organisation__municipality"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin[Area]):
    list_display = ["name", "kind", "code", "municipality", "population", "is_demo"]
    list_filter = ["municipality", "kind", "is_demo"]
    search_fields = ["name", "code"]
    readonly_fields = ["min_lon", "min_lat", "max_lon", "max_lat", "created_at", "updated_at"]


@admin.register(Notice)
class NoticeAdmin(SensitiveRecordAdmin):
    list_display = ["title", "owner_organisation", "sensitivity", "valid_until", "created_at"]
    list_filter = ["municipality", "sensitivity"]
    search_fields = ["title"]
    filter_horizontal = ["restricted_to"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the audit log is append-only."""

    list_display = ["at", "actor_label", "action", "content_type", "object_repr", "ip_address"]
    list_filter = ["action", "municipality", "content_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


admin.site.site_header = _("Trygg administration")
admin.site.site_title = _("Trygg")

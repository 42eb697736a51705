from django.contrib import admin

from trygg.core.admin import SensitiveRecordAdmin
from trygg.est import models


@admin.register(models.ObservationCategory)
class ObservationCategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "code", "is_event", "is_active", "order")
    list_filter = ("municipality", "is_active", "parent")


@admin.register(models.Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "lat", "lon")


@admin.register(models.Observation)
class ObservationAdmin(SensitiveRecordAdmin):
    list_display = ("category", "occurred_at", "owner_organisation", "area", "status")
    list_filter = ("status", "owner_organisation", "category")
    exclude = ("photo",)


class FocusInline(admin.TabularInline):
    model = models.FocusPlace
    extra = 0


class ActionInline(admin.TabularInline):
    model = models.Action
    extra = 0


@admin.register(models.WeeklyMeeting)
class WeeklyMeetingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "held_on", "shared_at")
    inlines = [FocusInline, ActionInline]


@admin.register(models.ScaleLevel)
class ScaleLevelAdmin(admin.ModelAdmin):
    list_display = ("scale", "value", "label", "label_en", "municipality")
    list_filter = ("municipality", "scale")

from django.contrib import admin

from trygg.core.admin import SensitiveRecordAdmin
from trygg.plan import models


class CauseInline(admin.TabularInline):
    model = models.Cause
    extra = 0


class EvidenceInline(admin.TabularInline):
    model = models.Evidence
    extra = 0


@admin.register(models.Problem)
class ProblemAdmin(SensitiveRecordAdmin):
    list_display = ("title", "priority", "owner_organisation", "sensitivity")
    inlines = [EvidenceInline, CauseInline]


@admin.register(models.ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "period_start", "period_end")


@admin.register(models.PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ("plan", "number", "decided_by", "decided_on", "minute_ref")
    readonly_fields = ("plan", "number", "decided_by", "decided_on", "minute_ref", "snapshot")

    def has_change_permission(self, request, obj=None):
        return False  # decided versions are frozen

    def has_delete_permission(self, request, obj=None):
        return False


class IndicatorInline(admin.TabularInline):
    model = models.Indicator
    extra = 0


@admin.register(models.Measure)
class MeasureAdmin(SensitiveRecordAdmin):
    list_display = ("title", "plan", "owner_organisation", "status", "start", "end")
    list_filter = ("plan", "status", "owner_organisation")
    inlines = [IndicatorInline]


@admin.register(models.Activity)
class ActivityAdmin(SensitiveRecordAdmin):
    list_display = ("title", "type", "start_date", "area", "participants", "measure")
    list_filter = ("type", "area")


class FollowUpInline(admin.TabularInline):
    model = models.PledgeFollowUp
    extra = 0


@admin.register(models.Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "signed_on")
    inlines = [FollowUpInline]


class DecisionInline(admin.TabularInline):
    model = models.Decision
    extra = 0


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("body", "date")
    inlines = [DecisionInline]


@admin.register(models.Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("title", "period_start", "period_end")

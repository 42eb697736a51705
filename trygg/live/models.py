"""The live picture: which events are serious, the alerts they gave, who heard of them,
and what the partners did afterwards. Places, times and kinds of event — never people."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trygg.core.models import Area, Municipality, Organisation
from trygg.core.pdguard import validate_no_personal_data
from trygg.incidents.models import Incident, PositionPrecision
from trygg.incidents.taxonomy import SeriousFamily


class SeriousEventRule(models.Model):
    """That events of one family are serious in this municipality, and which
    organisations are alerted when one arrives."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    family = models.CharField(_("kind of event"), max_length=20, choices=SeriousFamily.choices)
    is_active = models.BooleanField(_("alert"), default=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations alerted")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["municipality", "family"]
        verbose_name = _("serious-event rule")
        verbose_name_plural = _("serious-event rules")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "family"], name="rule_unique_family")
        ]

    def __str__(self) -> str:
        return self.get_family_display()


class ZoneBasis(models.TextChoices):
    OWN = "own", _("The municipality's own history")
    LITERATURE = "literature", _("Published general figures")


class EventAlert(models.Model):
    """One serious event, alerted once: the reports of it (the police's feed, a partner's
    log — ``reports``) merged, its place as precisely as any report gives it, and the
    near-repeat risk zone computed when it arrived."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    family = models.CharField(_("kind of event"), max_length=20, choices=SeriousFamily.choices)
    rule = models.ForeignKey(SeriousEventRule, null=True, on_delete=models.SET_NULL)
    source_type = models.CharField(_("type"), max_length=150)
    occurred_at = models.DateTimeField(_("occurred"))
    # A point only when a report gives one better than the municipality's centroid.
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    position_precision = models.CharField(max_length=12, choices=PositionPrecision.choices)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("area"),
    )  # fmt: skip
    address = models.CharField(_("nearest address"), max_length=200, blank=True)
    summary = models.TextField(
        _("summary"), blank=True, max_length=1000, validators=[validate_no_personal_data]
    )
    zone_m = models.PositiveIntegerField(_("risk zone (m)"))
    zone_days = models.PositiveIntegerField(_("risk window (days)"))
    zone_basis = models.CharField(max_length=12, choices=ZoneBasis.choices)
    # How the zone was found: events used, Knox ratio and p, or the publication cited.
    zone_detail = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)  # 1 + the updates made
    # What the last update changed: "place", "text", "type", "time", or "source:<name>"
    # (another report of the same event), for the update's e-mail.
    last_changes = models.JSONField(default=list, blank=True)
    message_id = models.CharField(max_length=200)  # the thread's first e-mail
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("serious-event alert")
        verbose_name_plural = _("serious-event alerts")
        indexes = [models.Index(fields=["municipality", "occurred_at"], name="alert_muni_time")]

    def __str__(self) -> str:
        return f"{self.source_type} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def risk_until(self):
        """When the risk window closes."""
        return self.occurred_at + dt.timedelta(days=self.zone_days)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.position_precision != PositionPrecision.MUNICIPALITY


class AlertReport(models.Model):
    """An incident that reports the alerted event (each incident belongs to one alert)."""

    alert = models.ForeignKey(EventAlert, on_delete=models.CASCADE, related_name="reports")
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.incident_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    NO_RECIPIENTS = "none", _("No one to send to")


class AlertDelivery(models.Model):
    """One version of an alert for one organisation: sent once (the unique constraint),
    held while the organisation's hourly limit is reached."""

    alert = models.ForeignKey(EventAlert, on_delete=models.CASCADE, related_name="deliveries")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "organisation", "version"], name="delivery_once"
            )
        ]
        indexes = [models.Index(fields=["status", "organisation"], name="delivery_status_org")]

    def __str__(self) -> str:
        return f"{self.alert_id} v{self.version} → {self.organisation_id} ({self.status})"


class AlertFollowUp(models.Model):
    """What the partners decided after an event, from its brief: the zone as a focus place
    of a weekly meeting, or an action."""

    alert = models.ForeignKey(EventAlert, on_delete=models.CASCADE, related_name="follow_ups")
    focus_place = models.ForeignKey(
        "est.FocusPlace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.ForeignKey(
        "est.Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.focus_place_id or self.action_id}"


class DigestSubscription(models.Model):
    """A user who wants the week's picture by e-mail on Monday mornings (opt-in)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_week = models.CharField(max_length=10, blank=True)  # "2026-W49"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "municipality"], name="digest_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.municipality_id}"

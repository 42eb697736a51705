"""Stored lägesbild documents: versioned; a decided version is frozen."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trygg.core.models import Municipality
from trygg.core.pdguard import validate_no_personal_data


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Audience(models.TextChoices):
    PARTNERS = "partners", _("Version for the partners")
    PUBLIC = "public", _("Public version")


class LagesbildDocument(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    version = models.PositiveIntegerField(_("version"))
    date_from = models.DateField(pgettext_lazy("period", "from"))
    date_to = models.DateField(pgettext_lazy("period", "to"))
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    language = models.CharField(_("language"), max_length=2, default="sv")
    summary_text = models.TextField(
        _("the coordinator's summary"), blank=True, validators=[validate_no_personal_data]
    )
    analysis_text = models.TextField(
        _("the coordinator's analysis"), blank=True, validators=[validate_no_personal_data]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.TextField(_("message"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="lagesbild/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    decided_by_body = models.CharField(_("decided by"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    minute_reference = models.CharField(_("minute reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("lägesbild document")
        verbose_name_plural = _("lägesbild documents")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "version"], name="lagesbild_version")
        ]

    def __str__(self) -> str:
        return f"Lägesbild v{self.version} {self.date_from}–{self.date_to}"

    @property
    def is_decided(self) -> bool:
        return self.decided_on is not None

    @property
    def is_finished(self) -> bool:
        return self.status in {DocumentStatus.DONE, DocumentStatus.FAILED}

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "trygg.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from trygg.core import audit
        from trygg.core.signals import areas_changed
        from trygg.incidents import models, services

        audit.register(models.Source)
        # Single edits (admin, UI) are audited record by record; bulk imports are audited
        # as one entry per import job (who, when, file hash, counts) — see services.
        audit.register(models.Incident, exclude=("updated_at", "content_hash"))
        audit.register(models.FieldReport, exclude=("updated_at",))
        areas_changed.connect(services.reassign_to_areas, dispatch_uid="incidents_areas")

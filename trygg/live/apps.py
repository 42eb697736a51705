from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "trygg.live"
    label = "live"
    verbose_name = _("Live picture and serious-event alerts")

    def ready(self) -> None:
        from trygg.core import audit
        from trygg.core.signals import incidents_changed
        from trygg.live import models
        from trygg.live.tasks import on_incidents_changed

        for model in (models.SeriousEventRule, models.AlertFollowUp):
            audit.register(model)
        incidents_changed.connect(on_incidents_changed, dispatch_uid="live_serious_events")

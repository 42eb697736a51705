from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalksConfig(AppConfig):
    name = "trygg.walks"
    label = "walks"
    verbose_name = _("Safety walks")

    def ready(self) -> None:
        from trygg.core import audit
        from trygg.core.signals import addresses_imported
        from trygg.walks import models
        from trygg.walks.services import fill_missing_addresses

        audit.register(models.ChecklistTemplate)
        audit.register(models.Walk, exclude=("updated_at",))
        audit.register(models.Finding)
        addresses_imported.connect(fill_missing_addresses, dispatch_uid="walks_fill_addresses")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "trygg.surveys"
    label = "surveys"
    verbose_name = _("Perceived-safety surveys")

    def ready(self) -> None:
        from trygg.core import audit
        from trygg.surveys import models

        audit.register(models.Survey)

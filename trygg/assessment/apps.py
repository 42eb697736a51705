from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "trygg.assessment"
    label = "assessment"
    verbose_name = _("Situation assessment (lägesbild)")

    def ready(self) -> None:
        from trygg.assessment.models import LagesbildDocument
        from trygg.core import audit

        audit.register(LagesbildDocument, exclude=("progress", "status", "message"))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstConfig(AppConfig):
    name = "trygg.est"
    label = "est"
    verbose_name = _("Weekly joint picture (EST)")

    def ready(self) -> None:
        from trygg.assessment import sections
        from trygg.core import audit
        from trygg.est import lagesbild, models

        sections.register("partner_table", lagesbild.partner_observations_table)

        for model in (
            models.ObservationCategory,
            models.Place,
            models.Observation,
            models.AreaAssessment,
            models.WeeklyMeeting,
            models.FocusPlace,
            models.Action,
            models.TertialAnalysis,
        ):
            audit.register(model, exclude=("updated_at",))

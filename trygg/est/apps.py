from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstConfig(AppConfig):
    name = "trygg.est"
    label = "est"
    verbose_name = _("Weekly joint picture (EST)")

    def ready(self) -> None:
        from trygg.assessment import sections
        from trygg.core import audit
        from trygg.core.signals import addresses_imported, areas_changed
        from trygg.est import lagesbild, models
        from trygg.est.services.reporting import fill_missing_addresses, reassign_to_areas

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
            models.ScaleLevel,
        ):
            audit.register(model, exclude=("updated_at",))
        addresses_imported.connect(fill_missing_addresses, dispatch_uid="est_fill_addresses")
        areas_changed.connect(reassign_to_areas, dispatch_uid="est_areas")

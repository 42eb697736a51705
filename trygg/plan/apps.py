from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "trygg.plan"
    label = "plan"
    verbose_name = _("Action plan")

    def ready(self) -> None:
        from trygg.cases import origins
        from trygg.core import audit
        from trygg.plan import models, services

        # A forum decision can become a case; cases never imports plan.
        origins.register("plan.decision", services.decision_case_text, services.link_decision_case)

        for model in (
            models.Problem,
            models.Cause,
            models.Evidence,
            models.ActionPlan,
            models.PlanVersion,
            models.Measure,
            models.Indicator,
            models.Measurement,
            models.Activity,
            models.Pledge,
            models.PledgeFollowUp,
            models.Meeting,
            models.Decision,
            models.Agreement,
        ):
            audit.register(model, exclude=("updated_at",))

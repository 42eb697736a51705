from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "trygg.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from trygg.assessment import sections
        from trygg.cases import lagesbild, models, tasks  # noqa: F401 - tasks: the daily jobs
        from trygg.cases.services.lifecycle import fill_missing_addresses
        from trygg.core import audit
        from trygg.core.signals import addresses_imported

        sections.register("cases_table", lagesbild.fixed_places_table)

        audit.register(models.CaseCategory)
        audit.register(models.PropertyArea)
        audit.register(models.RoutingRule)
        # When a key was last used is bookkeeping, not a change worth a line.
        audit.register(models.Open311Key, exclude=("last_used_at",), masked=("key_hash",))
        # The reporter's e-mail is personal data: its changes are logged, its value never.
        # updated_at and reminded_on are bookkeeping (the daily reminder), not changes.
        audit.register(
            models.Case, exclude=("updated_at", "reminded_on"), masked=("reporter_email",)
        )
        audit.register(models.CaseUpdate)
        addresses_imported.connect(fill_missing_addresses, dispatch_uid="cases_fill_addresses")

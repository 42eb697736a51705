from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SetupConfig(AppConfig):
    """Inställningar and Kom igång: a municipality set up by its coordinator in Trygg's
    own pages (never the Django admin), from the settings every app owns."""

    name = "trygg.setup"
    label = "setup"
    verbose_name = _("Settings")

    def ready(self) -> None:
        from trygg.setup import tasks  # noqa: F401 - the nightly job

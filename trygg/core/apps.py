from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "trygg.core"
    label = "core"
    verbose_name = _("Trygg core")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import (
            user_logged_in,
            user_logged_out,
            user_login_failed,
        )

        from trygg.core import audit, models, signals

        audit.register(models.Municipality)
        audit.register(models.Organisation)
        audit.register(models.Membership)
        audit.register(models.Area, exclude=("updated_at",))
        audit.register(models.Notice, exclude=("updated_at",))
        audit.register(models.AreaLayer, exclude=("features",))
        audit.register(models.Population)
        audit.register(models.Invitation, masked=("token_hash",))
        audit.register(models.Region)
        audit.register(models.RegionMember)
        audit.register(models.RegionalMembership)
        audit.register(models.SiteProfile, exclude=("updated_at",))
        audit.register(get_user_model(), exclude=("last_login",), masked=("password",))
        user_logged_in.connect(signals.on_login, dispatch_uid="trygg-audit-login")
        user_logged_out.connect(signals.on_logout, dispatch_uid="trygg-audit-logout")
        user_login_failed.connect(signals.on_login_failed, dispatch_uid="trygg-audit-login-failed")

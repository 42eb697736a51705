"""What every page's layout needs: the navigation, the organisation switcher, the
languages."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trygg.core.permissions import Permission, active_memberships

# (url name, label, permission needed or None). Later apps add their entries here.
NAVIGATION = [
    ("home", _("Overview"), Permission.VIEW),
    ("assessment", _("Situation picture"), Permission.VIEW),
    ("live_index", _("Alerts"), Permission.VIEW),
    ("est_weekly", _("Weekly picture"), Permission.VIEW),
    ("field_reports", _("Field rounds"), Permission.VIEW),
    ("surveys", _("Perceived safety"), Permission.VIEW),
    ("walk_list", _("Safety walks"), Permission.VIEW),
    ("cases", _("Cases"), Permission.VIEW),
    ("plan_overview", _("Action plan"), Permission.VIEW),
    ("imports", _("Imports"), Permission.IMPORT_DATA),
    ("areas", _("Areas"), Permission.VIEW),
    ("notices", _("Notice board"), Permission.VIEW),
    ("organisations", _("Organisations"), Permission.VIEW),
    ("audit_log", _("Audit log"), Permission.VIEW_AUDIT_LOG),
]


def shell(request):
    principal = getattr(request, "principal", None)
    base = {
        "principal": principal,
        "oidc_enabled": settings.OIDC_ENABLED,
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "nav_items": [],
        "memberships": [],
    }
    user = getattr(request, "user", None)
    if principal is None or user is None or not user.is_authenticated:
        return base
    current = request.resolver_match.url_name if request.resolver_match else None
    nav_items = [
        {"url": reverse(name), "label": label, "current": name == current}
        for name, label, permission in NAVIGATION
        if permission is None or principal.has(permission)
    ]
    return {
        **base,
        "nav_items": nav_items,
        "memberships": list(active_memberships(user)),
    }

"""The public site's profile for templates: ``{% public_profile as profile %}``."""

from __future__ import annotations

from django import template
from django.http import Http404

from trygg.core.models import SiteProfile
from trygg.core.tenancy import public_municipality

register = template.Library()


@register.simple_tag(takes_context=True)
def public_profile(context: template.Context) -> SiteProfile | None:
    """The served municipality's profile (None before one is set up); read once per page."""
    request = context.get("request")
    cached = getattr(request, "_trygg_profile", False)
    if cached is not False:
        return cached
    try:
        municipality = public_municipality()
    except Http404:
        profile = None
    else:
        profile = SiteProfile.objects.filter(municipality=municipality).first()
    if request is not None:
        request._trygg_profile = profile
    return profile

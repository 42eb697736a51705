"""The public site's shell: which municipality it serves."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from trygg.core.models import Municipality


def public_municipality() -> Municipality:
    """The municipality named by PUBLIC_MUNICIPALITY, else the installation's only one."""
    if settings.PUBLIC_MUNICIPALITY:
        municipality = Municipality.objects.filter(code=settings.PUBLIC_MUNICIPALITY).first()
    else:
        municipalities = list(Municipality.objects.all()[:2])
        municipality = municipalities[0] if len(municipalities) == 1 else None
    if municipality is None:
        raise Http404("No municipality is configured for the public site (PUBLIC_MUNICIPALITY).")
    return municipality

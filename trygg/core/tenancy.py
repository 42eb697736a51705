"""Which municipality a request is about, when it does not come with a login.

The public site and Open311 serve one municipality per request: the one the request names
(Open311's ``jurisdiction_id``), else the installation's default — ``PUBLIC_MUNICIPALITY``
(its SCB code), else the installation's only municipality. One lookup, used by both.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from trygg.core.models import Municipality


class UnknownMunicipality(LookupError):
    """No municipality matches; the message says why (for a 400 or 404)."""


def municipality_for(code: str | None = None) -> Municipality:
    code = (code or "").strip()
    if code:
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise UnknownMunicipality(f"no municipality has the code {code!r}")
        return municipality
    if settings.PUBLIC_MUNICIPALITY:
        municipality = Municipality.objects.filter(code=settings.PUBLIC_MUNICIPALITY).first()
        if municipality is None:
            raise UnknownMunicipality(
                f"PUBLIC_MUNICIPALITY={settings.PUBLIC_MUNICIPALITY!r} is not a municipality "
                "of this installation"
            )
        return municipality
    municipalities = list(Municipality.objects.all()[:2])
    if len(municipalities) == 1:
        return municipalities[0]
    raise UnknownMunicipality(
        "this installation serves several municipalities: name one (PUBLIC_MUNICIPALITY, "
        "or jurisdiction_id in Open311)"
    )


def public_municipality() -> Municipality:
    """The municipality the public site serves (404 when none is configured)."""
    try:
        return municipality_for()
    except UnknownMunicipality as exc:
        raise Http404(f"No municipality for the public site: {exc}.") from exc


def absolute_url(path: str) -> str:
    """A link for an e-mail or a calendar file: the public site's address (``PUBLIC_BASE_URL``)
    and ``path``."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + path

"""Request middleware: the active membership (organisation switcher) and the audit
context (who acts, from where) for every request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from trygg.core import audit
from trygg.core.permissions import Principal

SESSION_KEY = "trygg_active_organisation"
GetResponse = Callable[[HttpRequest], HttpResponseBase]


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: behind a reverse proxy, configure it to set REMOTE_ADDR
    # (gunicorn --forwarded-allow-ips) rather than trusting a header anyone can send.
    return request.META.get("REMOTE_ADDR") or None


class ActiveMembershipMiddleware:
    """Sets ``request.principal``: the user acting for the organisation chosen in the
    organisation switcher (kept in the session), or their first membership."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        organisation_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        principal = Principal.for_user(user, organisation_id) if user else Principal.anonymous()
        if organisation_id and principal.membership is None and user and user.is_authenticated:
            # The chosen membership is gone (ended or deactivated): fall back to another.
            request.session.pop(SESSION_KEY, None)
            principal = Principal.for_user(user)
        request.principal = principal  # type: ignore[attr-defined]  # Trygg's own attribute
        return self.get_response(request)


class AuditContextMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        principal = getattr(request, "principal", None) or Principal.anonymous()
        membership = principal.membership
        with audit.acting(
            user=getattr(request, "user", None),
            organisation_id=membership.organisation_id if membership else None,
            municipality_id=membership.organisation.municipality_id if membership else None,
            ip_address=client_ip(request),
            path=f"{request.method} {request.path}",
            label="anonymous",
        ):
            return self.get_response(request)

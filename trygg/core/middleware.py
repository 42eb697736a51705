"""Request middleware: the active membership (organisation switcher) and the audit
context (who acts, from where) for every request."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from trygg.core import audit
from trygg.core.permissions import Principal

SESSION_KEY = "trygg_active_organisation"
GetResponse = Callable[[HttpRequest], HttpResponseBase]


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR, which TrustedProxyMiddleware sets to the client's address when the
    # request came through a proxy listed in TRUSTED_PROXIES (never from a header that
    # anyone else sent).
    return request.META.get("REMOTE_ADDR") or None


def _networks(entries: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """Behind a reverse proxy every request comes from the proxy: then the audit log's
    "from where", the login lockout and the public rate limit would all see one address.
    When the peer is a trusted proxy (``TRUSTED_PROXIES``: addresses or networks), the
    client is the right-most address in X-Forwarded-For that is not itself a trusted
    proxy; from any other peer the header is ignored (anyone can send it)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.trusted = _networks(list(getattr(settings, "TRUSTED_PROXIES", [])))

    def _is_trusted(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in self.trusted)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        peer = _address(request.META.get("REMOTE_ADDR", ""))
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if self.trusted and peer is not None and self._is_trusted(peer) and forwarded:
            hops = [_address(part) for part in forwarded.split(",")]
            client = None
            for hop in reversed(hops):
                if hop is None:
                    break  # a garbled hop: trust nothing before it
                client = hop
                if not self._is_trusted(hop):
                    break
            if client is not None:
                request.META["TRYGG_PROXY_ADDR"] = request.META["REMOTE_ADDR"]
                request.META["REMOTE_ADDR"] = str(client)
        return self.get_response(request)


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


class RequestSizeMiddleware:
    """Refuse a request body larger than anyone may send, before any of it is read: a
    signed-in user's import file (``IMPORT_MAX_UPLOAD_MB``), an anonymous visitor's
    photo (``PHOTO_MAX_MB``) — each plus 1 MB for the rest of the form. Bodies below
    the limit are streamed to a temporary file by Django (never held in memory whole)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        mb = settings.PHOTO_MAX_MB
        if length > (mb + 1) * 1024 * 1024:
            # Only now ask who it is (a session read): most bodies are small.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                mb = max(mb, settings.IMPORT_MAX_UPLOAD_MB)
        if length > (mb + 1) * 1024 * 1024:
            message = _("The file is too large: at most %(mb)s MB.") % {"mb": mb}
            return render(request, "400.html", {"message": message}, status=413)
        return self.get_response(request)

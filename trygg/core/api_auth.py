"""Authentication for the JSON API: a session (the web app) or a bearer token."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from trygg.core import audit
from trygg.core.middleware import client_ip
from trygg.core.models import ApiToken
from trygg.core.permissions import Principal
from trygg.core.tokens import authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer trygg_…``: acts as the token's membership."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = authenticate(token)
        if api_token is None:
            return None
        membership = api_token.membership
        request.user = membership.user
        principal = Principal(user=membership.user, membership=membership)
        request.principal = principal  # type: ignore[attr-defined]  # Trygg's own attribute
        audit.set_context(
            user=membership.user,
            organisation_id=membership.organisation_id,
            municipality_id=membership.organisation.municipality_id,
            ip_address=client_ip(request),
            path=f"{request.method} {request.path} (token {api_token.prefix})"[:300],
        )
        return api_token


class MemberSessionAuth(SessionAuth):
    """A signed-in session (CSRF-checked for unsafe methods)."""


API_AUTH = [TokenAuth(), MemberSessionAuth()]

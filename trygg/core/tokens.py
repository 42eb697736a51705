"""API tokens: creation (the secret is returned once) and authentication."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from trygg.core.models import ApiToken, Membership

PREFIX = "trygg_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(membership: Membership, name: str) -> tuple[ApiToken, str]:
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=membership,
        name=name,
        prefix=key[len(PREFIX) : len(PREFIX) + 8],
        key_hash=_hash(key),
    )
    return token, key


def authenticate(key: str) -> ApiToken | None:
    if not key or not key.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related(
            "membership__user", "membership__organisation__municipality"
        )
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    membership = token.membership
    if not (
        membership.is_active and membership.organisation.is_active and membership.user.is_active
    ):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token

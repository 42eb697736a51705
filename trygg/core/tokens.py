"""API tokens: creation (the secret is returned once) and authentication.

``new_secret``, ``key_hash`` and ``mark_used`` also serve the other kinds of key that
Trygg stores only as a hash (the Open311 api_keys in trygg.cases)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone

from trygg.core import audit
from trygg.core.models import ApiToken, Membership

PREFIX = "trygg_"


def key_hash(key: str) -> str:
    """What is stored of a key: its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_secret(prefix: str, nbytes: int = 32) -> tuple[str, str]:
    """A new key and the part of it shown in lists (8 characters after the prefix)."""
    while True:
        key = prefix + secrets.token_urlsafe(nbytes)
        shown = key[len(prefix) : len(prefix) + 8]
        # The shown part is typed on command lines (revoke_open311_key PREFIX): one that
        # began with "-" would read as an option (1 key in 64 did; a flaky test found it).
        if not shown.startswith("-"):
            return key, shown


def mark_used(record: models.Model) -> None:
    """Note when a key (a record with ``last_used_at``: an API token, an Open311 key) was
    last used — at most one write a minute per key."""
    now = timezone.now()
    last_used = getattr(record, "last_used_at", None)
    if last_used is None or (now - last_used).total_seconds() > 60:
        audit.update(type(record)._default_manager.filter(pk=record.pk), last_used_at=now)


def create_token(membership: Membership, name: str) -> tuple[ApiToken, str]:
    key, shown = new_secret(PREFIX)
    token = ApiToken.objects.create(
        membership=membership, name=name, prefix=shown, key_hash=key_hash(key)
    )
    return token, key


def authenticate(key: str) -> ApiToken | None:
    if not key or not key.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related(
            "membership__user", "membership__organisation__municipality"
        )
        .filter(key_hash=key_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    membership = token.membership
    if not (
        membership.is_active and membership.organisation.is_active and membership.user.is_active
    ):
        return None
    mark_used(token)
    return token

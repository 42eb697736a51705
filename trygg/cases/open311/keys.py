"""Open311 api_keys: created (the key is returned once), checked, revoked."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from trygg.cases.models import Open311Key
from trygg.core.models import Municipality

PREFIX = "o311_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    municipality: Municipality, name: str, requests_per_minute: int | None = None
) -> tuple[Open311Key, str]:
    from django.conf import settings

    key = PREFIX + secrets.token_urlsafe(24)
    record = Open311Key.objects.create(
        municipality=municipality,
        name=name,
        prefix=key[len(PREFIX) : len(PREFIX) + 8],
        key_hash=_hash(key),
        requests_per_minute=requests_per_minute or settings.OPEN311_REQUESTS_PER_MINUTE,
    )
    return record, key


def authenticate(key: str | None) -> Open311Key | None:
    if not key:
        return None
    record = (
        Open311Key.objects.select_related("municipality")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        Open311Key.objects.filter(pk=record.pk).update(last_used_at=now)
    return record


def revoke(record: Open311Key) -> None:
    record.revoked_at = timezone.now()
    record.save(update_fields=["revoked_at"])

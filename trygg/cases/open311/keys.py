"""Open311 api_keys: created (the key is returned once), checked, revoked."""

from __future__ import annotations

from django.utils import timezone

from trygg.cases.models import Open311Key
from trygg.core.models import Municipality
from trygg.core.tokens import key_hash, mark_used, new_secret

PREFIX = "o311_"


def create_key(
    municipality: Municipality, name: str, requests_per_minute: int | None = None
) -> tuple[Open311Key, str]:
    from django.conf import settings

    key, shown = new_secret(PREFIX, 24)
    record = Open311Key.objects.create(
        municipality=municipality,
        name=name,
        prefix=shown,
        key_hash=key_hash(key),
        requests_per_minute=requests_per_minute or settings.OPEN311_REQUESTS_PER_MINUTE,
    )
    return record, key


def authenticate(key: str | None) -> Open311Key | None:
    if not key:
        return None
    record = (
        Open311Key.objects.select_related("municipality")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True)
        .first()
    )
    if record is None:
        return None
    mark_used(record)
    return record


def revoke(record: Open311Key) -> None:
    record.revoked_at = timezone.now()
    record.save(update_fields=["revoked_at"])

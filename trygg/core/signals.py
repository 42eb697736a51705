"""Authentication events into the audit log, and the signals core sends to the apps
above it."""

from typing import Any

from django.dispatch import Signal
from django.http import HttpRequest

from trygg.core import audit
from trygg.core.models import AuditAction


def on_login(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.record_event(AuditAction.LOGIN, user=user)


def on_logout(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record_event(AuditAction.LOGOUT, user=user)


def on_login_failed(
    sender: object,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    # Only the username tried: never the password.
    audit.record_event(
        AuditAction.LOGIN_FAILED,
        label=str(credentials.get("username", ""))[:150] or "unknown",
    )


# Sent (inside the import's transaction) when a municipality's address register changed,
# with ``municipality``: the apps give their records without a place text theirs.
addresses_imported = Signal()

# Sent after the transaction that wrote incidents commits, when something was created or
# changed: ``municipality_id``, ``source_id`` and ``job_id`` (the rows written carry that
# import job). The live picture checks them for serious events.
incidents_changed = Signal()

# Sent inside the transaction of an area import that changed boundaries, with
# ``municipality``, ``kind`` and ``area_ids`` (the areas created or re-drawn): the apps
# re-assign their records to the new boundaries before the import commits.
areas_changed = Signal()

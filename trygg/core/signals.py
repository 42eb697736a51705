"""Authentication events into the audit log."""

from typing import Any

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

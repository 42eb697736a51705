"""Authentication events into the audit log."""

from trygg.core import audit
from trygg.core.models import AuditAction


def on_login(sender, request, user, **kwargs):
    audit.record_event(AuditAction.LOGIN, user=user)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record_event(AuditAction.LOGOUT, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username tried: never the password.
    audit.record_event(
        AuditAction.LOGIN_FAILED,
        label=str(credentials.get("username", ""))[:150] or "unknown",
    )

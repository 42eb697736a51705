"""Retention of what Trygg keeps about people for its own operation (docs/privacy.md §6):
login records hold a user name, an address and a browser; they are kept long enough to see
an attack, then purged by the nightly housekeeping."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.utils import timezone


def purge_login_records(now: dt.datetime | None = None) -> int:
    """Delete login records (successful logins, failed attempts) older than
    ``LOGIN_RECORDS_RETENTION_DAYS``; how many went. The audit log keeps its own LOGIN
    entries (append-only)."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.LOGIN_RECORDS_RETENTION_DAYS)
    removed = 0
    for model in (AccessLog, AccessAttempt, AccessFailureLog):
        removed += model.objects.filter(attempt_time__lt=limit).delete()[0]
    return removed

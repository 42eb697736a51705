"""Rate limiting that needs no extra server: fixed-window counters in the database.

``hit(scope, identity, limit, per_seconds)`` counts one request and says whether it is
within the limit. The counter is bumped with one atomic upsert (``INSERT … ON CONFLICT …
DO UPDATE … RETURNING``, on both SQLite and PostgreSQL), so concurrent workers and
processes share it. What is stored is a keyed hash of the identity (an IP address, an
API key id), not the identity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from trygg.core.models import RateCounter


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


def _key(scope: str, identity: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{scope}:{identity}".encode(), hashlib.sha256
    ).hexdigest()


def hit(scope: str, identity: str, limit: int, per_seconds: int = 60) -> Verdict:
    now = timezone.now()
    epoch = int(now.timestamp())
    start_epoch = epoch - epoch % per_seconds
    window_start = dt.datetime.fromtimestamp(start_epoch, tz=dt.UTC)
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    # Only the table name is interpolated (Django's own, quoted); values are parameters.
    sql = (
        f"INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1 "
        "RETURNING count"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [_key(scope, identity), window_start])
        count = cursor.fetchone()[0]
    return Verdict(
        allowed=count <= limit,
        count=count,
        limit=limit,
        retry_after=start_epoch + per_seconds - epoch,
    )


def purge(older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete counters of windows long past (run by the daily housekeeping job)."""
    deleted, _ = RateCounter.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted

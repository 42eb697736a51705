"""The weekly picture: who reports how often (reporting statistics per organisation)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count
from django.utils import timezone

from trygg.core.permissions import Principal
from trygg.est.models import (
    Observation,
)

# --- Engagement ---------------------------------------------------------------------


def reporting_stats(principal: Principal, months: int = 6):
    """Reports per organisation and month, the last ``months`` months."""
    since = timezone.localdate().replace(day=1) - dt.timedelta(days=31 * (months - 1))
    since = since.replace(day=1)
    rows = (
        Observation.objects.filter(
            municipality=principal.municipality, occurred_at__date__gte=since
        )
        .values("owner_organisation__name", "occurred_at__year", "occurred_at__month")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        table[r["owner_organisation__name"]][(r["occurred_at__year"], r["occurred_at__month"])] += (
            r["n"]
        )
    columns = []
    d = since
    while d <= timezone.localdate():
        columns.append((d.year, d.month))
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return columns, sorted(
        (
            (org, [counts.get(c, 0) for c in columns], sum(counts.values()))
            for org, counts in table.items()
        ),
        key=lambda r: -r[2],
    )

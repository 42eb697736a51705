"""Cases: the follow-up dashboard (open and overdue per organisation, days to fix)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language

from trygg.cases.mailing import (  # noqa: F401 - part of the services' interface
    erase_expired_emails,
    overdue_by_organisation,
    responsible_addresses,
)
from trygg.cases.models import (
    OPEN_STATES,
    Case,
    Moderation,
    Origin,
    State,
)
from trygg.core.models import Municipality
from trygg.core.permissions import Principal

# --- The case dashboard -------------------------------------------------------------


def _median_days(durations: list[float]) -> float | None:
    return round(statistics.median(durations), 1) if durations else None


def dashboard(
    municipality: Municipality, principal: Principal, today: dt.date | None = None
) -> dict:
    """Open and overdue per organisation, median days to fix per category and
    organisation, fixed this month, walk findings by status."""
    today = today or timezone.localdate()
    cases = Case.objects.visible_to(principal).filter(municipality=municipality)
    per_org = (
        cases.filter(state__in=OPEN_STATES)
        .values("owner_organisation__name")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(deadline__lt=today)),
        )
        .order_by("-open", "owner_organisation__name")
    )
    fixed = list(
        cases.filter(state=State.FIXED, closed_at__isnull=False).values_list(
            "category__name",
            "category__name_en",
            "owner_organisation__name",
            "created_at",
            "closed_at",
        )
    )
    by_category: dict[str, list[float]] = defaultdict(list)
    by_org: dict[str, list[float]] = defaultdict(list)
    for cat_sv, cat_en, org, created, closed in fixed:
        days = (closed - created).total_seconds() / 86400
        label = cat_en if cat_en and (get_language() or "sv").startswith("en") else cat_sv
        by_category[label].append(days)
        by_org[org].append(days)
    walk_states = dict(
        cases.filter(origin=Origin.WALK).values_list("state").annotate(n=Count("id")).order_by()
    )
    month_start = today.replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(month_start, dt.time()))
    return {
        "per_organisation": list(per_org),
        "open_total": sum(r["open"] for r in per_org),
        "overdue_total": sum(r["overdue"] for r in per_org),
        "fixed_this_month": cases.filter(state=State.FIXED, closed_at__gte=start).count(),
        "median_by_category": sorted(
            (
                {"label": k, "median_days": _median_days(v), "n": len(v)}
                for k, v in by_category.items()
            ),
            key=lambda r: r["label"],
        ),
        "median_by_organisation": sorted(
            ({"label": k, "median_days": _median_days(v), "n": len(v)} for k, v in by_org.items()),
            key=lambda r: r["label"],
        ),
        "walk_findings": [
            {"state": State(s).label, "n": walk_states[s]} for s in State.values if s in walk_states
        ],
        "walk_findings_total": sum(walk_states.values()),
        "moderation_pending": cases.filter(moderation=Moderation.PENDING)
        .exclude(state=State.HIDDEN)
        .count(),
    }

"""The cases app's section of the lägesbild document (trygg.assessment.sections)."""

from __future__ import annotations

import statistics

from django.utils.translation import gettext as _

from trygg.assessment.sections import SectionRequest
from trygg.cases.models import Case, Origin, State
from trygg.core import disclosure


def fixed_places_table(request: SectionRequest) -> dict | None:
    """Places reported to be fixed (residents, safety walks, partners) per category:
    reported in the period, of which from safety walks, fixed, median days to fix."""
    cases = (
        Case.objects.visible_to(request.reader)
        .filter(created_at__date__gte=request.date_from, created_at__date__lte=request.date_to)
        .exclude(state=State.HIDDEN)
    )
    rows: dict[str, list] = {}
    for name, origin, state, created, closed in cases.values_list(
        "category__name", "origin", "state", "created_at", "closed_at"
    ):
        row = rows.setdefault(name, [0, 0, 0, []])
        row[0] += 1
        row[1] += origin == Origin.WALK
        if state == State.FIXED and closed:
            row[2] += 1
            row[3].append((closed - created).total_seconds() / 86400)
    if not rows:
        return None
    public = request.public

    def median_days(days: list[float]) -> str:
        if not days or (public and disclosure.is_suppressed(len(days))):
            return "–"
        return f"{statistics.median(days):.0f}"

    return {
        "header": [
            _("Category"),
            _("Reported"),
            _("From safety walks"),
            _("Fixed"),
            _("Median days to fix"),
        ],
        "rows": [
            [
                name,
                disclosure.printed(r[0], public),
                disclosure.printed(r[1], public),
                disclosure.printed(r[2], public),
                median_days(r[3]),
            ]
            for name, r in sorted(rows.items())
        ],
    }

"""The weekly picture's section of the lägesbild document (trygg.assessment.sections)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from trygg.assessment.sections import SectionRequest
from trygg.est.models import Observation, Status


def partner_observations_table(request: SectionRequest) -> dict | None:
    """The partners' reviewed weekly observations per area and category group — in the
    partners' version only (observations are not public records)."""
    if request.public:
        return None
    counts: dict[tuple[str, str], int] = {}
    for area, group, name in (
        Observation.objects.visible_to(request.reader)
        .filter(
            occurred_at__date__gte=request.date_from,
            occurred_at__date__lte=request.date_to,
            status__in=[Status.INFO, Status.ACTION],
        )
        .values_list("area__name", "category__parent__name", "category__name")
    ):
        key = (area or "–", group or name)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return None
    return {
        "header": [_("Area"), _("What"), _("Reports")],
        "rows": [[a, g, n] for (a, g), n in sorted(counts.items())],
    }

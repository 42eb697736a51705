"""The weekly picture: the tertial analysis — trends, focus weeks, actions and the ranking
of areas the coordinator adjusts with a justification."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trygg.analysis import trends
from trygg.assessment import comparison
from trygg.core.models import Area
from trygg.core.pdguard import validate_no_personal_data
from trygg.core.permissions import Permission, Principal
from trygg.core.services.populations import populations_in
from trygg.est.models import (
    Action,
    ActionStatus,
    TertialAnalysis,
    WeeklyMeeting,
)
from trygg.est.services.picture import _comparable, _observations_since, _week_counts
from trygg.est.weeks import Week, tertial_range
from trygg.incidents import coverage

# --- Tertial analysis ---------------------------------------------------------------


@dataclass
class TertialBasis:
    """What the tertial's trends rest on: the whole weeks so far (a week not over is not
    in a trend), and what reported in all of them."""

    weeks: list[Week]
    complete: list[Week]
    sources: coverage.Comparable | None
    with_observations: bool

    @property
    def partial(self) -> bool:
        return len(self.complete) < len(self.weeks)

    @property
    def note(self) -> str:
        parts = []
        if self.partial:
            parts.append(
                ngettext(
                    "The tertial is not over: the trend rests on the %(n)s whole week so far.",
                    "The tertial is not over: the trends rest on the %(n)s whole weeks so far.",
                    len(self.complete),
                )
                % {"n": len(self.complete)}
            )
        if self.sources is not None:
            excluded = comparison.exclusion_note(self.sources, _("the weeks of the trend"))
            if excluded:
                parts.append(excluded)
        if not self.with_observations:
            parts.append(
                _(
                    "The partners' observations are not in the trends: they were not reported "
                    "in every week."
                )
            )
        return " ".join(parts)


def tertial_basis(principal: Principal, year: int, number: int) -> TertialBasis:
    start, end = tertial_range(year, number)
    weeks = []
    w = Week.of(start)
    while w.start <= end:
        weeks.append(w)
        w = w.shift(1)
    complete = [w for w in weeks if not comparison.is_partial(w.end)]
    if not complete:
        return TertialBasis(weeks, complete, None, True)
    municipality = principal.municipality
    sources, with_observations = _comparable(
        municipality, complete, _observations_since(municipality)
    )
    return TertialBasis(weeks, complete, sources, with_observations)


def tertial(principal: Principal, year: int, number: int) -> list[dict]:
    """Per area: counts over the tertial, the weekly trend (Mann–Kendall, over its whole
    weeks and from what reported in all of them), weeks with a hotspot, actions decided
    and done, and a computed rank (highest need first)."""
    municipality = principal.municipality
    start, end = tertial_range(year, number)
    basis = tertial_basis(principal, year, number)
    areas = list(Area.objects.filter(municipality=municipality, kind="district").order_by("name"))
    totals: Counter = Counter()
    for week in basis.weeks:
        obs, inc, _c = _week_counts(principal, week)
        for a in areas:
            totals[a.pk] += obs.get(a.pk, 0) + inc.get(a.pk, 0)
    per_week: dict[int, list[int]] = {a.pk: [] for a in areas}
    if basis.sources is not None and (basis.sources.possible or basis.with_observations):
        for week in basis.complete:
            obs, inc, _c = _week_counts(
                principal, week, basis.sources.source_ids, basis.with_observations
            )
            for a in areas:
                per_week[a.pk].append(obs.get(a.pk, 0) + inc.get(a.pk, 0))
    actions = Counter()
    done = Counter()
    for area_id, status in Action.objects.filter(
        meeting__municipality=municipality, due__range=(start, end)
    ).values_list("area_id", "status"):
        actions[area_id] += 1
        done[area_id] += status == ActionStatus.DONE
    focus = Counter(
        WeeklyMeeting.objects.filter(municipality=municipality)
        .filter(focus__area__isnull=False, held_on__range=(start, end))
        .values_list("focus__area_id", flat=True)
    )
    populations, _total = populations_in(municipality, end.year)
    rows = []
    for a in areas:
        series = per_week[a.pk]
        mk = trends.mann_kendall(series) if len(series) >= 4 and any(series) else None
        total = totals[a.pk]
        population = populations.get(a.pk)
        per_1000 = round(1000 * total / population, 1) if population else None
        rows.append(
            {
                "area": a.pk,
                "name": a.name,
                "total": total,
                "per_1000": per_1000,
                "trend": mk.trend if mk else "no trend",
                "slope": round(mk.slope, 2) if mk else 0.0,
                "focus_weeks": focus.get(a.pk, 0),
                "actions": actions.get(a.pk, 0),
                "actions_done": done.get(a.pk, 0),
                "series": series,
            }
        )
    # Score: rate (or count) ranked, plus a step for a rising trend and for persistence.
    basis = [r["per_1000"] if r["per_1000"] is not None else r["total"] for r in rows]
    order = np.argsort(np.argsort(-np.array(basis, dtype=float), kind="stable"), kind="stable")
    for r, rank_by_level in zip(rows, order, strict=True):
        r["score"] = round(
            (len(rows) - rank_by_level) + (1.5 if r["trend"] == "increasing" else 0)
            - (1 if r["trend"] == "decreasing" else 0) + 0.5 * r["focus_weeks"], 2
        )  # fmt: skip
    rows.sort(key=lambda r: (-r["score"], r["name"]))
    for k, r in enumerate(rows, start=1):
        r["computed_rank"] = k
    return rows


@transaction.atomic
def save_tertial(
    principal: Principal,
    year: int,
    number: int,
    ranks: dict[int, tuple[int, str]],
    summary: str = "",
):
    """Store the ranking, with the coordinator's adjustments; a change of rank needs a
    justification."""
    if not principal.has(Permission.WRITE_TERTIAL_ANALYSIS):
        raise PermissionDenied
    rows = tertial(principal, year, number)
    errors = {}
    for r in rows:
        rank, why = ranks.get(r["area"], (r["computed_rank"], ""))
        validate_no_personal_data(why)
        if rank != r["computed_rank"] and not why.strip():
            errors[str(r["area"])] = _("Justify the change of rank for %(area)s.") % {
                "area": r["name"]
            }
        r["rank"], r["justification"] = rank, why.strip()
        r.pop("series")
    if errors:
        raise ValidationError(errors)
    validate_no_personal_data(summary)
    rows.sort(key=lambda r: (r["rank"], r["name"]))
    obj, _created = TertialAnalysis.objects.update_or_create(
        municipality=principal.municipality, year=year, tertial=number,
        defaults={"ranking": rows, "summary": summary, "updated_by": principal.user},
    )  # fmt: skip
    return obj

"""The rules of the action plan: who may change a measure, indicators that compute
themselves, decided versions that freeze, measure effects from the analysis engine,
the activity register's import and summaries, and the public transparency data."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.analysis import evaluation
from trygg.assessment import comparison
from trygg.assessment import services as assessment
from trygg.assessment.filters import IncidentFilter
from trygg.cases.models import Case, State
from trygg.core import disclosure, formats, records
from trygg.core.dates import add_months
from trygg.core.models import Area, Municipality
from trygg.core.permissions import (
    Permission,
    Principal,
    can_edit_with_partners,
    editable_with_partners,
)
from trygg.core.roles import Sensitivity
from trygg.incidents import coverage
from trygg.plan.models import (
    ActionPlan,
    Activity,
    Decision,
    Direction,
    Indicator,
    IndicatorKind,
    Measure,
    Measurement,
    PlanVersion,
)
from trygg.surveys.services import indicator_value

# --- Permissions --------------------------------------------------------------------


def can_edit_measure(principal: Principal, measure: Measure) -> bool:
    """Whoever may manage the plan edits every measure; other members those their
    organisation owns or is a partner in; read-only members none (core's rule)."""
    return can_edit_with_partners(principal, measure, Permission.MANAGE_PLAN)


def editable_measures(principal: Principal):
    return editable_with_partners(
        Measure.objects.visible_to(principal), principal, Permission.MANAGE_PLAN
    )


def require_edit(principal: Principal, measure: Measure) -> None:
    if not can_edit_measure(principal, measure):
        raise PermissionDenied


# --- Indicators ---------------------------------------------------------------------


def _ids(values) -> tuple[int, ...]:
    return tuple(int(v) for v in values or ())


def _incident_sources(indicator: Indicator, spans: list[tuple[dt.date, dt.date]]):
    """The incident sources that cover every one of ``spans`` (the indicator's baseline
    and measurement periods): counting a source that joined later would read as a rise."""
    return coverage.comparable(indicator.measure.municipality_id, spans)


def _spans(indicator: Indicator, until: dt.date | None = None) -> list[tuple[dt.date, dt.date]]:
    """The indicator's complete measurement periods and its baseline period: what its
    values are compared across."""
    last = comparison.last_complete_day()
    all_periods = periods(indicator, until)
    spans = [(a, b) for a, b in all_periods if b <= last]
    if indicator.baseline_from and indicator.baseline_to and indicator.baseline_to <= last:
        spans.append((indicator.baseline_from, indicator.baseline_to))
    if not spans and all_periods and all_periods[0][0] <= last:
        # Only a running period: what has passed of it.
        spans.append((all_periods[0][0], min(all_periods[0][1], last)))
    return spans


def compute(
    indicator: Indicator, start: dt.date, end: dt.date, sources: tuple[int, ...] | None = None
) -> float | None:
    """The indicator's value for the period [start, end] from Trygg's own data; None
    when it cannot be computed (manual, or no data). Incident counts come from
    ``sources`` (default: those covering all the indicator's periods)."""
    municipality = indicator.measure.municipality
    d = indicator.definition or {}
    if indicator.kind == IndicatorKind.INCIDENTS:
        if sources is None:
            covering = _incident_sources(indicator, _spans(indicator) or [(start, end)])
            if not covering.possible:
                return None
            sources = covering.source_ids
        f = IncidentFilter(
            municipality_id=municipality.pk,
            date_from=start,
            date_to=end,
            areas=_ids(d.get("areas")),
            categories=tuple(d.get("categories") or ()),
            sources=sources,
        )
        return float(sum(assessment.summary_counts(f, "category").values()))
    if indicator.kind == IndicatorKind.SURVEY:
        area = Area.objects.filter(pk=d["area"]).first() if d.get("area") else None
        return indicator_value(municipality, d["question_set"], d["question"], end.year, area)
    if indicator.kind == IndicatorKind.ACTIVITIES:
        qs = Activity.objects.filter(
            municipality=municipality, start_date__gte=start, start_date__lte=end
        )
        if d.get("type"):
            qs = qs.filter(type=d["type"])
        if d.get("areas"):
            qs = qs.filter(area_id__in=_ids(d["areas"]))
        if d.get("what") == "count":
            return float(qs.count())
        return float(qs.aggregate(n=Sum("participants"))["n"] or 0)
    if indicator.kind == IndicatorKind.CASE_FIX_TIME:
        qs = Case.objects.filter(
            municipality=municipality,
            state=State.FIXED,
            closed_at__date__gte=start,
            closed_at__date__lte=end,
        )
        if d.get("categories"):
            qs = qs.filter(category__code__in=d["categories"])
        days = [
            (c - o).total_seconds() / 86400 for o, c in qs.values_list("created_at", "closed_at")
        ]
        return round(statistics.median(days), 1) if days else None
    return None


def periods(indicator: Indicator, until: dt.date | None = None) -> list[tuple[dt.date, dt.date]]:
    """The indicator's measurement periods: every ``period_months`` from the measure's
    start, up to ``until`` (today) — the last one may be running."""
    until = until or timezone.localdate()
    out = []
    start = indicator.measure.start
    while start <= min(until, indicator.measure.end):
        end = add_months(start, indicator.period_months) - dt.timedelta(days=1)
        out.append((start, min(end, indicator.measure.end)))
        start = end + dt.timedelta(days=1)
    return out


def no_values_reason(indicator: Indicator, today: dt.date | None = None) -> str:
    """Why an indicator has no value yet ('' when it has one): the first period has not
    begun, nothing has been entered, no source covers it, or no data."""
    today = today or timezone.localdate()
    if any(m.value is not None for m in indicator.measurements.all()):
        return ""
    if indicator.measure.start > today:
        return _("The first measurement period begins %(date)s.") % {
            "date": formats.date(indicator.measure.start)
        }
    if indicator.kind == IndicatorKind.MANUAL:
        return _("Values are entered by hand: none has been entered yet.")
    if (
        indicator.kind == IndicatorKind.INCIDENTS
        and not _incident_sources(indicator, _spans(indicator, today)).possible
    ):
        return _("No incident source covers the indicator's periods.")
    if indicator.kind == IndicatorKind.SURVEY:
        return _(
            "No survey result for the question in the measurement years (or fewer than 30 answers)."
        )
    return _("There are no data for the measurement periods yet.")


@dataclass
class RefreshResult:
    """What a recomputation did, in words a coordinator can check."""

    changes: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def summary(self) -> str:
        if self.changes:
            return "; ".join(self.changes)
        return self.reason or _("Nothing changed: the values already agree with the data.")


_value_text = formats.figure


@transaction.atomic
def refresh(indicator: Indicator, until: dt.date | None = None) -> RefreshResult:
    """Compute and store the measurements of an indicator linked to data (manual ones
    are left as entered), and its baseline from its baseline period once that has passed
    — all from the same sources, the ones covering every period compared. Says what
    changed, or why there is nothing."""
    result = RefreshResult()
    if indicator.kind == IndicatorKind.MANUAL:
        result.reason = no_values_reason(indicator)
        return result
    sources = None
    if indicator.kind == IndicatorKind.INCIDENTS:
        covering = _incident_sources(
            indicator, _spans(indicator, until) or periods(indicator, until)
        )
        sources = covering.source_ids if covering.possible else None
    last = comparison.last_complete_day()
    existing = {m.period_end: m for m in indicator.measurements.all()}
    for start, end in periods(indicator, until):
        value = (
            None
            if indicator.kind == IndicatorKind.INCIDENTS and sources is None
            else compute(indicator, start, end, sources)
        )
        old = existing.get(end)
        if old is not None and not old.computed:
            continue  # entered by hand: kept
        if old is None or old.value != value or old.period_start != start:
            Measurement.objects.update_or_create(
                indicator=indicator,
                period_end=end,
                defaults={"period_start": start, "value": value, "computed": True},
            )
            if (old.value if old else None) != value:
                result.changes.append(
                    _("%(period)s: %(old)s → %(new)s")
                    % {
                        "period": formats.span(start, end),
                        "old": _value_text(old.value if old else None),
                        "new": _value_text(value),
                    }
                )
    if (
        indicator.baseline_from
        and indicator.baseline_to
        and indicator.baseline_to <= last
        and (indicator.baseline is None or indicator.baseline_computed)
    ):
        baseline = compute(indicator, indicator.baseline_from, indicator.baseline_to, sources)
        if baseline is not None and baseline != indicator.baseline:
            result.changes.append(
                _("baseline %(period)s: %(old)s → %(new)s")
                % {
                    "period": formats.span(indicator.baseline_from, indicator.baseline_to),
                    "old": _value_text(indicator.baseline),
                    "new": _value_text(baseline),
                }
            )
            indicator.baseline = baseline
            indicator.baseline_computed = True
            records.write(indicator)
    if not result.changes:
        result.reason = no_values_reason(indicator)
    return result


def record_manual(
    indicator: Indicator, principal: Principal, start: dt.date, end: dt.date, value: float, note=""
) -> Measurement:
    require_edit(principal, indicator.measure)
    if end < start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    m, _created = Measurement.objects.update_or_create(
        indicator=indicator,
        period_end=end,
        defaults={"period_start": start, "value": value, "computed": False, "note": note},
    )
    return m


def latest_value(indicator: Indicator, today: dt.date | None = None) -> float | None:
    """The value of the latest period that has ended; the running one if none has."""
    today = today or timezone.localdate()
    values = [m for m in indicator.measurements.all() if m.value is not None]
    ended = [m for m in values if m.period_end < today]
    pick = (ended or values)[-1:]
    return pick[0].value if pick else None


@dataclass(frozen=True)
class Progress:
    latest: float | None
    percent: float | None  # share of the way from baseline to target, 0–100 (clipped)
    reached: bool


def progress(indicator: Indicator, latest: float | None = None) -> Progress:
    if latest is None:
        latest = latest_value(indicator)
    if latest is None or indicator.baseline is None:
        return Progress(latest, None, False)
    span = indicator.target - indicator.baseline
    if span == 0:
        return Progress(latest, 100.0, True)
    share = (latest - indicator.baseline) / span
    better = latest <= indicator.target if indicator.direction == Direction.DECREASE else (
        latest >= indicator.target
    )  # fmt: skip
    return Progress(latest, round(100 * min(1.0, max(0.0, share)), 0), better)


# --- Decided versions ---------------------------------------------------------------


def snapshot(plan: ActionPlan) -> dict:
    """The plan as decided: every measure with its indicators, in plain values."""
    measures = (
        plan.measures.select_related("owner_organisation", "problem", "cause")
        .prefetch_related("partners", "indicators", "target_areas")
        .order_by("order", "id")
    )
    return {
        "title": plan.title,
        "period": [plan.period_start.isoformat(), plan.period_end.isoformat()],
        "measures": [
            {
                "id": m.pk,
                "title": m.title,
                "problem": m.problem.title if m.problem else "",
                "cause": m.cause.description if m.cause else "",
                "description": m.description,
                "goal": m.goal,
                "start": m.start.isoformat(),
                "end": m.end.isoformat(),
                "responsible": m.owner_organisation.name,
                "partners": sorted(p.name for p in m.partners.all()),
                "follow_up": m.follow_up,
                "status": m.status,
                "sensitivity": m.sensitivity,
                "areas": sorted(a.name for a in m.target_areas.all()),
                "indicators": [
                    {
                        "name": i.name,
                        "kind": i.kind,
                        "baseline": i.baseline,
                        "target": i.target,
                        "direction": i.direction,
                        "unit": i.unit,
                    }
                    for i in m.indicators.all()
                ],
            }
            for m in measures
        ],
    }


@transaction.atomic
def decide(
    plan: ActionPlan, principal: Principal, *, decided_by: str, decided_on: dt.date, minute_ref=""
) -> PlanVersion:
    """Freeze the plan as it is now as the next decided version."""
    if (
        not principal.has(Permission.DECIDE_PLAN)
        or plan.municipality_id != principal.municipality.pk
    ):
        raise PermissionDenied
    if not decided_by.strip():
        raise ValidationError({"decided_by": _("Say which body decided the plan.")})
    last = plan.versions.order_by("-number").first()
    version = PlanVersion(
        plan=plan,
        number=(last.number + 1) if last else 1,
        decided_by=decided_by.strip(),
        decided_on=decided_on,
        minute_ref=minute_ref.strip(),
        snapshot=snapshot(plan),
        created_by=principal.user,
    )
    version.full_clean(exclude=["snapshot"])
    version.save()
    return version


def frozen_measures(version: PlanVersion | dict | None, principal: Principal | None) -> list[dict]:
    """The measures of a decided version (or of a snapshot) as frozen, only those the
    reader may see: the public (``principal`` None) a measure that is public now; a member
    one visible to them now or — if removed since — one that was not restricted."""
    if version is None:
        return []
    snap = version.snapshot if isinstance(version, PlanVersion) else version
    measures = snap.get("measures", [])
    ids = [m["id"] for m in measures]
    existing = Measure.objects.filter(pk__in=ids)
    readable = (
        existing.filter(sensitivity=Sensitivity.PUBLIC)
        if principal is None
        else Measure.objects.visible_to(principal).filter(pk__in=ids)
    )
    visible_now = set(readable.values_list("pk", flat=True))
    still_there = set(existing.values_list("pk", flat=True))
    out = []
    for m in measures:
        if m["id"] in still_there:
            if m["id"] in visible_now:
                out.append(m)
        elif (
            principal is not None
            and principal.is_member
            and (m.get("sensitivity", Sensitivity.PARTNERS) != Sensitivity.RESTRICTED)
        ):
            out.append(m)
    return out


MEASURE_FIELDS = ["title", "problem", "cause", "description", "goal", "start", "end",
                  "responsible", "partners", "follow_up", "areas", "indicators"]  # fmt: skip


def diff(old: dict | None, new: dict) -> dict:
    """What changed between two snapshots: measures added, removed, and changed (with
    the fields that changed). Status is follow-up, not a change of the plan."""
    before = {m["id"]: m for m in (old or {}).get("measures", [])}
    after = {m["id"]: m for m in new.get("measures", [])}
    changed = []
    for mid in after.keys() & before.keys():
        fields = [f for f in MEASURE_FIELDS if before[mid].get(f) != after[mid].get(f)]
        if fields:
            changed.append({"title": after[mid]["title"], "fields": fields})
    return {
        "added": [after[m]["title"] for m in after.keys() - before.keys()],
        "removed": [before[m]["title"] for m in before.keys() - after.keys()],
        "changed": sorted(changed, key=lambda c: c["title"]),
    }


def visible_diff(
    old: PlanVersion | dict | None, new: PlanVersion | dict, principal: Principal | None
) -> dict:
    """``diff`` of two snapshots as far as the reader may see their measures."""
    return diff(
        {"measures": frozen_measures(old, principal)},
        {"measures": frozen_measures(new, principal)},
    )


def pending_changes(plan: ActionPlan, principal: Principal | None) -> dict | None:
    """What changed since the last decided version, as far as the reader may see."""
    last = plan.versions.order_by("-number").first()
    return visible_diff(last, snapshot(plan), principal) if last else None


# --- Effect -------------------------------------------------------------------------


@dataclass
class Effect:
    percent: float
    ci_low: float
    ci_high: float
    p: float
    weeks_before: int
    weeks_after: int
    target_before: int
    target_after: int
    comparison_before: int
    comparison_after: int
    wdq: float | None
    wdq_text: str
    reading: str
    note: str = ""  # the sources left out: they do not cover both before and after


def _weekly(
    municipality: Municipality,
    areas,
    categories,
    start: dt.date,
    weeks: int,
    sources: tuple[int, ...] = (),
) -> list[int]:
    f = IncidentFilter(
        municipality_id=municipality.pk,
        date_from=start,
        date_to=start + dt.timedelta(days=7 * weeks - 1),
        areas=tuple(areas),
        categories=tuple(categories),
        sources=sources,
    )
    per_day = assessment.summary_counts(f, "day")
    out = [0] * weeks
    for (day,), n in per_day.items():
        out[(day - start).days // 7] += n
    return out


def _neighbours(areas: list[Area], municipality: Municipality, exclude: set[int]) -> list[int]:
    from shapely.geometry import shape

    shapes = [shape(a.geometry) for a in areas]
    found = []
    for other in Area.objects.filter(municipality=municipality, kind=areas[0].kind).exclude(
        pk__in=exclude
    ):
        g = shape(other.geometry)
        if any(s.buffer(0.002).intersects(g) for s in shapes):
            found.append(other.pk)
    return found


def effect(measure: Measure, today: dt.date | None = None) -> Effect | None:
    """Before/after against the comparison area (difference in differences on weekly
    counts, equally many weeks before as after the measure started), with a check for
    displacement into the neighbouring areas (weighted displacement quotient). None when
    the measure has no target area, comparison area, categories or time after its start."""
    today = today or timezone.localdate()
    targets = list(measure.target_areas.all())
    if not targets or measure.comparison_area_id is None or not measure.effect_categories:
        return None
    weeks = min((min(today, measure.end) - measure.start).days // 7, 52)
    if weeks < 4:
        return None
    municipality = measure.municipality
    cats = measure.effect_categories
    before_start = measure.start - dt.timedelta(days=7 * weeks)
    # Like with like: only the sources that reported both before and after the start.
    covering = coverage.comparable(
        municipality.pk,
        [
            (before_start, measure.start - dt.timedelta(days=1)),
            (measure.start, measure.start + dt.timedelta(days=7 * weeks - 1)),
        ],
    )
    if not covering.possible:
        return None
    src = covering.source_ids
    t_ids = [a.pk for a in targets]
    c_ids = [measure.comparison_area_id]
    tb = _weekly(municipality, t_ids, cats, before_start, weeks, src)
    ta = _weekly(municipality, t_ids, cats, measure.start, weeks, src)
    cb = _weekly(municipality, c_ids, cats, before_start, weeks, src)
    ca = _weekly(municipality, c_ids, cats, measure.start, weeks, src)
    try:
        did = evaluation.difference_in_differences(tb, ta, cb, ca)
    except ValueError:
        return None
    buffer_ids = _neighbours(targets, municipality, set(t_ids) | set(c_ids))
    wdq, wdq_text = None, ""
    if buffer_ids:
        db = sum(_weekly(municipality, buffer_ids, cats, before_start, weeks, src))
        da = sum(_weekly(municipality, buffer_ids, cats, measure.start, weeks, src))
        try:
            w = evaluation.weighted_displacement_quotient(
                sum(ta), sum(tb), da, db, sum(ca), sum(cb)
            )
            wdq, wdq_text = w.wdq, _displacement_text(w)
        except ValueError:
            wdq_text = ""
    return Effect(
        percent=round(did.percent_change, 1),
        ci_low=round(100 * (did.ci_low - 1), 1),
        ci_high=round(100 * (did.ci_high - 1), 1),
        p=did.p,
        weeks_before=weeks,
        weeks_after=weeks,
        target_before=int(sum(tb)),
        target_after=int(sum(ta)),
        comparison_before=int(sum(cb)),
        comparison_after=int(sum(ca)),
        wdq=wdq,
        wdq_text=wdq_text,
        reading=_reading(did, measure),
        note=comparison.exclusion_note(covering, _("before and after the start")),
    )


def _displacement_text(w) -> str:
    if w.wdq is None:
        return _("No improvement in the target area, so displacement was not assessed.")
    if w.wdq > 0:
        return _("No sign of displacement: the neighbouring areas improved as well.")
    if w.wdq < -1:
        return _("Displacement larger than the effect: the problem seems to have moved.")
    if w.wdq < 0:
        return _("Some displacement into the neighbouring areas, smaller than the effect.")
    return _("No change in the neighbouring areas.")


def _reading(did, measure: Measure) -> str:
    pct = formats.number(abs(round(did.percent_change)))
    low = formats.number(round(100 * (did.ci_low - 1)))
    high = formats.number(round(100 * (did.ci_high - 1)))
    comparison = measure.comparison_area.name
    if did.p >= 0.05:
        return _(
            "No clear effect: compared with %(area)s the change is %(pct)s %% (95 %% "
            "interval %(low)s to %(high)s %%), which may be chance."
        ) % {
            "area": comparison,
            "pct": formats.number(round(did.percent_change), signed=True),
            "low": low,
            "high": high,
        }
    if did.rate_ratio < 1:
        return _(
            "About %(pct)s %% fewer incidents than expected from %(area)s's development "
            "(95 %% interval %(low)s to %(high)s %%): the measure may be working."
        ) % {"pct": pct, "area": comparison, "low": low, "high": high}
    return _(
        "About %(pct)s %% more incidents than expected from %(area)s's development "
        "(95 %% interval %(low)s to %(high)s %%)."
    ) % {"pct": pct, "area": comparison, "low": low, "high": high}


# --- Activities ---------------------------------------------------------------------


def activity_summary(municipality: Municipality, year: int, principal: Principal | None = None):
    """Per type: activities, participants, by district — e.g. "summer jobs 2026: 478
    young people, by district"."""
    qs = Activity.objects.filter(municipality=municipality, start_date__year=year)
    if principal is not None:
        qs = Activity.objects.visible_to(principal).filter(start_date__year=year)
    by_type: dict[str, dict] = defaultdict(
        lambda: {"count": 0, "participants": 0, "areas": Counter()}
    )
    for type_, area, n in qs.values_list("type", "area__name", "participants"):
        row = by_type[type_]
        row["count"] += 1
        row["participants"] += n
        row["areas"][area or "–"] += n
    # Plain lists for templates (a Counter answers any key, even "most_common").
    return {t: {**row, "areas": row["areas"].most_common()} for t, row in by_type.items()}


# --- Public transparency ------------------------------------------------------------


def suppress(n: int | float | None) -> str:
    """A count for a public output: below the threshold shown as "<5"."""
    if n is None:
        return "–"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:.1f}".replace(".", ",")
    n = int(n)
    return (
        f"<{disclosure.threshold()}" if disclosure.is_suppressed(n) else f"{n:n}".replace(",", " ")
    )


# --- Forum decisions made into cases (registered with cases.origins) ---------------


def decision_case_text(principal: Principal, pk: int) -> str | None:
    """What a case made from a forum decision starts with; None: no such decision here."""
    decision = Decision.objects.filter(pk=pk, meeting__municipality=principal.municipality).first()
    return decision.text if decision is not None else None


def link_decision_case(principal: Principal, pk: int, case) -> None:
    """The decision records the case made from it."""
    decision = Decision.objects.get(pk=pk, meeting__municipality_id=case.municipality_id)
    decision.case = case
    decision.save(update_fields=["case"])

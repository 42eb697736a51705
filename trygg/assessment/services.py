"""The lägesbild's numbers: counts by period, category and area, changes, rates, the
hour × weekday profile, map data and field-worker observations — for the dashboard, the
API and the exports.

Aggregates read the daily summary table (``DailyCount``: public and partner incidents that
count in statistics) and add the restricted incidents the principal may read, counted live
from the incidents. So every member sees exactly what their organisation may see, and the
numbers stay fast at millions of incidents.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from trygg.analysis import trends
from trygg.assessment import comparison
from trygg.assessment.filters import IncidentFilter, shift_year
from trygg.core.models import Area, Sensitivity
from trygg.core.permissions import Permission, Principal
from trygg.core.services.populations import populations_in
from trygg.incidents import coverage
from trygg.incidents.models import (
    DailyCount,
    FieldReport,
    Incident,
    Observation,
    PositionPrecision,
    Source,
)
from trygg.incidents.taxonomy import Category

GRANULARITIES = ("day", "week", "month")


def granularity_for(f: IncidentFilter) -> str:
    if f.days <= 45:
        return "day"
    if f.days <= 200:
        return "week"
    return "month"


def period_key(day: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _filtered(qs, f: IncidentFilter, date_field: str):
    """``qs`` (incidents or daily counts) narrowed to the filter."""
    qs = qs.filter(
        municipality_id=f.municipality_id,
        **{f"{date_field}__gte": f.date_from, f"{date_field}__lte": f.date_to},
    )
    if f.categories:
        qs = qs.filter(category__in=f.categories)
    if f.areas:
        qs = qs.filter(area_id__in=f.areas)
    if f.sources:
        qs = qs.filter(source_id__in=f.sources)
    return qs


def _daily(f: IncidentFilter):
    return _filtered(DailyCount.objects.all(), f, "day")


def incidents(principal: Principal, f: IncidentFilter):
    """The incidents of the filter that ``principal`` may read (restricted reads are
    audited when evaluated)."""
    return _filtered(Incident.objects.visible_to(principal), f, "occurred_date")


def _restricted(principal: Principal, f: IncidentFilter):
    return incidents(principal, f).filter(
        sensitivity=Sensitivity.RESTRICTED, counts_in_statistics=True
    )


def summary_sensitivities(principal: Principal) -> tuple[str, ...]:
    """The sensitivities of the daily summary ``principal`` reads: the public level for
    a public view, else public and partners (restricted incidents are never in the
    summary; ``counts`` adds the ones a member may read)."""
    if not principal.has(Permission.VIEW):
        return ()
    if principal.public_only:
        return (Sensitivity.PUBLIC,)
    return (Sensitivity.PUBLIC, Sensitivity.PARTNERS)


def summary_counts(f: IncidentFilter, *fields: str, sensitivities=None) -> Counter:
    """Counts grouped by ``fields`` from the daily summary (public and partner incidents;
    only ``sensitivities`` when given, e.g. ("public",) for public documents)."""
    qs = _daily(f)
    if sensitivities is not None:
        qs = qs.filter(sensitivity__in=sensitivities)
    result: Counter = Counter()
    for row in qs.values(*fields).annotate(n=Sum("count")).order_by():
        result[tuple(row[k] for k in fields)] += row["n"]
    return result


def counts(principal: Principal, f: IncidentFilter, *fields: str) -> Counter:
    """Counts grouped by ``fields`` (of day, category, area_id, source_id) of what
    ``principal`` may see: the summary, plus the restricted incidents they may read."""
    if principal.municipality is None or principal.municipality.pk != f.municipality_id:
        return Counter()
    result = summary_counts(f, *fields, sensitivities=summary_sensitivities(principal))
    incident_fields = ["occurred_date" if k == "day" else k for k in fields]
    for row in (
        _restricted(principal, f).values(*incident_fields).annotate(n=Count("id")).order_by()
    ):
        result[tuple(row[k] for k in incident_fields)] += row["n"]
    return result


def total(principal: Principal, f: IncidentFilter) -> int:
    if principal.municipality is None or principal.municipality.pk != f.municipality_id:
        return 0
    daily = (
        _daily(f)
        .filter(sensitivity__in=summary_sensitivities(principal))
        .aggregate(n=Sum("count"))["n"]
        or 0
    )
    return daily + _restricted(principal, f).count()


def bucket(day_counts: Counter, f: IncidentFilter, granularity: str) -> dict[dt.date, int]:
    """Counts keyed by (day,) summed per period start, every period of ``f`` present."""
    buckets: dict[dt.date, int] = {}
    day = f.date_from
    while day <= f.date_to:
        buckets.setdefault(period_key(day, granularity), 0)
        day += dt.timedelta(days=1)
    for (day,), n in day_counts.items():
        buckets[period_key(day, granularity)] += n
    return buckets


def series(principal: Principal, f: IncidentFilter, granularity: str) -> dict[dt.date, int]:
    """Counts per period start (every period of the filter present, zero included)."""
    return bucket(counts(principal, f, "day"), f, granularity)


def period_end(start: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return start + dt.timedelta(days=6)
    if granularity == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start


def partial_periods(f: IncidentFilter, granularity: str, last_complete: dt.date) -> set[dt.date]:
    """The period starts whose week/month/day is not wholly inside the filter's complete
    days: cut by the filter's ends or not yet over. Their counts are not comparable with
    a whole period's."""
    end = min(f.date_to, last_complete)
    out = set()
    day = period_key(f.date_from, granularity)
    while day <= f.date_to:
        if day < f.date_from or period_end(day, granularity) > end:
            out.add(day)
        day = period_end(day, granularity) + dt.timedelta(days=1)
    return out


@dataclass
class SeriesPoint:
    period: dt.date
    count: int | None  # None: suppressed (a public output's "<5")
    last_year: int | None  # None: no comparable figure, or suppressed
    partial: bool = False


def with_last_year(
    now: dict[dt.date, int],
    before: dict[dt.date, int] | None,
    granularity: str,
    partial: set[dt.date] = frozenset(),  # type: ignore[assignment]
) -> list[SeriesPoint]:
    """Each period's count beside the same period's a year earlier (None when there is
    nothing comparable), partial periods marked."""
    return [
        SeriesPoint(
            period,
            n,
            None if before is None else before.get(period_key(shift_year(period), granularity), 0),
            period in partial,
        )
        for period, n in now.items()
    ]


@dataclass
class Change:
    key: str
    label: str
    count: int
    previous: int
    last_year: int

    @property
    def vs_previous(self) -> int:
        return self.count - self.previous

    @property
    def vs_last_year(self) -> int:
        return self.count - self.last_year

    @property
    def reading(self) -> trends.ChangeReading:
        """Against the same period last year, tested (the figure the table flags)."""
        return trends.read_change(self.count, self.last_year)


@dataclass
class ChangeTable:
    """The largest changes per category or area, counted only from the sources that
    cover this period, the previous one and last year's; ``rows`` empty when nothing can
    be compared or the period has not ended."""

    rows: list[Change]
    note: str
    partial: bool
    possible: bool


def changes(principal, f: IncidentFilter, dimension: str, limit: int = 6) -> ChangeTable:
    """This period vs the previous period of the same length and vs the same period last
    year, per category or per area, largest absolute change first."""
    previous_f, last_year_f = f.previous_period(), f.last_year()
    sources = coverage.comparable(
        f.municipality_id,
        [(p.date_from, p.date_to) for p in (f, previous_f, last_year_f)],
        f.sources,
    )
    note = comparison.exclusion_note(sources, _("the previous period and last year"))
    partial = comparison.is_partial(f.date_to)
    if partial or not sources.possible:
        return ChangeTable([], note, partial, sources.possible)
    narrowed = [replace(p, sources=sources.source_ids) for p in (f, previous_f, last_year_f)]
    field = {"category": "category", "area": "area_id"}[dimension]
    now, previous, last_year = (counts(principal, p, field) for p in narrowed)
    labels = (
        dict(Category.choices)
        if dimension == "category"
        else dict(Area.objects.filter(municipality_id=f.municipality_id).values_list("id", "name"))
    )
    keys = set(now) | set(previous) | set(last_year)
    out = [
        Change(
            key=str(k[0]),
            label=str(labels.get(k[0], k[0]))
            if k[0] is not None
            else _("Somewhere in the municipality"),
            count=now.get(k, 0),
            previous=previous.get(k, 0),
            last_year=last_year.get(k, 0),
        )
        for k in keys
    ]
    out.sort(key=lambda c: (-abs(c.vs_last_year), -c.count, c.label))
    return ChangeTable(out[:limit], note, partial, True)


@dataclass
class AreaFigure:
    area: Area | None
    count: int
    # The area's residents in the period's year (core.services.populations).
    population: int | None = None

    @property
    def rate_per_1000(self) -> float | None:
        if self.area is None or not self.population:
            return None
        return round(1000 * self.count / self.population, 1)


def by_area(principal, f: IncidentFilter) -> list[AreaFigure]:
    """Every area of the municipality (zero included) and the incidents placed in no
    area (municipality-precision positions), last."""
    found = counts(principal, f, "area_id")
    areas = Area.objects.filter(municipality_id=f.municipality_id).order_by("name")
    if f.areas:
        areas = areas.filter(pk__in=f.areas)
    populations, _total = populations_in(f.municipality_id, f.date_to.year)
    figures = [AreaFigure(a, found.get((a.pk,), 0), populations.get(a.pk)) for a in areas]
    unplaced = found.get((None,), 0)
    if unplaced and not f.areas:
        figures.append(AreaFigure(None, unplaced))
    return figures


def breakdown(principal, f: IncidentFilter) -> tuple[list, list, dict, dict, dict]:
    """Category × area table: (categories, areas, cells, row totals, column totals)."""
    found = counts(principal, f, "category", "area_id")
    categories = [c for c in Category if not f.categories or c.value in f.categories]
    areas = list(Area.objects.filter(municipality_id=f.municipality_id).order_by("name"))
    if f.areas:
        areas = [a for a in areas if a.pk in f.areas]
    columns: list = [*areas, None] if any(k[1] is None for k in found) and not f.areas else areas
    cells = {
        (c.value, a.pk if a else None): found.get((c.value, a.pk if a else None), 0)
        for c in categories
        for a in columns
    }
    row_totals = {
        c.value: sum(cells[(c.value, a.pk if a else None)] for a in columns) for c in categories
    }
    column_totals = {
        a.pk if a else None: sum(cells[(c.value, a.pk if a else None)] for c in categories)
        for a in columns
    }
    return categories, columns, cells, row_totals, column_totals


def heatmap(principal, f: IncidentFilter) -> list[list[int]]:
    """7 × 24 counts (Monday first) of incidents whose time is known to the hour."""
    grid = [[0] * 24 for _ in range(7)]
    rows = (
        incidents(principal, f)
        .filter(counts_in_statistics=True, occurred_hour__isnull=False)
        .values("occurred_weekday", "occurred_hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        grid[row["occurred_weekday"]][row["occurred_hour"]] += row["n"]
    return grid


def map_points(principal, f: IncidentFilter, limit: int = 5000) -> dict:
    """GeoJSON of the incidents with a real position (not municipality centroids), the
    most recent first, at most ``limit``."""
    qs = (
        incidents(principal, f)
        .filter(counts_in_statistics=True, lat__isnull=False)
        .exclude(position_precision=PositionPrecision.MUNICIPALITY)
        .exclude(position_precision=PositionPrecision.AREA)
        .only("id", "lat", "lon", "category", "occurred_at", "position_precision", "sensitivity")
        .order_by("-occurred_at")[:limit]
    )
    labels = dict(Category.choices)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [i.lon, i.lat]},
                "properties": {
                    "id": i.pk,
                    "category": i.category,
                    "label": str(labels.get(i.category, i.category)),
                    "date": i.occurred_at.date().isoformat(),
                },
            }
            for i in qs
        ],
    }


@dataclass
class ObservationSummary:
    rounds: int
    young_people_met: int
    by_area: list[tuple[str, int, int]]  # (area, rounds, young people)
    observations: list[tuple[str, int]]  # (label, rounds observing it)


def observations(principal, f: IncidentFilter) -> ObservationSummary:
    """Field workers' rounds in the period: aggregates only."""

    qs = FieldReport.objects.visible_to(principal).filter(
        municipality_id=f.municipality_id, date__gte=f.date_from, date__lte=f.date_to
    )
    if f.areas:
        qs = qs.filter(area_id__in=f.areas)
    per_area = (
        qs.values("area__name")
        .annotate(
            rounds=Count("id"),
            met=Sum("met_under_13") + Sum("met_13_15") + Sum("met_16_17") + Sum("met_18_24"),
        )
        .order_by("area__name")
    )
    by_area = [(r["area__name"], r["rounds"], r["met"] or 0) for r in per_area]
    tally: Counter = Counter()
    for observed in qs.values_list("observations", flat=True):
        tally.update(observed)
    labels = dict(Observation.choices)
    return ObservationSummary(
        rounds=sum(r[1] for r in by_area),
        young_people_met=sum(r[2] for r in by_area),
        by_area=by_area,
        observations=[(str(labels.get(k, k)), n) for k, n in tally.most_common()],
    )


def sources_for(municipality_id: int):
    return Source.objects.filter(municipality_id=municipality_id).order_by("name")


def summary(principal, f: IncidentFilter, granularity: str | None = None) -> dict:
    """Counts by period, category and area for the filter (the API's summary)."""
    granularity = granularity or granularity_for(f)
    by_category = counts(principal, f, "category")
    by_area_counts = counts(principal, f, "area_id")
    area_names = dict(
        Area.objects.filter(municipality_id=f.municipality_id).values_list("id", "name")
    )
    per_period = series(principal, f, granularity)
    return {
        "from": f.date_from,
        "to": f.date_to,
        "granularity": granularity,
        "total": sum(by_category.values()),
        "by_period": [{"period": p, "count": n} for p, n in per_period.items()],
        "by_category": [
            {"category": k[0], "count": n}
            for k, n in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0][0]))
        ],
        "by_area": [
            {"area_id": k[0], "area": area_names.get(k[0]) if k[0] else None, "count": n}
            for k, n in sorted(by_area_counts.items(), key=lambda kv: (-kv[1], kv[0][0] or 0))
        ],
    }

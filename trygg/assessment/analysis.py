"""The analysis engine (trygg.analysis, pure numpy) applied to the lägesbild's incidents:
hotspot and density layers, trends and alerts, near-repeat, emerging hotspots — each
result with a plain-language sentence and the method behind it.

Only incidents with a real position (exact or street) enter the spatial analyses; only
the incidents the principal may read enter any of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from trygg.analysis import emerging, grid, hotspots, kde, near_repeat, trends
from trygg.analysis.evaluation import predictive_accuracy
from trygg.assessment.filters import IncidentFilter, shift_year
from trygg.assessment.services import _daily, incidents
from trygg.core import formats
from trygg.core.models import Area
from trygg.core.permissions import Principal
from trygg.incidents import coverage
from trygg.incidents.models import PositionPrecision
from trygg.incidents.taxonomy import Category

CELL_M = 250.0
GI_DISTANCE = 1.5
TREND_WEEKS = 8
BASELINE_YEARS = 3
NEAR_REPEAT_SPACE = [100, 200, 300, 400]
NEAR_REPEAT_DAYS = [7, 14, 21, 28]
NEAR_REPEAT_PERMUTATIONS = 99
MAX_NEAR_REPEAT_EVENTS = 20_000
NEAR_REPEAT_MIN_RATIO = 1.2  # Ratcliffe's convention: a rise of at least 20 %

METHODS = {
    "hotspots": gettext_lazy(
        "Hotspots: incidents with a known position are counted in 250 m squares (SWEREF 99 "
        "TM). For each square, Getis-Ord Gi* compares the count in it and its neighbours "
        "(squares whose centres lie within 1.5 square widths) with the whole area's average; "
        "p-values are corrected for the many squares tested (Benjamini–Hochberg), and squares "
        "are shown hot or cold at 90, 95 and 99 % confidence."
    ),
    "density": gettext_lazy(
        "Density: each incident spreads over its surroundings with a quartic kernel; the "
        "bandwidth follows Scott's rule on the incidents' spread (at least 500 m, at most 2 km)."
    ),
    "trends": gettext_lazy(
        "Trends: the last 8 weeks are compared with the same 8 weeks of each of the three "
        "previous years (only sources that reported throughout) with an exact test of two "
        "Poisson rates; monthly counts are tested for "
        "a monotonic trend with the Mann–Kendall test; a week is flagged when its count is "
        "above the Poisson upper limit (p < 0.01) of the same week in the previous years."
    ),
    "near_repeat": gettext_lazy(
        "Near-repeat: the Knox test counts pairs of incidents that are close in both space "
        "and time and compares them with 99 random permutations of the dates (Ratcliffe's "
        "Near Repeat Calculator). A zone is shown where the risk after an incident is "
        "significantly (p ≤ 0.05) at least 20 % higher."
    ),
    "emerging": gettext_lazy(
        "Emerging hotspots: Gi* for every month, then the Mann–Kendall trend of each square's "
        "z-scores, classified as new, consecutive, intensifying, persistent, diminishing, "
        "sporadic, oscillating or historical hotspots (and the same for cold spots)."
    ),
}


def _positioned(principal: Principal, f: IncidentFilter):
    return (
        incidents(principal, f)
        .filter(counts_in_statistics=True, lat__isnull=False)
        .exclude(position_precision__in=[PositionPrecision.MUNICIPALITY, PositionPrecision.AREA])
    )


def _points(principal: Principal, f: IncidentFilter):
    rows = list(_positioned(principal, f).values_list("lon", "lat", "occurred_at"))
    if not rows:
        return np.empty(0), np.empty(0), np.empty(0)
    lon = np.array([r[0] for r in rows])
    lat = np.array([r[1] for r in rows])
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    days = np.array([(r[2] - epoch).total_seconds() / 86400 for r in rows])
    x, y = grid.to_sweref(lon, lat)
    return x, y, days


def _municipality_grid(f: IncidentFilter) -> grid.Grid | None:
    areas = Area.objects.filter(municipality_id=f.municipality_id)
    bounds = [(a.min_lon, a.min_lat, a.max_lon, a.max_lat) for a in areas]
    if not bounds:
        return None
    lons = [b[0] for b in bounds] + [b[2] for b in bounds]
    lats = [b[1] for b in bounds] + [b[3] for b in bounds]
    x, y = grid.to_sweref(lons, lats)
    return grid.Grid.covering(x, y, cell=CELL_M, pad=2)


def _cell_feature(g: grid.Grid, iy: int, ix: int, properties: dict) -> dict:
    x0, y0 = g.x0 + ix * g.cell, g.y0 + iy * g.cell
    xs = np.array([x0, x0 + g.cell, x0 + g.cell, x0, x0])
    ys = np.array([y0, y0, y0 + g.cell, y0 + g.cell, y0])
    lon, lat = grid.to_wgs84(xs, ys)
    return {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[round(a, 6), round(b, 6)] for a, b in zip(lon, lat, strict=True)]],
        },
        "properties": properties,
    }


def _cell_counts(principal: Principal, f: IncidentFilter, g: grid.Grid) -> np.ndarray:
    """Counts per grid cell, grouped in the database on the incidents' precomputed
    250 m SWEREF 99 TM cells (no incident is fetched)."""
    from django.db.models import Count

    counts = np.zeros(g.shape)
    ix0, iy0 = round(g.x0 / g.cell), round(g.y0 / g.cell)
    rows = (
        _positioned(principal, f)
        .filter(cell_e__isnull=False)
        .values("cell_e", "cell_n")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        ix, iy = row["cell_e"] - ix0, row["cell_n"] - iy0
        if 0 <= ix < g.nx and 0 <= iy < g.ny:
            counts[iy, ix] += row["n"]
    return counts


def spatial_layers(principal: Principal, f: IncidentFilter) -> dict:
    """GeoJSON of hot/cold cells (Gi*) and of density classes (KDE)."""
    g = _municipality_grid(f)
    if g is None or g.cell != grid.DEFAULT_CELL_M:
        return {"hotspots": EMPTY_LAYER, "density": EMPTY_LAYER, "events": 0}
    return _layers(g, _cell_counts(principal, f, g))


def spatial_layers_across(readers: list[tuple[Principal, IncidentFilter]]) -> dict:
    """The same layers over several municipalities at once — each read by its own
    principal and filter — on one grid covering them all, so a hotspot on a municipal
    border is found as one (a region's map). Cells with fewer than five incidents carry
    no count (a region's reader may see some municipalities at the public level only)."""
    bounds = list(
        Area.objects.filter(
            municipality_id__in=[f.municipality_id for _p, f in readers]
        ).values_list("min_lon", "min_lat", "max_lon", "max_lat")
    )
    if not bounds:
        return {"hotspots": EMPTY_LAYER, "density": EMPTY_LAYER, "events": 0}
    lons = [b[0] for b in bounds] + [b[2] for b in bounds]
    lats = [b[1] for b in bounds] + [b[3] for b in bounds]
    x, y = grid.to_sweref(lons, lats)
    g = grid.Grid.covering(x, y, cell=CELL_M, pad=2)
    if g.cell != grid.DEFAULT_CELL_M:
        return {"hotspots": EMPTY_LAYER, "density": EMPTY_LAYER, "events": 0}
    counts = np.zeros(g.shape)
    for principal, f in readers:
        counts += _cell_counts(principal, f, g)
    layers = _layers(g, counts)
    for feature in layers["hotspots"]["features"]:
        if feature["properties"]["count"] < 5:
            del feature["properties"]["count"]
    return layers


EMPTY_LAYER = {"type": "FeatureCollection", "features": []}


def _layers(g: grid.Grid, counts: np.ndarray) -> dict:
    empty = EMPTY_LAYER
    events = int(counts.sum())
    if events < 5:
        return {"hotspots": empty, "density": empty, "events": events}
    # The events' spread (for the KDE bandwidth), from the cell centres they lie in.
    cx, cy = g.centres()
    weights = counts.ravel()
    x = np.repeat(cx.ravel(), weights.astype(int))
    y = np.repeat(cy.ravel(), weights.astype(int))
    result = hotspots.gi_star(counts, GI_DISTANCE)
    classes = result.classify()
    hot = []
    for iy, ix in zip(*np.nonzero(classes), strict=True):
        hot.append(
            _cell_feature(
                g,
                int(iy),
                int(ix),
                {
                    "class": int(classes[iy, ix]),
                    "count": int(counts[iy, ix]),
                    "z": round(float(result.z[iy, ix]), 2),
                },
            )
        )
    bandwidth = kde.default_bandwidth(x, y, g.cell)
    surface = kde.density(counts, g.cell, bandwidth) * 1e6  # per km²
    positive = surface[surface > 0]
    dens = []
    if positive.size:
        edges = np.quantile(positive, [0.5, 0.75, 0.9, 0.97])
        levels = np.searchsorted(edges, surface, side="right")
        for iy, ix in zip(*np.nonzero(levels), strict=True):
            dens.append(
                _cell_feature(
                    g,
                    int(iy),
                    int(ix),
                    {"level": int(levels[iy, ix]), "per_km2": round(float(surface[iy, ix]), 1)},
                )
            )
    return {
        "hotspots": {"type": "FeatureCollection", "features": hot},
        "density": {"type": "FeatureCollection", "features": dens},
        "events": events,
        "bandwidth_m": round(bandwidth),
        "hot_cells": int((classes > 0).sum()),
        "cold_cells": int((classes < 0).sum()),
    }


@dataclass
class TrendFinding:
    category: str
    label: str
    area: str | None
    recent: int
    baseline_mean: float
    change: trends.RateChange
    sentence: str


def _weekly_counts(
    principal, f: IncidentFilter, category: str, area_id: int | None, end: dt.date, weeks: int
):
    start = end - dt.timedelta(days=7 * weeks - 1)
    sub = IncidentFilter(
        f.municipality_id, start, end, (area_id,) if area_id else f.areas, (category,), f.sources
    )
    per_day = dict(_daily(sub).values("day").annotate(n=Sum("count")).values_list("day", "n"))
    series = np.zeros(weeks)
    for day, n in per_day.items():
        series[(day - start).days // 7] += n
    return series


def _baseline(f: IncidentFilter, weeks: int) -> tuple[int, tuple[int, ...]]:
    """How many previous years to compare with (up to three) and the sources that cover
    the last ``weeks`` weeks and the same weeks of each of those years (a source that joined
    later would make every comparison with the past look like an increase); (0, ()) when
    no source covers even one year back."""
    end = f.date_to
    for years in range(BASELINE_YEARS, 0, -1):
        periods = [
            (day - dt.timedelta(days=7 * weeks - 1), day)
            for day in [end] + [shift_year(end, -k) for k in range(1, years + 1)]
        ]
        sources = coverage.comparable(f.municipality_id, periods, f.sources)
        if sources.possible:
            return years, sources.source_ids
    return 0, ()


def trend_findings(principal: Principal, f: IncidentFilter, limit: int = 8) -> list[TrendFinding]:
    """Categories (and areas) whose last 8 weeks differ significantly from the same weeks of
    the previous years (up to three) — the statements a coordinator can read out at a
    meeting. Only sources that reported throughout are compared."""
    end = f.date_to
    baseline_years, sources = _baseline(f, TREND_WEEKS)
    if not baseline_years:
        return []
    f = IncidentFilter(f.municipality_id, f.date_from, f.date_to, f.areas, f.categories, sources)
    findings = []
    areas = list(Area.objects.filter(municipality_id=f.municipality_id).order_by("name"))
    scopes: list[tuple[int | None, str | None]] = [(None, None)] + [(a.pk, a.name) for a in areas]
    categories = f.categories or tuple(Category.values)
    labels = dict(Category.choices)
    for category in categories:
        for area_id, area_name in scopes:
            recent = _weekly_counts(principal, f, category, area_id, end, TREND_WEEKS).sum()
            baseline = []
            for k in range(1, baseline_years + 1):
                baseline.append(
                    _weekly_counts(
                        principal, f, category, area_id, shift_year(end, -k), TREND_WEEKS
                    ).sum()
                )
            change = trends.rate_change(
                int(recent), TREND_WEEKS * 7, int(sum(baseline)), TREND_WEEKS * 7 * baseline_years
            )
            if not (change.significant_increase or change.significant_decrease):
                continue
            where = area_name or _("the municipality")
            params = {
                "category": str(labels[category]).lower(),
                "where": where,
                "weeks": TREND_WEEKS,
                "years": baseline_years,
                "p": formats.p_value(change.p),
                "n": formats.number(int(recent)),
                "mean": formats.number(float(np.mean(baseline)), 1),
            }
            sentence = (
                _(
                    "Significantly more %(category)s in %(where)s the last %(weeks)s weeks than "
                    "the same weeks in the %(years)s previous years: %(n)s against %(mean)s on "
                    "average (%(p)s)."
                )
                if change.significant_increase
                else _(
                    "Significantly less %(category)s in %(where)s the last %(weeks)s weeks than "
                    "the same weeks in the %(years)s previous years: %(n)s against %(mean)s on "
                    "average (%(p)s)."
                )
            ) % params
            findings.append(
                TrendFinding(
                    category,
                    str(labels[category]),
                    area_name,
                    int(recent),
                    float(np.mean(baseline)),
                    change,
                    sentence,
                )
            )
    findings.sort(key=lambda t: t.change.p)
    return findings[:limit]


@dataclass
class MonthlyTrend:
    label: str
    months: int
    result: trends.MannKendallResult
    sentence: str


def monthly_trends(principal: Principal, f: IncidentFilter) -> list[MonthlyTrend]:
    """Mann–Kendall on each category's monthly counts over the filter's period."""
    labels = dict(Category.choices)
    months = []
    day = f.date_from.replace(day=1)
    while day <= f.date_to:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    if len(months) < 6:
        return []
    index = {m: i for i, m in enumerate(months)}
    out = []
    for category in f.categories or tuple(Category.values):
        sub = IncidentFilter(
            f.municipality_id, f.date_from, f.date_to, f.areas, (category,), f.sources
        )
        series = np.zeros(len(months))
        for day, n in _daily(sub).values("day").annotate(n=Sum("count")).values_list("day", "n"):
            series[index[day.replace(day=1)]] += n
        if series.sum() < 10:
            continue
        result = trends.mann_kendall(series)
        if result.trend == "no trend":
            continue
        params = {
            "category": str(labels[category]),
            "n": len(months),
            "p": formats.p_value(result.p),
            "slope": formats.number(result.slope, 1, signed=True),
        }
        sentence = (
            _("%(category)s: rising over %(n)s months (Mann–Kendall, %(p)s, %(slope)s a month).")
            if result.trend == "increasing"
            else _(
                "%(category)s: falling over %(n)s months (Mann–Kendall, %(p)s, %(slope)s a month)."
            )
        ) % params
        out.append(MonthlyTrend(str(labels[category]), len(months), result, sentence))
    return out


@dataclass
class NearRepeatFinding:
    category: str
    events: int
    result: near_repeat.KnoxResult | None
    risk: near_repeat.HeightenedRisk | None
    sentence: str
    rows: list = field(default_factory=list)
    zones: dict = field(default_factory=dict)


def near_repeat_finding(
    principal: Principal,
    f: IncidentFilter,
    category: str = Category.BURGLARY,
    max_events: int = MAX_NEAR_REPEAT_EVENTS,
    last_days: int | None = None,
) -> NearRepeatFinding:
    """The Knox test for one category in the filter's period (or only its ``last_days``),
    on at most ``max_events`` of the latest incidents."""
    labels = dict(Category.choices)
    start = f.date_from
    if last_days is not None:
        start = max(start, f.date_to - dt.timedelta(days=last_days - 1))
    sub = IncidentFilter(f.municipality_id, start, f.date_to, f.areas, (category,), f.sources)
    x, y, days = _points(principal, sub)
    label = str(labels[category])
    if x.size < 20:
        return NearRepeatFinding(
            label,
            int(x.size),
            None,
            None,
            _("Too few incidents with a position for a near-repeat test."),
        )
    if x.size > max_events:
        keep = np.argsort(days)[-max_events:]
        x, y, days = x[keep], y[keep], days[keep]
    result = near_repeat.knox(
        x, y, days, NEAR_REPEAT_SPACE, NEAR_REPEAT_DAYS, NEAR_REPEAT_PERMUTATIONS
    )
    risk = result.heightened_risk(min_ratio=NEAR_REPEAT_MIN_RATIO)
    # The table's marks and the sentence come from this one array.
    raised = result.significant() & (result.ratio >= NEAR_REPEAT_MIN_RATIO)
    sentence = _near_repeat_sentence(label, risk, int(raised.sum()))
    space_labels = [f"≤ {int(b)} m" for b in NEAR_REPEAT_SPACE] + [_("farther")]
    rows = []
    for si, s_label in enumerate(space_labels):
        cells = []
        for ti in range(len(NEAR_REPEAT_DAYS) + 1):
            ratio = result.ratio[si, ti]
            cells.append(
                {
                    "observed": int(result.observed[si, ti]),
                    "ratio": None if np.isnan(ratio) else formats.number(float(ratio), 2),
                    "significant": bool(raised[si, ti]),
                }
            )
        rows.append((s_label, cells))
    zones = {"type": "FeatureCollection", "features": []}
    if risk:
        recent = days >= days.max() - risk.days
        lon, lat = grid.to_wgs84(x[recent], y[recent])
        zones["features"] = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(a, 6), round(b, 6)]},
                "properties": {"radius_m": risk.distance_m},
            }
            for a, b in zip(lon, lat, strict=True)
        ]
    return NearRepeatFinding(label, int(x.size), result, risk, sentence, rows, zones)


def _near_repeat_sentence(label: str, risk: near_repeat.HeightenedRisk | None, raised: int) -> str:
    """The reading of a Knox table: a zone of raised risk right after an incident, or —
    when only cells away from the closest distance and time are raised — that those are
    not a near-repeat pattern, or nothing raised at all."""
    params = {"category": label.lower()}
    if risk:
        return _(
            "After a %(category)s, the risk of another within %(distance)s m is significantly "
            "raised for %(days)s days."
        ) % {**params, "distance": int(risk.distance_m), "days": int(risk.days)}
    if raised:
        return ngettext(
            "No near-repeat pattern for %(category)s: the risk right after an incident and "
            "close to it is not raised. %(n)s farther or later cell of the table has more "
            "pairs than chance (marked), which alone is not a near-repeat pattern.",
            "No near-repeat pattern for %(category)s: the risk right after an incident and "
            "close to it is not raised. %(n)s farther or later cells of the table have more "
            "pairs than chance (marked), which alone is not a near-repeat pattern.",
            raised,
        ) % {**params, "n": raised}
    return _("No significant near-repeat pattern for %(category)s.") % params


def near_repeat_category(f: IncidentFilter, requested: str | None) -> str:
    """The category the near-repeat test runs on: the one asked for if the filter allows
    it, else the filter's first category, else burglary (the classic near-repeat crime)."""
    allowed = f.categories or tuple(Category.values)
    if requested in allowed:
        return str(requested)
    if f.categories:
        return f.categories[0]
    return str(Category.BURGLARY)


def emerging_layer(principal: Principal, f: IncidentFilter) -> dict:
    """Emerging-hotspot patterns of the last 12 months (monthly slices)."""
    end = f.date_to
    start = (end.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    sub = IncidentFilter(f.municipality_id, start, end, f.areas, f.categories, f.sources)
    g = _municipality_grid(f)
    rows = list(_positioned(principal, sub).values_list("lon", "lat", "occurred_date"))
    if g is None or len(rows) < 20:
        return {"type": "FeatureCollection", "features": []}
    x, y = grid.to_sweref([r[0] for r in rows], [r[1] for r in rows])
    month_of = np.array(
        [(r[2].year - start.year) * 12 + r[2].month - start.month for r in rows], dtype=int
    )
    slices = int(month_of.max()) + 1
    cube = np.stack([g.aggregate(x[month_of == m], y[month_of == m]) for m in range(slices)])
    patterns, signs = emerging.emerging_hotspots(cube, GI_DISTANCE)
    features = []
    for iy, ix in zip(*np.nonzero(signs), strict=True):
        features.append(
            _cell_feature(
                g, int(iy), int(ix), {"pattern": patterns[iy, ix], "sign": int(signs[iy, ix])}
            )
        )
    return {"type": "FeatureCollection", "features": features}


ALERT_WEEKS = 12


@dataclass
class WeeklyAlert:
    category: str
    week_start: dt.date
    observed: int
    expected: float
    p: float
    sentence: str


def weekly_alerts(principal: Principal, f: IncidentFilter) -> list[WeeklyAlert]:
    """Weeks among the last 12 with unusually many incidents of a category: above the
    Poisson upper limit of the same week in the previous three years (p < 0.01)."""
    end = f.date_to
    baseline_years, sources = _baseline(f, ALERT_WEEKS)
    if not baseline_years:
        return []
    f = IncidentFilter(f.municipality_id, f.date_from, f.date_to, f.areas, f.categories, sources)
    labels = dict(Category.choices)
    out = []
    first_week = end - dt.timedelta(days=7 * ALERT_WEEKS - 1)
    for category in f.categories or tuple(Category.values):
        observed = _weekly_counts(principal, f, category, None, end, ALERT_WEEKS)
        past = [
            _weekly_counts(principal, f, category, None, shift_year(end, -k), ALERT_WEEKS)
            for k in range(1, baseline_years + 1)
        ]
        expected = np.mean(past, axis=0)
        for alert in trends.exceedance_alerts(observed, expected, alpha=0.01):
            start = first_week + dt.timedelta(days=7 * alert.index)
            params = {
                "category": str(labels[category]).lower(),
                "from": formats.date(start),
                "to": formats.date(start + dt.timedelta(days=6)),
                "n": formats.number(alert.observed),
                "expected": formats.number(alert.expected, 1),
                "p": formats.p_value(alert.p),
            }
            sentence = (
                _(
                    "%(from)s – %(to)s: %(n)s incidents of %(category)s where the same week of "
                    "earlier years had %(expected)s on average (%(p)s)."
                )
                % params
            )
            out.append(
                WeeklyAlert(
                    str(labels[category]), start, alert.observed, alert.expected, alert.p, sentence
                )
            )
    out.sort(key=lambda a: (a.week_start, a.p), reverse=True)
    return out


@dataclass
class PredictiveCheck:
    hotspot_pai: float
    hotspot_hit_rate: float
    naive_pai: float
    naive_hit_rate: float
    sentence: str


def predictive_check(
    principal: Principal, f: IncidentFilter, coverage: float = 0.05
) -> PredictiveCheck | None:
    """Does the hotspot map predict? The first half of the period's Gi* map against the
    second half's incidents, compared with simply taking the first half's counts."""

    g = _municipality_grid(f)
    if g is None or f.days < 28:
        return None
    middle = f.date_from + dt.timedelta(days=f.days // 2)
    first = IncidentFilter(
        f.municipality_id,
        f.date_from,
        middle - dt.timedelta(days=1),
        f.areas,
        f.categories,
        f.sources,
    )
    second = IncidentFilter(f.municipality_id, middle, f.date_to, f.areas, f.categories, f.sources)
    x1, y1, _d1 = _points(principal, first)
    x2, y2, _d2 = _points(principal, second)
    if x1.size < 20 or x2.size < 20:
        return None
    before, after = g.aggregate(x1, y1), g.aggregate(x2, y2)
    hotspot = predictive_accuracy(hotspots.gi_star(before, GI_DISTANCE).z, after, coverage)
    naive = predictive_accuracy(before, after, coverage)
    sentence = _(
        "The hotspot map of %(first_from)s – %(first_to)s held %(hit)s %% of the incidents of "
        "%(second_from)s – %(second_to)s in %(area)s %% of the area (PAI %(pai)s); last period's "
        "counts alone held %(naive_hit)s %% (PAI %(naive_pai)s)."
    ) % {
        "first_from": formats.date(first.date_from),
        "first_to": formats.date(first.date_to),
        "second_from": formats.date(second.date_from),
        "second_to": formats.date(second.date_to),
        "hit": round(100 * hotspot.hit_rate),
        "area": round(100 * hotspot.coverage),
        "pai": formats.number(hotspot.pai, 1),
        "naive_hit": round(100 * naive.hit_rate),
        "naive_pai": formats.number(naive.pai, 1),
    }
    return PredictiveCheck(hotspot.pai, hotspot.hit_rate, naive.pai, naive.hit_rate, sentence)


METHODS["predictive"] = gettext_lazy(
    "Predictive check: the hotspot map (Gi* z-scores) of the first half of the period marks "
    "its top 5 % of squares; the share of the second half's incidents that fall in them is "
    "the hit rate, and the Predictive Accuracy Index PAI = hit rate / share of area. The same "
    "is shown for the first half's plain counts, so one can see whether the statistics add "
    "anything."
)

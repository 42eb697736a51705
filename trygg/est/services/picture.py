"""The weekly picture: the week per area and category against the weeks before and the
same week last year, its map and hotspots, events, open actions, assessments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.analysis import grid as grids
from trygg.analysis import hotspots, trends
from trygg.assessment import comparison
from trygg.assessment import services as assessment
from trygg.assessment.filters import IncidentFilter
from trygg.core.models import Area, Municipality
from trygg.core.pdguard import validate_no_personal_data
from trygg.core.permissions import Permission, Principal
from trygg.est.models import (
    Action,
    ActionStatus,
    AreaAssessment,
    Observation,
    ScaleKind,
    Status,
    WeeklyMeeting,
)
from trygg.est.services.scales import scale
from trygg.est.weeks import Week
from trygg.incidents import coverage
from trygg.incidents.taxonomy import Category

# --- The weekly picture -------------------------------------------------------------

COUNTED = (Status.INFO, Status.ACTION)


@dataclass
class AreaRow:
    area: Area | None
    observations: int = 0
    incidents: int = 0
    previous_mean: float = 0.0
    # The same week last year and this week, both counted from what reported in both
    # (None while the week is not over or when nothing covers both).
    last_year: int | None = None
    this_year_same_sources: int | None = None
    categories: Counter = field(default_factory=Counter)
    assessment: AreaAssessment | None = None
    assessment_label: str = ""
    # The week against the four before, counted from what reported in all five weeks;
    # None while the week is not over or when nothing covers all five.
    reading: trends.ChangeReading | None = None

    @property
    def total(self) -> int:
        return self.observations + self.incidents

    @property
    def change_vs_previous(self) -> int | None:
        """The change in per cent against the four weeks before, where there is one to
        give (the week is over, enough events, something before)."""
        if self.reading is None or self.reading.percent is None:
            return None
        return round(self.reading.percent)


@dataclass
class WeeklyPicture:
    week: Week
    partial: bool  # the week has not ended: no change is given
    comparison_note: str  # what the comparison with the weeks before leaves out
    rows: list[AreaRow]
    totals: dict
    year_note: str  # what the comparison with last year leaves out
    # (label, this week, same week last year, this week from the same sources as last year)
    by_category: list[tuple[str, int, int | None, int | None]]
    hotspots_new: list[dict]
    hotspots_persistent: list[dict]
    events: list[Observation]
    open_actions: list[Action]
    meeting: WeeklyMeeting | None
    previous_meeting: WeeklyMeeting | None
    unreviewed: int


def observations_in(principal: Principal, start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return Observation.objects.visible_to(principal).filter(
        occurred_at__gte=lo, occurred_at__lt=hi, status__in=COUNTED
    )


def _incident_counts(
    principal: Principal, start: dt.date, end: dt.date, sources: tuple[int, ...] = ()
) -> Counter:
    f = IncidentFilter(
        municipality_id=principal.municipality.pk, date_from=start, date_to=end, sources=sources
    )
    return assessment.counts(principal, f, "area_id", "category")


def _week_counts(
    principal: Principal,
    week: Week,
    sources: tuple[int, ...] | None = None,
    observations: bool = True,
) -> tuple[Counter, Counter, Counter]:
    """(observations per area, incidents per area, per (kind, category label)); only the
    incident ``sources`` given (None: all; (): none), observations only if asked."""
    obs_area: Counter = Counter()
    by_category: Counter = Counter()
    rows = (
        observations_in(principal, week.start, week.end).values_list(
            "area_id", "category__parent__name", "category__name"
        )
        if observations
        else []
    )
    for area_id, group, name in rows:
        obs_area[area_id] += 1
        by_category[group or name] += 1
    inc_area: Counter = Counter()
    labels = dict(Category.choices)
    if sources == ():
        return obs_area, inc_area, by_category
    counted = _incident_counts(principal, week.start, week.end, sources or ())
    for (area_id, category), n in counted.items():
        inc_area[area_id] += n
        by_category[str(labels.get(category, category))] += n
    return obs_area, inc_area, by_category


def _points(principal: Principal, week: Week) -> list[tuple[float, float]]:
    pts = list(
        observations_in(principal, week.start, week.end)
        .exclude(lat__isnull=True)
        .values_list("lon", "lat")
    )
    f = IncidentFilter(
        municipality_id=principal.municipality.pk, date_from=week.start, date_to=week.end
    )
    pts += [
        tuple(feature["geometry"]["coordinates"])
        for feature in assessment.map_points(principal, f, limit=20000)["features"]
    ]
    return pts


def _hot_cells(points: list[tuple[float, float]], g: grids.Grid) -> set[tuple[int, int]]:
    if len(points) < 3:
        return set()
    lon, lat = np.array(points).T
    x, y = grids.to_sweref(lon, lat)
    counts = g.aggregate(x, y)
    classes = hotspots.gi_star(counts).classify()
    iy, ix = np.nonzero(classes >= 2)  # hot at 95 % or more
    # A hotspot needs more than a single event in the cell itself.
    return {(int(i), int(j)) for i, j in zip(ix, iy, strict=True) if counts[j, i] >= 2}


def _cell_feature(g: grids.Grid, cell: tuple[int, int]) -> dict:
    ix, iy = cell
    x0, y0 = g.x0 + ix * g.cell, g.y0 + iy * g.cell
    xs = np.array([x0, x0 + g.cell, x0 + g.cell, x0, x0])
    ys = np.array([y0, y0, y0 + g.cell, y0 + g.cell, y0])
    lon, lat = grids.to_wgs84(xs, ys)
    return {
        "type": "Polygon",
        "coordinates": [[[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]],
    }


def week_hotspots(principal: Principal, week: Week) -> tuple[list[dict], list[dict]]:
    """The week's hotspot cells (GeoJSON polygons) against the week before, on a 250 m
    grid over both weeks' points: (new this week, persistent since last week)."""
    this_points = _points(principal, week)
    if not this_points:
        return [], []
    last_points = _points(principal, week.shift(-1))
    lon, lat = np.array(this_points + last_points).T
    x, y = grids.to_sweref(lon, lat)
    g = grids.Grid.covering(x, y, pad=2)
    now_hot = _hot_cells(this_points, g)
    before_hot = _hot_cells(last_points, g)
    return (
        [_cell_feature(g, c) for c in sorted(now_hot - before_hot)],
        [_cell_feature(g, c) for c in sorted(now_hot & before_hot)],
    )


PREVIOUS_WEEKS = 4


def _observations_since(municipality: Municipality) -> dt.date | None:
    """The Monday of the week the partners started reporting observations in Trygg:
    weeks before it have none to compare with."""
    first = (
        Observation.objects.filter(municipality=municipality)
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    # Reporting is weekly: the week of the first report counts as covered.
    return Week.of(timezone.localtime(first).date()).start if first else None


def _comparable(
    municipality: Municipality, weeks: list[Week], since: dt.date | None
) -> tuple[coverage.Comparable, bool]:
    """The incident sources covering every one of ``weeks``, and whether the partners'
    observations did (they began in the week of ``since``; None: there are none, so
    nothing to leave out and none counted either way)."""
    sources = coverage.comparable(municipality.pk, [(w.start, w.end) for w in weeks])
    return sources, since is None or since <= min(w.start for w in weeks)


def weekly_picture(principal: Principal, week: Week) -> WeeklyPicture:
    municipality = principal.municipality
    areas = list(Area.objects.filter(municipality=municipality, kind="district").order_by("name"))
    obs, inc, cats = _week_counts(principal, week)
    partial = comparison.is_partial(week.end)
    since = _observations_since(municipality)
    sources, with_observations = _comparable(
        municipality, [week.shift(-k) for k in range(PREVIOUS_WEEKS + 1)], since
    )
    # Like with like: this week and the four before, from what reported in all of them.
    now_cmp = _week_counts(principal, week, sources.source_ids, with_observations)
    previous_cmp = [
        _week_counts(principal, week.shift(-k), sources.source_ids, with_observations)
        for k in range(1, PREVIOUS_WEEKS + 1)
    ]
    previous = [_week_counts(principal, week.shift(-k)) for k in range(1, PREVIOUS_WEEKS + 1)]
    ly_week = week.same_week_last_year()
    ly_sources, ly_with_observations = _comparable(municipality, [week, ly_week], since)
    year_comparable = not partial and (ly_sources.possible or ly_with_observations)
    ly_obs, ly_inc, ly_cats = _week_counts(
        principal, ly_week, ly_sources.source_ids, ly_with_observations
    )
    now_ly_obs, now_ly_inc, now_ly_cats = _week_counts(
        principal, week, ly_sources.source_ids, ly_with_observations
    )
    levels = dict(scale(municipality, ScaleKind.ASSESSMENT))
    assessments = {
        a.area_id: a
        for a in AreaAssessment.objects.filter(
            municipality=municipality, iso_year=week.year, iso_week=week.week
        )
    }
    rows = []
    for area in [*areas, None]:
        key = area.pk if area else None
        row = AreaRow(
            area=area,
            observations=obs.get(key, 0),
            incidents=inc.get(key, 0),
            previous_mean=round(sum(p[0].get(key, 0) + p[1].get(key, 0) for p in previous) / 4, 1),
            assessment=assessments.get(key),
        )
        if year_comparable:
            row.last_year = ly_obs.get(key, 0) + ly_inc.get(key, 0)
            row.this_year_same_sources = now_ly_obs.get(key, 0) + now_ly_inc.get(key, 0)
        if not partial and (sources.possible or with_observations):
            now_n = now_cmp[0].get(key, 0) + now_cmp[1].get(key, 0)
            before_n = sum(p[0].get(key, 0) + p[1].get(key, 0) for p in previous_cmp)
            row.reading = trends.read_change(now_n, before_n, 1, PREVIOUS_WEEKS)
        if row.assessment is not None:
            row.assessment_label = levels.get(row.assessment.level, str(row.assessment.level))
        if area is not None or row.total:
            rows.append(row)
    new_cells, persistent_cells = week_hotspots(principal, week)
    tz = timezone.get_current_timezone()
    events = list(
        Observation.objects.visible_to(principal)
        .filter(
            category__is_event=True,
            occurred_at__gte=dt.datetime.combine(
                week.end + dt.timedelta(days=1), dt.time(), tzinfo=tz
            ),
            occurred_at__lt=dt.datetime.combine(
                week.end + dt.timedelta(days=15), dt.time(), tzinfo=tz
            ),
        )
        .exclude(status=Status.DUPLICATE)
        .select_related("category", "area")
    )
    previous_meeting = (
        WeeklyMeeting.objects.filter(municipality=municipality)
        .filter(Q(iso_year__lt=week.year) | Q(iso_year=week.year, iso_week__lt=week.week))
        .order_by("-iso_year", "-iso_week")
        .first()
    )
    # Actions of earlier meetings still open: this week's own decisions are listed once,
    # as the meeting's decisions, not also as something to follow up.
    open_actions = list(
        Action.objects.filter(
            meeting__municipality=municipality,
            status=ActionStatus.OPEN,
            meeting__in=WeeklyMeeting.objects.filter(municipality=municipality).filter(
                Q(iso_year__lt=week.year) | Q(iso_year=week.year, iso_week__lt=week.week)
            ),
        ).select_related("owner", "area", "meeting")
    )
    unreviewed = (
        Observation.objects.visible_to(principal)
        .filter(status=Status.NEW, occurred_at__date__lte=week.end)
        .count()
    )
    note = comparison.exclusion_note(sources, _("the four weeks before"))
    if not with_observations and not partial:
        note = (
            note
            + " "
            + _(
                "The partners' observations are not compared: they were not reported in all "
                "of the four weeks before."
            )
        ).strip()
    return WeeklyPicture(
        week=week,
        partial=partial,
        comparison_note="" if partial else note,
        rows=rows,
        totals={
            "observations": sum(obs.values()),
            "incidents": sum(inc.values()),
            "previous_mean": round(
                sum(sum(p[0].values()) + sum(p[1].values()) for p in previous) / 4, 1
            ),
            "last_year": sum(ly_obs.values()) + sum(ly_inc.values()) if year_comparable else None,
            "this_year_same_sources": (
                sum(now_ly_obs.values()) + sum(now_ly_inc.values()) if year_comparable else None
            ),
        },
        year_note="" if partial else comparison.exclusion_note(ly_sources, _("last year")),
        by_category=sorted(
            (
                (
                    label,
                    n,
                    ly_cats.get(label, 0) if year_comparable else None,
                    now_ly_cats.get(label, 0) if year_comparable else None,
                )
                for label, n in cats.items()
            ),
            key=lambda r: (-r[1], r[0]),
        ),
        hotspots_new=new_cells,
        hotspots_persistent=persistent_cells,
        events=events,
        open_actions=open_actions,
        meeting=WeeklyMeeting.objects.filter(
            municipality=municipality, iso_year=week.year, iso_week=week.week
        ).first(),
        previous_meeting=previous_meeting,
        unreviewed=unreviewed,
    )


def assess(principal: Principal, area: Area, week: Week, level: int, justification: str = ""):
    if (
        not principal.has(Permission.ASSESS_AREAS)
        or area.municipality_id != principal.municipality.pk
    ):
        raise PermissionDenied
    if level not in dict(scale(principal.municipality, ScaleKind.ASSESSMENT)):
        raise ValidationError({"level": _("Choose a step of the assessment scale.")})
    validate_no_personal_data(justification)
    obj, _created = AreaAssessment.objects.update_or_create(
        municipality=principal.municipality,
        area=area,
        iso_year=week.year,
        iso_week=week.week,
        defaults={"level": level, "justification": justification, "assessed_by": principal.user},
    )
    return obj


def assessment_history(municipality: Municipality, week: Week, weeks: int = 12):
    """Per area, the assessments of the last ``weeks`` weeks (None where none)."""
    wanted = [week.shift(-k) for k in range(weeks - 1, -1, -1)]
    found = {
        (a.area_id, a.iso_year, a.iso_week): a.level
        for a in AreaAssessment.objects.filter(
            municipality=municipality, iso_year__gte=wanted[0].year
        )
    }
    return wanted, [
        (area, [found.get((area.pk, w.year, w.week)) for w in wanted])
        for area in Area.objects.filter(municipality=municipality, kind="district").order_by("name")
    ]

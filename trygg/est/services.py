"""The rules of the weekly joint picture: reporting (form, API, file), review, the
weekly picture, the meeting's decisions, the tertial analysis, reporting statistics."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from trygg.analysis import grid as grids
from trygg.analysis import hotspots, trends
from trygg.assessment import services as assessment
from trygg.assessment.filters import IncidentFilter
from trygg.cases import services as cases
from trygg.cases.models import Origin
from trygg.core import audit, images, records
from trygg.core.geo import distance_m
from trygg.core.models import Area, Municipality, Sensitivity
from trygg.core.pdguard import validate_no_personal_data
from trygg.core.permissions import Permission, Principal, can_view
from trygg.core.services import locate_area
from trygg.est.models import (
    Action,
    ActionStatus,
    AreaAssessment,
    FocusPlace,
    Observation,
    ObservationCategory,
    ObservationSource,
    Place,
    ScaleKind,
    ScaleLevel,
    Status,
    TertialAnalysis,
    WeeklyMeeting,
)
from trygg.est.tasks import send_feedback, share_decisions
from trygg.est.weeks import Week, tertial_range
from trygg.incidents.taxonomy import Category

# --- Scales -------------------------------------------------------------------------

DEFAULT_SCALES = {
    ScaleKind.SEVERITY: [
        (1, gettext_lazy("Low")),
        (2, gettext_lazy("Medium")),
        (3, gettext_lazy("High")),
    ],
    ScaleKind.ASSESSMENT: [
        (1, gettext_lazy("Normal")),
        (2, gettext_lazy("Elevated")),
        (3, gettext_lazy("Serious")),
    ],
}


def scale(municipality: Municipality, kind: str) -> list[tuple[int, str]]:
    """The steps of a scale as (value, label) in the current language: the
    municipality's own (ScaleLevel) or the defaults."""
    english = (get_language() or "sv").startswith("en")
    own = [
        (s.value, s.label_en if english and s.label_en else s.label)
        for s in ScaleLevel.objects.filter(municipality=municipality, scale=kind)
    ]
    return own or [(v, str(label)) for v, label in DEFAULT_SCALES[kind]]


def scale_label(municipality: Municipality, kind: str, value: int | None) -> str:
    return dict(scale(municipality, kind)).get(value, str(value) if value else "–")


# --- Reporting ----------------------------------------------------------------------


@dataclass
class Report:
    category: ObservationCategory | None = None
    lat: float | None = None
    lon: float | None = None
    place: Place | None = None
    area: Area | None = None
    occurred_at: dt.datetime | None = None
    occurred_until: dt.datetime | None = None
    severity: int = 1
    description: str = ""
    photo: bytes | None = None
    sensitivity: str = Sensitivity.PARTNERS
    client_ref: str = ""
    source: str = ObservationSource.FORM


def validate(municipality: Municipality, report: Report, now: dt.datetime | None = None) -> dict:
    """Every problem of a report, by field (empty: fine)."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = defaultdict(list)
    if report.category is None or report.category.municipality_id != municipality.pk:
        errors["category"].append(_("Choose what you saw."))
    elif not report.category.is_active:
        errors["category"].append(_("That category is no longer used."))
    if report.lat is None and report.place is None and report.area is None:
        errors["lat"].append(_("Say where: your position, a place from the list, or an area."))
    if (
        report.lat is not None
        and report.area is None
        and report.place is None
        and locate_area(municipality, report.lat, report.lon) is None
    ):
        errors["lat"].append(_("The position is outside the municipality."))
    if report.occurred_at is None:
        errors["occurred_at"].append(_("Say when."))
    elif report.occurred_at > now + dt.timedelta(minutes=10):
        errors["occurred_at"].append(_("The time is in the future."))
    elif report.occurred_at < now - dt.timedelta(days=366):
        errors["occurred_at"].append(_("The time is more than a year ago."))
    if report.occurred_until and report.occurred_at and report.occurred_until < report.occurred_at:
        errors["occurred_until"].append(_("It ends before it starts."))
    if report.severity not in dict(scale(municipality, ScaleKind.SEVERITY)):
        errors["severity"].append(_("Choose how serious it is."))
    if len(report.description) > 1000:
        errors["description"].append(_("At most 1000 characters."))
    try:
        validate_no_personal_data(report.description)
    except ValidationError as exc:
        errors["description"] += exc.messages
    return dict(errors)


@transaction.atomic
def report(principal: Principal, report: Report) -> tuple[Observation, bool]:
    """Store a partner's report (validated; nothing is stored when anything is wrong).
    With a ``client_ref`` a repeat returns the stored report instead of a second one."""
    if not principal.has(Permission.CREATE):
        raise PermissionDenied
    municipality = principal.municipality
    if report.client_ref:
        existing = Observation.objects.filter(
            owner_organisation=principal.organisation, client_ref=report.client_ref
        ).first()
        if existing is not None:
            return existing, False
    errors = validate(municipality, report)
    clean = None
    if report.photo is not None:  # size, format and metadata: core.images
        try:
            clean = images.clean_photo(report.photo)
        except ValidationError as exc:
            errors["photo"] = exc.messages
    if errors:
        raise ValidationError(errors)
    lat, lon, area = report.lat, report.lon, report.area
    if report.place is not None:
        lat, lon, area = report.place.lat, report.place.lon, report.place.area
    if area is None and lat is not None:
        area = locate_area(municipality, lat, lon)
    observation = Observation(
        municipality=municipality,
        owner_organisation=principal.organisation,
        sensitivity=report.sensitivity,
        category=report.category,
        lat=lat,
        lon=lon,
        area=area,
        place=report.place,
        occurred_at=report.occurred_at,
        occurred_until=report.occurred_until,
        severity=report.severity,
        description=report.description.strip(),
        reporter=principal.user,
        source=report.source,
        client_ref=report.client_ref,
    )
    if clean is not None:
        observation.photo.save("observation.jpg", ContentFile(clean.content), save=False)
    try:
        with transaction.atomic():
            observation.save()
    except IntegrityError:
        return Observation.objects.get(
            owner_organisation=principal.organisation, client_ref=report.client_ref
        ), False
    return observation, True


# --- Review -------------------------------------------------------------------------


def _require_coordinator(principal: Principal, observation: Observation) -> None:
    if not (principal.has(Permission.REVIEW_REPORTS) and can_view(principal, observation)):
        raise PermissionDenied


@transaction.atomic
def review(
    observation: Observation,
    principal: Principal,
    *,
    status: str,
    category: ObservationCategory | None = None,
    feedback: str = "",
    case_category=None,
) -> Observation:
    """The coordinator's decision on a report: information only, or needs action (→ a
    case routed to the organisation responsible), optionally recategorised, with
    feedback to the reporter."""
    _require_coordinator(principal, observation)
    if status not in (Status.INFO, Status.ACTION):
        raise ValidationError({"status": _("Choose information only or needs action.")})
    if category is not None:
        if category.municipality_id != observation.municipality_id:
            raise ValidationError({"category": _("Unknown category.")})
        observation.category = category
    feedback = feedback.strip()
    validate_no_personal_data(feedback)
    if status == Status.ACTION and observation.case_id is None:
        if case_category is None:
            raise ValidationError({"case_category": _("Choose the kind of case.")})

        lat, lon = observation.lat, observation.lon
        if lat is None and observation.area is not None:
            from shapely.geometry import shape

            point = shape(observation.area.geometry).representative_point()
            lat, lon = point.y, point.x
        observation.case = cases.create_case(
            observation.municipality,
            category=case_category,
            lat=lat,
            lon=lon,
            description=observation.description or str(observation.category),
            origin=Origin.STAFF,
            principal=principal,
        )
    observation.status = status
    observation.feedback = feedback
    observation.reviewed_by = principal.user
    observation.reviewed_at = timezone.now()
    observation.save()
    if feedback and observation.reporter and observation.reporter.email:
        observation_id = observation.pk
        transaction.on_commit(lambda: send_feedback.enqueue(observation_id))
    return observation


@transaction.atomic
def merge(duplicate: Observation, into: Observation, principal: Principal) -> None:
    _require_coordinator(principal, duplicate)
    if duplicate.pk == into.pk or into.municipality_id != duplicate.municipality_id:
        raise ValidationError(_("Choose another report."))
    duplicate.status = Status.DUPLICATE
    duplicate.duplicate_of = into.duplicate_of or into
    duplicate.reviewed_by = principal.user
    duplicate.reviewed_at = timezone.now()
    duplicate.save()
    audit.update(
        Observation.objects.filter(duplicate_of=duplicate), duplicate_of=duplicate.duplicate_of
    )


def possible_duplicates(observation: Observation, radius_m: float = 150, hours: int = 24):
    """Reports of the same category group near in place and time."""
    return possible_duplicates_of([observation], radius_m, hours)[observation.pk]


def possible_duplicates_of(
    observations: list[Observation], radius_m: float = 150, hours: int = 24
) -> dict[int, list[Observation]]:
    """``possible_duplicates`` for a whole review queue in two queries, whatever its
    length: the municipality's category tree, then every candidate in the queue's time
    span; the matching (same group, within ``radius_m``, or the same area when a report
    has no position) is done here."""

    found: dict[int, list[Observation]] = {o.pk: [] for o in observations}
    if not observations:
        return found
    window = dt.timedelta(hours=hours)
    group_of = {
        c.pk: c.parent_id or c.pk
        for c in ObservationCategory.objects.filter(
            municipality_id__in={o.municipality_id for o in observations}
        )
    }
    groups = {group_of[o.category_id] for o in observations}
    candidates = list(
        Observation.objects.filter(
            municipality_id__in={o.municipality_id for o in observations},
            category__in=[pk for pk, group in group_of.items() if group in groups],
            occurred_at__range=(
                min(o.occurred_at for o in observations) - window,
                max(o.occurred_at for o in observations) + window,
            ),
        )
        .exclude(status=Status.DUPLICATE)
        .select_related("category__parent", "owner_organisation")
        .order_by("occurred_at", "pk")
    )
    for observation in observations:
        group = group_of[observation.category_id]
        for other in candidates:
            if (
                other.pk == observation.pk
                or other.municipality_id != observation.municipality_id
                or group_of.get(other.category_id) != group
                or abs(other.occurred_at - observation.occurred_at) > window
            ):
                continue
            if observation.lat is not None and other.lat is not None:
                if distance_m(observation.lat, observation.lon, other.lat, other.lon) <= radius_m:
                    found[observation.pk].append(other)
            elif observation.area_id and observation.area_id == other.area_id:
                found[observation.pk].append(other)
    return found


# --- The weekly picture -------------------------------------------------------------

COUNTED = (Status.INFO, Status.ACTION)


@dataclass
class AreaRow:
    area: Area | None
    observations: int = 0
    incidents: int = 0
    previous_mean: float = 0.0
    last_year: int = 0
    categories: Counter = field(default_factory=Counter)
    assessment: AreaAssessment | None = None
    assessment_label: str = ""

    @property
    def total(self) -> int:
        return self.observations + self.incidents

    @property
    def change_vs_previous(self) -> float | None:
        return (
            None if not self.previous_mean else round(100 * (self.total / self.previous_mean - 1))
        )


@dataclass
class WeeklyPicture:
    week: Week
    rows: list[AreaRow]
    totals: dict
    by_category: list[tuple[str, int, int]]  # (label, this week, same week last year)
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


def _incident_counts(principal: Principal, start: dt.date, end: dt.date) -> Counter:
    f = IncidentFilter(municipality_id=principal.municipality.pk, date_from=start, date_to=end)
    return assessment.counts(principal, f, "area_id", "category")


def _week_counts(principal: Principal, week: Week) -> tuple[Counter, Counter, Counter]:
    """(observations per area, incidents per area, per (kind, category label))."""
    obs_area: Counter = Counter()
    by_category: Counter = Counter()
    for area_id, group, name in observations_in(principal, week.start, week.end).values_list(
        "area_id", "category__parent__name", "category__name"
    ):
        obs_area[area_id] += 1
        by_category[group or name] += 1
    inc_area: Counter = Counter()
    labels = dict(Category.choices)
    for (area_id, category), n in _incident_counts(principal, week.start, week.end).items():
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


def weekly_picture(principal: Principal, week: Week) -> WeeklyPicture:
    municipality = principal.municipality
    areas = list(Area.objects.filter(municipality=municipality, kind="district").order_by("name"))
    obs, inc, cats = _week_counts(principal, week)
    previous = [_week_counts(principal, week.shift(-k)) for k in range(1, 5)]
    ly_obs, ly_inc, ly_cats = _week_counts(principal, week.same_week_last_year())
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
            last_year=ly_obs.get(key, 0) + ly_inc.get(key, 0),
            assessment=assessments.get(key),
        )
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
    open_actions = list(
        Action.objects.filter(
            meeting__municipality=municipality,
            status=ActionStatus.OPEN,
            meeting__in=WeeklyMeeting.objects.filter(municipality=municipality).filter(
                Q(iso_year__lt=week.year) | Q(iso_year=week.year, iso_week__lte=week.week)
            ),
        ).select_related("owner", "area", "meeting")
    )
    unreviewed = (
        Observation.objects.visible_to(principal)
        .filter(status=Status.NEW, occurred_at__date__lte=week.end)
        .count()
    )
    return WeeklyPicture(
        week=week,
        rows=rows,
        totals={
            "observations": sum(obs.values()),
            "incidents": sum(inc.values()),
            "previous_mean": round(
                sum(sum(p[0].values()) + sum(p[1].values()) for p in previous) / 4, 1
            ),
            "last_year": sum(ly_obs.values()) + sum(ly_inc.values()),
        },
        by_category=sorted(
            ((label, n, ly_cats.get(label, 0)) for label, n in cats.items()),
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


# --- The meeting --------------------------------------------------------------------


def meeting_for(principal: Principal, week: Week) -> WeeklyMeeting:
    if not principal.has(Permission.RUN_WEEKLY_MEETING):
        raise PermissionDenied
    meeting, _created = WeeklyMeeting.objects.get_or_create(
        municipality=principal.municipality,
        iso_year=week.year,
        iso_week=week.week,
        defaults={"held_on": min(timezone.localdate(), week.end)},
    )
    return meeting


def _require_meeting(principal: Principal, meeting: WeeklyMeeting) -> None:
    if (
        not principal.has(Permission.RUN_WEEKLY_MEETING)
        or meeting.municipality_id != principal.municipality.pk
    ):
        raise PermissionDenied


def add_focus(principal: Principal, meeting: WeeklyMeeting, **fields) -> FocusPlace:
    """A focus place of the week (an area or a named place, and why)."""
    _require_meeting(principal, meeting)
    if not (fields.get("area") or fields.get("place")):
        raise ValidationError(_("Choose an area or name a place."))
    return records.write(FocusPlace(meeting=meeting, **fields))


def add_action(principal: Principal, meeting: WeeklyMeeting, **fields) -> Action:
    """An action decided at the meeting: what, who, by when (open ones return next week)."""
    _require_meeting(principal, meeting)
    return records.write(Action(meeting=meeting, **fields))


def set_attendees(
    principal: Principal, meeting: WeeklyMeeting, attendees, notes: str = ""
) -> WeeklyMeeting:
    _require_meeting(principal, meeting)
    meeting.notes = notes
    return records.write(meeting, {"attendees": attendees})


def follow_up_action(principal: Principal, action: Action, status: str, outcome: str) -> Action:
    """How an open action went: its status (unchanged if not a known one) and outcome."""
    _require_meeting(principal, action.meeting)
    if status in ActionStatus.values:
        action.status = status
    action.outcome = outcome[:300]
    return records.write(action)


def share(meeting: WeeklyMeeting, principal: Principal) -> int:
    """Send the decisions to every partner's members (by e-mail, through the queue)."""
    if not principal.has(Permission.RUN_WEEKLY_MEETING):
        raise PermissionDenied
    meeting.shared_at = timezone.now()
    meeting.save(update_fields=["shared_at"])

    meeting_id = meeting.pk
    transaction.on_commit(lambda: share_decisions.enqueue(meeting_id))
    return meeting.pk


# --- Tertial analysis ---------------------------------------------------------------


def tertial(principal: Principal, year: int, number: int) -> list[dict]:
    """Per area: counts over the tertial, the weekly trend (Mann–Kendall), weeks with a
    hotspot, actions decided and done, and a computed rank (highest need first)."""
    municipality = principal.municipality
    start, end = tertial_range(year, number)
    weeks = []
    w = Week.of(start)
    while w.start <= end:
        weeks.append(w)
        w = w.shift(1)
    areas = list(Area.objects.filter(municipality=municipality, kind="district").order_by("name"))
    per_week = {a.pk: [] for a in areas}
    for week in weeks:
        obs, inc, _c = _week_counts(principal, week)
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
    rows = []
    for a in areas:
        series = per_week[a.pk]
        mk = trends.mann_kendall(series) if len(series) >= 4 and any(series) else None
        total = sum(series)
        per_1000 = round(1000 * total / a.population, 1) if a.population else None
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

""" "Att göra": what waits for the person who opens Trygg, by what their role allows and
what their organisation is responsible for. Each part is shown only to whoever may act on
it, and counts only what the principal may read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from trygg.cases import services as cases
from trygg.cases.models import OPEN_STATES, Case, Moderation, State
from trygg.core.models import OrganisationKind
from trygg.core.permissions import Permission, Principal
from trygg.est.models import Action, ActionStatus, Observation, ObservationUpload, Status
from trygg.est.weeks import Week
from trygg.incidents.models import ImportJob, ImportStatus
from trygg.live.models import EventAlert
from trygg.live.services import alerts as live_alerts
from trygg.plan.models import Measure, MeasureStatus
from trygg.walks.models import Walk, WalkStatus

# A case's next step, offered as one click on the start page.
QUICK_STATES = (State.ACKNOWLEDGED, State.IN_PROGRESS, State.FIXED)


@dataclass
class Todo:
    """The start page's parts; an empty list or None is not shown."""

    waiting: list[tuple[str, int, str]] = field(default_factory=list)  # (what, n, url)
    overdue_by_organisation: list[dict] = field(default_factory=list)
    meeting_week: Week | None = None
    open_actions: int = 0
    walks: list[Walk] = field(default_factory=list)
    failed_imports: list = field(default_factory=list)
    measures_off_track: list[Measure] = field(default_factory=list)
    my_cases: list[tuple[Case, list[tuple[str, str]]]] = field(default_factory=list)
    my_overdue: int = 0
    can_report: bool = False
    my_reports: list[Observation] = field(default_factory=list)
    serious_events: list[EventAlert] | None = None
    read_only: bool = False


def todo(principal: Principal, today: dt.date | None = None) -> Todo:
    today = today or timezone.localdate()
    municipality = principal.municipality
    result = Todo(read_only=not principal.has(Permission.CREATE))
    visible_cases = Case.objects.visible_to(principal).filter(municipality=municipality)

    if principal.has(Permission.REVIEW_REPORTS):
        n = Observation.objects.visible_to(principal).filter(status=Status.NEW).count()
        if n:
            result.waiting.append(("reports", n, reverse("est_review")))
    if principal.has(Permission.MODERATE):
        n = visible_cases.filter(moderation=Moderation.PENDING).exclude(state=State.HIDDEN).count()
        if n:
            result.waiting.append(("moderation", n, reverse("case_moderation")))

    if principal.has(Permission.RUN_WEEKLY_MEETING):
        result.overdue_by_organisation = list(
            visible_cases.filter(state__in=OPEN_STATES, deadline__lt=today)
            .values("owner_organisation_id", "owner_organisation__name")
            .annotate(n=Count("id"))
            .order_by("-n", "owner_organisation__name")
        )
        result.meeting_week = Week.of(today)
        result.open_actions = Action.objects.filter(
            meeting__municipality=municipality, status=ActionStatus.OPEN
        ).count()
        result.walks = list(
            Walk.objects.visible_to(principal)
            .filter(
                municipality=municipality,
                status=WalkStatus.PLANNED,
                date__range=(today, today + dt.timedelta(days=14)),
            )
            .select_related("area")
            .order_by("date", "start_time")
        )
    if principal.has(Permission.IMPORT_DATA):
        since = timezone.now() - dt.timedelta(days=14)
        failed = ImportJob.objects.filter(
            municipality=municipality, status=ImportStatus.FAILED, created_at__gte=since
        ).order_by("-created_at")[:5]
        uploads = ObservationUpload.objects.filter(
            municipality=municipality, status=ImportStatus.FAILED, created_at__gte=since
        ).order_by("-created_at")[:5]
        result.failed_imports = [
            (job.file_name, job.created_at, reverse("import_job", args=[job.pk])) for job in failed
        ] + [
            (job.file_name, job.created_at, reverse("est_upload_job", args=[job.pk]))
            for job in uploads
        ]
    if principal.has(Permission.MANAGE_PLAN):
        result.measures_off_track = list(
            Measure.objects.visible_to(principal)
            .filter(municipality=municipality, status__in=[MeasureStatus.RED, MeasureStatus.YELLOW])
            .select_related("owner_organisation")
            .order_by("status", "end")[:8]
        )

    # The organisation's own cases: what a caretaker or a technical office works through.
    if principal.has(Permission.EDIT_OWN_ORGANISATION):
        mine = visible_cases.filter(
            owner_organisation=principal.organisation, state__in=OPEN_STATES
        ).select_related("category", "area")
        result.my_overdue = mine.filter(deadline__lt=today).count()
        for case in mine.order_by("-created_at")[:10]:
            allowed = set(cases.allowed_transitions(case, principal))
            order = State.values.index
            quick = [
                (s.value, s.label)
                for s in QUICK_STATES
                if s in allowed and order(s) > order(case.state)  # forward only
            ]
            result.my_cases.append((case, quick))

    # Partners who report to the weekly picture.
    if principal.has(Permission.CREATE):
        result.can_report = True
        result.my_reports = list(
            Observation.objects.visible_to(principal)
            .filter(reporter=principal.user)
            .select_related("category__parent", "area")
            .order_by("-occurred_at")[:5]
        )

    if principal.organisation.kind == OrganisationKind.POLICE:
        # The municipality's rules say what is serious (trygg.live).
        week_ago = timezone.now() - dt.timedelta(days=7)
        result.serious_events = list(live_alerts.alerts_for(municipality.pk, week_ago)[:10])
    return result


def overdue_query(organisation_id: int) -> str:
    return f"{reverse('cases')}?status=overdue&organisation={organisation_id}"

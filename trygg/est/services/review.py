"""The weekly picture: the coordinator's review — information or needs action (a case),
recategorising, duplicates, feedback to the reporter."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.cases import services as cases
from trygg.cases.models import Origin
from trygg.core import audit
from trygg.core.geo import distance_m
from trygg.core.pdguard import validate_no_personal_data
from trygg.core.permissions import Permission, Principal, can_view
from trygg.est.models import (
    Observation,
    ObservationCategory,
    Status,
)
from trygg.est.tasks import send_feedback

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
            # The report's own nearest address; a report placed only by its area has none
            # and the case looks one up for the area's point.
            nearest_address=observation.address if observation.lat is not None else None,
            description=observation.description or str(observation.category),
            origin=Origin.STAFF,
            principal=principal,
            origin_record=observation,
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

"""The weekly picture: partners' reports — validated, idempotent by their reference, from
the phone form, the API or a file."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.core import audit, images
from trygg.core.addresses import AddressFinder, describe_place, fill_missing
from trygg.core.bulk import PreparedRows
from trygg.core.models import Area, AreaKind, Municipality, Sensitivity
from trygg.core.pdguard import validate_no_personal_data
from trygg.core.permissions import Permission, Principal
from trygg.core.services import area_index
from trygg.core.services.areas import reassign_points
from trygg.est.models import (
    Observation,
    ObservationCategory,
    ObservationSource,
    Place,
    ScaleKind,
)
from trygg.est.services.scales import scale

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


class Lookups:
    """What checking and placing a report reads from the database — the areas and the
    severity scale — read once, so that a file of thousands of reports is checked without
    a query per row."""

    def __init__(self, municipality: Municipality) -> None:
        self.index = area_index(municipality, AreaKind.DISTRICT)
        # The areas a position can lie in (the index's districts), without their shapes.
        self.areas = {
            a.pk: a
            for a in Area.objects.filter(municipality=municipality, kind=AreaKind.DISTRICT).defer(
                "geometry"
            )
        }
        self.severities = {value for value, _label in scale(municipality, ScaleKind.SEVERITY)}
        self.municipality_id = municipality.pk
        self._addresses: AddressFinder | None = None

    def prepare_addresses(self, points: list[tuple[float, float]]) -> None:
        """Read the address points near many reports at once (a file's)."""
        self._addresses = AddressFinder(self.municipality_id, points)

    def describe(self, lat: float | None, lon: float | None) -> str:
        """The report's nearest address or street (core.addresses)."""
        if self._addresses is not None:
            return self._addresses.describe(lat, lon)
        return describe_place(self.municipality_id, lat, lon)

    def locate(self, lat: float, lon: float | None) -> Area | None:
        if lon is None:
            return None
        area_id = self.index.locate(lat, lon)
        return self.areas.get(area_id) if area_id is not None else None


def validate(
    municipality: Municipality,
    report: Report,
    now: dt.datetime | None = None,
    lookups: Lookups | None = None,
) -> dict:
    """Every problem of a report, by field (empty: fine)."""
    now = now or timezone.now()
    lookups = lookups or Lookups(municipality)
    errors: dict[str, list[str]] = defaultdict(list)
    if report.category is None or report.category.municipality_id != municipality.pk:
        errors["category"].append(_("Choose what you saw."))
    elif not report.category.is_active:
        errors["category"].append(_("That category is no longer used."))
    if report.lat is None and report.place is None and report.area is None:
        errors["lat"].append(_("Say where: your position, a place from the list, or an area."))
    if report.lat is not None and report.place is None:
        # A position is checked whatever else is given: it is stored and drawn.
        located = lookups.locate(report.lat, report.lon)
        if located is None:
            errors["lat"].append(_("The position is outside the municipality."))
        elif (
            report.area is not None
            and report.area.kind == located.kind
            and located.pk != report.area.pk
        ):
            errors["lat"].append(
                _("The position is not in %(area)s, the area given.") % {"area": report.area.name}
            )
    if report.occurred_at is None:
        errors["occurred_at"].append(_("Say when."))
    elif report.occurred_at > now + dt.timedelta(minutes=10):
        errors["occurred_at"].append(_("The time is in the future."))
    elif report.occurred_at < now - dt.timedelta(days=366):
        errors["occurred_at"].append(_("The time is more than a year ago."))
    if report.occurred_until and report.occurred_at and report.occurred_until < report.occurred_at:
        errors["occurred_until"].append(_("It ends before it starts."))
    if report.severity not in lookups.severities:
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
    lookups = Lookups(municipality)
    errors = validate(municipality, report, lookups=lookups)
    clean = None
    if report.photo is not None:  # size, format and metadata: core.images
        try:
            clean = images.clean_photo(report.photo)
        except ValidationError as exc:
            errors["photo"] = exc.messages
    if errors:
        raise ValidationError(errors)
    observation = _observation(principal, report, lookups)
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


def _observation(principal: Principal, report: Report, lookups: Lookups) -> Observation:
    """The unsaved observation of a validated report, placed: a place gives its position
    and area; a position alone, the area it lies in."""
    lat, lon, area = report.lat, report.lon, report.area
    if report.place is not None:
        lat, lon, area = report.place.lat, report.place.lon, report.place.area
    if area is None and lat is not None:
        area = lookups.locate(lat, lon)
    return Observation(
        municipality=principal.municipality,
        owner_organisation=principal.organisation,
        sensitivity=report.sensitivity,
        category=report.category,
        lat=lat,
        lon=lon,
        area=area,
        place=report.place,
        address=lookups.describe(lat, lon),
        occurred_at=report.occurred_at,
        occurred_until=report.occurred_until,
        severity=report.severity,
        description=report.description.strip(),
        reporter=principal.user,
        source=report.source,
        client_ref=report.client_ref,
    )


def report_many(
    principal: Principal,
    reports: list[Report],
    lookups: Lookups | None = None,
    *,
    about: models.Model | None = None,
) -> tuple[int, int]:
    """Store a file's reports, already validated (``validate``) and each with its own
    ``client_ref``: (created, unchanged). Everything is prepared before the write; the
    write transaction only checks which references arrived meanwhile (from the phone form
    or the API) and inserts the rest — a fraction of a second for 15 000 reports, so other
    writers are never held up long. A repeat of the file stores nothing twice. The audit
    log gets one entry for the lot, about ``about`` (the upload job)."""
    if not principal.has(Permission.CREATE):
        raise PermissionDenied
    lookups = lookups or Lookups(principal.municipality)
    lookups.prepare_addresses(
        [(r.lat, r.lon) for r in reports if r.lat is not None and r.lon is not None]
        + [(r.place.lat, r.place.lon) for r in reports if r.place is not None]
    )
    refs = [r.client_ref for r in reports]
    placed: dict[int, Observation] = {}  # made once, for the reports not stored before
    for _attempt in range(3):
        seen = Observation.objects.aggregate(last=Max("pk"))["last"] or 0
        stored = _stored_refs(principal, refs)
        for i, ref in enumerate(refs):
            if ref not in stored and i not in placed:
                placed[i] = _observation(principal, reports[i], lookups)
        fresh = [placed[i] for i, ref in enumerate(refs) if ref not in stored]
        rows = PreparedRows(Observation, fresh)
        try:
            with transaction.atomic():
                # Reports the phone form or the API stored meanwhile are not stored twice
                # (one that commits later, with an earlier id, meets the unique index).
                arrived = set(
                    Observation.objects.filter(
                        owner_organisation=principal.organisation, pk__gt=seen
                    ).values_list("client_ref", flat=True)
                )
                keep = [i for i, o in enumerate(fresh) if o.client_ref not in arrived]
                ids = rows.insert(keep)
                audit.record_bulk_created(Observation, ids, about=about)
        except IntegrityError:  # one arrived in between, not yet visible (PostgreSQL)
            continue
        return len(keep), len(reports) - len(keep)
    raise ValidationError(_("The reports could not be stored; try again."))


BULK_BATCH = 500


def _stored_refs(principal: Principal, refs: list[str]) -> set[str]:
    stored: set[str] = set()
    for start in range(0, len(refs), BULK_BATCH * 4):
        stored.update(
            Observation.objects.filter(
                owner_organisation=principal.organisation,
                client_ref__in=refs[start : start + BULK_BATCH * 4],
            ).values_list("client_ref", flat=True)
        )
    return stored


def fill_missing_addresses(sender, municipality, **kwargs) -> None:
    """The municipality's address register was imported (core.signals): give the reports
    that have no place text yet theirs."""
    fill_missing(Observation.objects.filter(municipality=municipality), municipality.pk)


def reassign_to_areas(sender, municipality, kind, **kwargs) -> int:
    """``areas_changed``: partners' reports and known places go to the district they lie
    in now (inside the area import's transaction)."""
    if kind != AreaKind.DISTRICT:
        return 0
    return reassign_points(
        Observation.objects.filter(municipality=municipality), municipality, kind
    ) + reassign_points(Place.objects.filter(municipality=municipality), municipality, kind)

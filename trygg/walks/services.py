"""The rules of safety walks: checklist templates, findings synced exactly once from
phones, routing findings to cases, the protocol."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trygg.cases import services as cases
from trygg.cases.models import CaseCategory, Origin
from trygg.core import audit, images, records
from trygg.core.addresses import describe_place, fill_missing
from trygg.core.models import Municipality
from trygg.core.pdguard import mask_personal_data
from trygg.core.permissions import Permission, Principal, can_edit, can_view
from trygg.walks import invitations, tasks
from trygg.walks.models import (
    ChecklistTemplate,
    Finding,
    FindingPhoto,
    ItemKind,
    PositionSource,
    ProtocolJob,
    Walk,
    WalkStatus,
)

# What Swedish safety-walk practice looks at (Boverket, BRÅ, the municipalities' own
# guides): a point is ticked when it is a problem at the place.
DEFAULT_CHECKS = [
    ("lighting", gettext_lazy("Poor or broken lighting")),
    ("vegetation", gettext_lazy("Vegetation blocking the view")),
    ("visibility", gettext_lazy("Not visible from homes or shops (no eyes on the street)")),
    ("paths", gettext_lazy("Paths and accessibility")),
    ("litter", gettext_lazy("Litter")),
    ("graffiti", gettext_lazy("Graffiti and vandalism")),
    ("tunnel", gettext_lazy("Tunnel or underpass")),
    ("traffic", gettext_lazy("Crossings and traffic")),
    ("signage", gettext_lazy("Orientation and signage")),
]
# Safetipin's nine parameters, each scored 0 (poor) to 3 (good).
SAFETIPIN = [
    ("st_lighting", gettext_lazy("Lighting")),
    ("st_openness", gettext_lazy("Openness")),
    ("st_visibility", gettext_lazy("Visibility")),
    ("st_people", gettext_lazy("People")),
    ("st_security", gettext_lazy("Security")),
    ("st_walk_path", gettext_lazy("Walk path")),
    ("st_public_transport", gettext_lazy("Public transport")),
    ("st_gender_usage", gettext_lazy("Gender usage")),
    ("st_feeling", gettext_lazy("Feeling")),
]


def default_items() -> list[dict]:
    """The default checklist, in the municipality's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _default_items()


def _default_items() -> list[dict]:
    return [
        {"key": k, "label": str(label), "kind": ItemKind.CHECK} for k, label in DEFAULT_CHECKS
    ] + [{"key": k, "label": str(label), "kind": ItemKind.SCORE} for k, label in SAFETIPIN]


def default_template(municipality: Municipality) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(municipality=municipality, is_default=True).first()
    if template is None:
        with translation.override(settings.LANGUAGE_CODE):
            name = _("Safety walk (standard)")
        template, _created = ChecklistTemplate.objects.get_or_create(
            municipality=municipality,
            name=name,
            defaults={"items": default_items(), "is_default": True},
        )
    return template


def items_from_lines(checks: str, scores: str, previous: list[dict] | None = None) -> list[dict]:
    """Template items from two lists of labels (one per line). Keys of unchanged labels
    are kept, so findings already captured still match their items."""
    known = {item["label"]: item["key"] for item in previous or []}
    items, used = [], set()
    for kind, text in ((ItemKind.CHECK, checks), (ItemKind.SCORE, scores)):
        for line in text.splitlines():
            label = line.strip()
            if not label:
                continue
            key = known.get(label) or slugify(label)[:40] or f"item{len(items) + 1}"
            base, n = key, 2
            while key in used:
                key, n = f"{base}-{n}", n + 1
            used.add(key)
            items.append({"key": key, "label": label, "kind": kind})
    if not items:
        raise ValidationError(_("A checklist needs at least one point."))
    return items


# --- Capture and sync ---------------------------------------------------------------


def plan_walk(principal: Principal, walk: Walk, related: dict) -> Walk:
    """A new walk, planned by ``principal``'s organisation; the invited organisations get
    an invitation with a calendar file."""
    if not principal.has(Permission.CREATE):
        raise PermissionDenied
    walk.municipality = principal.municipality
    if not walk.owner_organisation_id:
        walk.owner_organisation = principal.organisation
    walk.created_by = principal.user
    with transaction.atomic():
        records.write(walk, related)
        _invite(walk, invitations.REQUEST, {o.pk for o in walk.invited.all()}, changed=False)
    return walk


# What the invited see in their calendars: a change of any of these is sent to them.
INVITATION_FIELDS = ("title", "date", "start_time", "meeting_point", "area_id")


def update_walk(principal: Principal, walk: Walk, related: dict) -> Walk:
    """The walk as its form changed it (in memory). A change the invited see (time,
    place, title) is sent to them as an update; an organisation no longer invited gets a
    cancellation, a newly invited one the invitation."""
    if not can_edit(principal, walk):
        raise PermissionDenied
    before = Walk.objects.get(pk=walk.pk)
    invited_before = set(before.invited.values_list("pk", flat=True))
    with transaction.atomic():
        records.write(walk, related)
        invited = set(walk.invited.values_list("pk", flat=True))
        if walk.status != WalkStatus.PLANNED or walk.has_started():
            return walk  # the walk is behind us: nothing to put in calendars
        changed = any(getattr(before, f) != getattr(walk, f) for f in INVITATION_FIELDS)
        dropped = invited_before - invited
        if changed or dropped:
            _next_revision(walk)  # one revision: the update and the cancellations
        if changed:
            _invite(walk, invitations.REQUEST, invited, changed=True)
        else:
            _invite(walk, invitations.REQUEST, invited - invited_before, changed=False)
        _invite(walk, invitations.CANCEL, dropped, changed=True)
    return walk


@transaction.atomic
def cancel_walk(principal: Principal, walk: Walk) -> Walk:
    """A planned walk called off: the invited get a cancellation for their calendars."""
    if not can_edit(principal, walk):
        raise PermissionDenied
    if walk.status != WalkStatus.PLANNED:
        raise ValidationError(_("Only a planned walk can be cancelled."))
    walk.status = WalkStatus.CANCELLED
    walk.save(update_fields=["status"])
    _next_revision(walk)
    _invite(walk, invitations.CANCEL, set(walk.invited.values_list("pk", flat=True)), changed=True)
    return walk


def _next_revision(walk: Walk) -> None:
    """What the invited hold is out of date: the calendar SEQUENCE goes up by one."""
    walk.invitation_sequence += 1
    audit.update(Walk.objects.filter(pk=walk.pk), invitation_sequence=walk.invitation_sequence)


def _invite(walk: Walk, method: str, organisation_ids: set[int], *, changed: bool) -> None:
    """Queue the e-mails (with the walk's revision) once the walk is stored."""
    if not organisation_ids:
        return
    walk_id, ids, sequence = walk.pk, sorted(organisation_ids), walk.invitation_sequence
    transaction.on_commit(
        lambda: tasks.send_invitations.enqueue(walk_id, method, ids, changed, sequence)
    )


def published_walks(municipality: Municipality):
    """The walks the public site shows: published, and not restricted."""
    return (
        Walk.objects.filter(municipality=municipality, status=WalkStatus.PUBLISHED)
        .exclude(sensitivity="restricted")
        .select_related("area", "template", "owner_organisation", "municipality")
    )


def record_participants(principal: Principal, walk: Walk) -> Walk:
    """Participants (counts per kind) and the summary, as the form changed them: the
    leader marks the walk done. A planned walk whose start time has come is now walked."""
    if not can_edit(principal, walk):
        raise PermissionDenied
    if walk.status == WalkStatus.PLANNED and walk.has_started():
        walk.status = WalkStatus.WALKED
    return records.write(walk)


@transaction.atomic
def save_checklist(
    principal: Principal,
    template: ChecklistTemplate | None,
    *,
    name: str,
    description: str,
    checks: str,
    scores: str,
    is_default: bool,
) -> ChecklistTemplate:
    """Create or change a checklist template (one line per item); the default one is the
    municipality's only default."""
    if not principal.has(Permission.MANAGE_CHECKLISTS):
        raise PermissionDenied
    municipality = principal.municipality
    if template is not None and template.municipality_id != municipality.pk:
        raise PermissionDenied
    items = items_from_lines(checks, scores, template.items if template else None)
    template = template or ChecklistTemplate(municipality=municipality)
    template.name = name
    template.description = description
    template.items = items
    template.is_default = is_default
    template.save()
    if template.is_default:
        audit.update(
            ChecklistTemplate.objects.filter(municipality=municipality).exclude(pk=template.pk),
            is_default=False,
        )
    return template


def capture_walks(principal: Principal, today: dt.date | None = None):
    """The walks a leader may capture on: from a week ago to a week ahead, not called off."""
    today = today or timezone.localdate()
    return (
        Walk.objects.editable_by(principal)
        .filter(date__range=(today - dt.timedelta(days=7), today + dt.timedelta(days=7)))
        .exclude(status=WalkStatus.CANCELLED)
        .select_related("area", "template")
        .order_by("date", "start_time")
    )


def capture_payload(principal: Principal) -> dict:
    """Everything the phone needs to capture offline."""
    walks = list(capture_walks(principal))
    categories = CaseCategory.objects.filter(municipality=principal.municipality)
    synced = {}
    for finding in Finding.objects.filter(walk__in=walks).values("walk_id", "client_id"):
        synced.setdefault(finding["walk_id"], []).append(str(finding["client_id"]))
    return {
        "walks": [
            {
                "id": w.pk,
                "title": w.title,
                "date": w.date.isoformat(),
                "start_time": w.start_time.strftime("%H:%M"),
                "area": w.area.name,
                "area_bounds": [w.area.min_lat, w.area.min_lon, w.area.max_lat, w.area.max_lon],
                "route": w.route,
                "stops": w.stop_list(),
                "items": w.template.items,
                "synced": synced.get(w.pk, []),
            }
            for w in walks
        ],
        "categories": [{"id": c.pk, "label": c.label} for c in categories],
    }


class SyncError(ValidationError):
    pass


def _parse_payload(walk: Walk, payload: dict) -> dict:
    try:
        lat, lon = float(payload["lat"]), float(payload["lon"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncError(_("The finding has no position.")) from exc
    category = CaseCategory.objects.filter(
        municipality=walk.municipality, pk=payload.get("category")
    ).first()
    if category is None:
        raise SyncError(_("Unknown category."))
    items = {i["key"]: i["kind"] for i in walk.template.items}
    checks = [k for k in payload.get("checks") or [] if items.get(k) == ItemKind.CHECK]
    scores = {}
    for key, value in (payload.get("scores") or {}).items():
        if items.get(key) != ItemKind.SCORE or value in (None, ""):
            continue
        try:
            value = int(value)
        except (TypeError, ValueError) as exc:
            raise SyncError(_("A score must be 0, 1, 2 or 3.")) from exc
        if not 0 <= value <= 3:
            raise SyncError(_("A score must be 0, 1, 2 or 3."))
        scores[key] = value
    captured_at = parse_datetime(str(payload.get("captured_at") or "")) or timezone.now()
    if timezone.is_naive(captured_at):
        captured_at = timezone.make_aware(captured_at)
    source = payload.get("position_source") or PositionSource.GPS
    if source not in PositionSource.values:
        source = PositionSource.GPS
    accuracy = payload.get("accuracy_m")
    description, masked = mask_personal_data(str(payload.get("description") or "")[:2000])
    return {
        "lat": lat,
        "lon": lon,
        "category": category,
        "checks": checks,
        "scores": scores,
        "captured_at": captured_at,
        "position_source": source,
        "accuracy_m": float(accuracy) if isinstance(accuracy, int | float) else None,
        "description": description.strip(),
        "masked_personal_data": len(masked),
    }


def sync_finding(
    walk: Walk, principal: Principal, client_id: uuid.UUID, payload: dict
) -> tuple[Finding, bool]:
    """Store a finding sent by a phone, exactly once: a second delivery of the same
    ``client_id`` (a retry after a lost response, two tabs) returns the stored one.
    Personal data in the text is masked, not refused: the walk leader is no longer
    there to correct it and the finding must not be lost. The finding becomes a case
    routed to whoever must fix it; if no rule routes it, it waits for the coordinator."""
    if not can_edit(principal, walk):
        raise PermissionDenied
    existing = _stored_finding(walk, client_id)
    if existing is not None:
        return existing, False
    values = _parse_payload(walk, payload)
    try:
        with transaction.atomic():
            finding = Finding(walk=walk, client_id=client_id, captured_by=principal.user, **values)
            finding.address = describe_place(walk.municipality_id, finding.lat, finding.lon)
            # Uniqueness is the database's to decide (below): a check here would race a
            # concurrent delivery of the same finding and refuse it as "already exists".
            finding.full_clean(exclude=["case"], validate_unique=False)
            finding.save()
            _route(finding, principal)
    except IntegrityError:
        # The same client_id arrived at the same moment by another request: a duplicate
        # delivery is a success with the stored finding.
        stored = _stored_finding(walk, client_id)
        if stored is None:
            raise
        return stored, False
    except ValidationError as exc:
        raise SyncError(exc.messages) from exc
    # A finding captured during the walk makes it walked; one noted before it started
    # (a caretaker's reconnaissance that morning) does not.
    if walk.status == WalkStatus.PLANNED and walk.has_started(
        min(finding.captured_at, timezone.now())
    ):
        audit.update(
            Walk.objects.filter(pk=walk.pk, status=WalkStatus.PLANNED), status=WalkStatus.WALKED
        )
    return finding, True


def _stored_finding(walk: Walk, client_id: uuid.UUID) -> Finding | None:
    """The finding already stored under ``client_id`` (None: none yet); SyncError if it
    belongs to another walk."""
    existing = Finding.objects.filter(client_id=client_id).select_related("walk").first()
    if existing is not None and existing.walk_id != walk.pk:
        raise SyncError(_("This finding belongs to another walk."))
    return existing


def _case_text(finding: Finding) -> str:
    """The case's text, in the municipality's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _case_text_now(finding)


def _case_text_now(finding: Finding) -> str:
    labels = {i["key"]: i["label"] for i in finding.walk.template.items}
    parts = [finding.description] if finding.description else []
    if finding.checks:
        parts.append(
            _("Checklist: %(items)s.")
            % {"items": ", ".join(labels.get(k, k) for k in finding.checks)}
        )
    parts.append(
        _("From the safety walk “%(walk)s”, %(date)s.")
        % {"walk": finding.walk.title, "date": finding.walk.date}
    )
    return "\n".join(parts)


def _route(finding: Finding, principal: Principal) -> None:
    try:
        with transaction.atomic():
            case = cases.create_case(
                finding.walk.municipality,
                category=finding.category,
                lat=finding.lat,
                lon=finding.lon,
                nearest_address=finding.address,
                description=_case_text(finding),
                origin=Origin.WALK,
                principal=principal,
                sensitivity=finding.walk.sensitivity,
                origin_record=finding.walk,
            )
    except ValidationError:
        return  # no rule routes it (or outside every area): the coordinator routes it
    finding.case = case
    finding.save(update_fields=["case"])


def route_finding(finding: Finding, principal: Principal) -> bool:
    """Route a finding that has no case yet (e.g. after a routing rule was added)."""
    if not principal.has(Permission.CREATE) or not can_view(principal, finding.walk):
        raise PermissionDenied
    if finding.case_id:
        return True
    _route(finding, principal)
    return finding.case_id is not None


def add_finding_photo(
    finding: Finding, principal: Principal, client_id: uuid.UUID, data: bytes
) -> tuple[FindingPhoto, bool]:
    """Store a photo of a finding exactly once (by the phone's ``client_id``). The
    photo is re-encoded without metadata; the position in its EXIF is kept as fields
    (a staff capture), and places the finding if the phone had no position for it."""
    if not can_edit(principal, finding.walk):
        raise PermissionDenied
    existing = FindingPhoto.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.finding_id != finding.pk:
            raise SyncError(_("This photo belongs to another finding."))
        return existing, False
    clean = images.clean_photo(data, keep_position=True)
    taken_at = timezone.make_aware(clean.taken_at) if clean.taken_at else None
    try:
        with transaction.atomic():
            photo = FindingPhoto(
                finding=finding,
                client_id=client_id,
                width=clean.width,
                height=clean.height,
                lat=clean.lat,
                lon=clean.lon,
                taken_at=taken_at,
            )
            photo.image.save(
                f"finding-{finding.pk}-{client_id}.jpg", ContentFile(clean.content), save=False
            )
            photo.save()
    except IntegrityError:
        return FindingPhoto.objects.get(client_id=client_id, finding=finding), False
    return photo, True


# --- The protocol -------------------------------------------------------------------


@transaction.atomic
def publish(walk: Walk, principal: Principal) -> None:
    if not can_edit(principal, walk):
        raise PermissionDenied
    walk.status = WalkStatus.PUBLISHED
    walk.published_at = timezone.now()
    walk.save()


@transaction.atomic
def unpublish(walk: Walk, principal: Principal) -> None:
    if not can_edit(principal, walk):
        raise PermissionDenied
    walk.status = WalkStatus.WALKED
    walk.published_at = None
    walk.save()


def request_protocol(walk: Walk) -> None:
    job, created = ProtocolJob.objects.get_or_create(walk=walk)
    if not created:
        job.mark_queued()
        audit.update(ProtocolJob.objects.filter(pk=job.pk), requested_at=timezone.now())
    job.enqueue()


def fill_missing_addresses(sender, municipality, **kwargs) -> None:
    """The municipality's address register was imported (core.signals): give the findings
    that have no place text yet theirs."""
    fill_missing(Finding.objects.filter(walk__municipality=municipality), municipality.pk)

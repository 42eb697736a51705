"""Cases: creating (routed, announced), the state machine, notes, decided actions,
"not ours", merging duplicates and moderating what the public wrote."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trygg.cases import origins
from trygg.cases.mailing import (  # noqa: F401 - part of the services' interface
    erase_expired_emails,
    overdue_by_organisation,
    responsible_addresses,
)
from trygg.cases.models import (
    CLOSED_STATES,
    OPEN_STATES,
    Case,
    CaseCategory,
    CasePhoto,
    CaseUpdate,
    Moderation,
    Origin,
    State,
)
from trygg.cases.services.notify import (
    _after_commit_confirm_report,
    _after_commit_notify_reporters,
    _after_commit_notify_responsible,
)
from trygg.cases.services.routing import deadline_for, route
from trygg.core import audit, images
from trygg.core.addresses import describe_place, fill_missing
from trygg.core.models import Municipality, Organisation, SensitiveRecord, Sensitivity
from trygg.core.pdguard import validate_no_personal_data
from trygg.core.permissions import Permission, Principal, can_edit, can_view
from trygg.core.roles import stricter
from trygg.core.services import locate_area

# --- Creating -----------------------------------------------------------------------


def _stored(message: str, **params) -> str:
    """A text Trygg writes into a case's history: in the municipality's language
    (settings.LANGUAGE_CODE), whatever language the person acting uses."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message)
    return text % params if params else text


def plain_text(value: str) -> str:
    """Text as a person typed it: no NUL or other control characters (line breaks and
    tabs kept), trimmed. What another app sends may carry anything."""
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def _check_text(value: str, field: str) -> None:
    try:
        validate_no_personal_data(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _actor(principal: Principal | None) -> dict:
    if principal is None or not principal.is_member:
        return {"author": None, "organisation": None}
    return {"author": principal.user, "organisation": principal.organisation}


@transaction.atomic
def create_case(
    municipality: Municipality,
    *,
    category: CaseCategory,
    lat: float,
    lon: float,
    description: str,
    origin: str,
    principal: Principal | None = None,
    reporter_email: str = "",
    address: str = "",
    nearest_address: str | None = None,
    attributes: dict | None = None,
    photo: bytes | None = None,
    open311_key=None,
    media_url: str = "",
    sensitivity: str | None = None,
    origin_ref: str = "",
    origin_record: SensitiveRecord | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Create, route and announce a case. Text from the public waits for moderation.
    ``origin_ref`` names a record of another app it was made from ("plan.decision:17"):
    that app writes its link back (cases.origins). A case made from a sensitive record
    (``origin_record``: a walk, an observation) is at least as closed as it: made from a
    restricted record it is restricted to the record's organisations (and the one that
    must fix it); a restricted case is always readable by the organisation that made it."""
    if origin_ref:
        origins.parse(origin_ref)
    if category.municipality_id != municipality.pk:
        raise ValidationError({"category": _("Unknown category.")})
    if origin in (Origin.STAFF, Origin.WALK) and (
        principal is None or not principal.has(Permission.CREATE)
    ):
        raise PermissionDenied
    description = plain_text(description or "")
    address = plain_text(address or "")
    if not description:
        raise ValidationError({"description": _("Describe what feels unsafe.")})
    _check_text(description, "description")
    _check_text(address, "address")
    attributes = {
        code: [plain_text(str(v)) for v in value]
        if isinstance(value, list)
        else plain_text(str(value))
        for code, value in (attributes or {}).items()
    }
    for code, value in attributes.items():
        for text in value if isinstance(value, list) else [value]:
            _check_text(text, f"attribute[{code}]")
    area = locate_area(municipality, lat, lon)
    if area is None:
        raise ValidationError({"lat": _("The place is outside the municipality.")})
    # What the reporter typed (staff: "the playground behind the school"; an Open311
    # client's address_string) is kept; else the register's nearest address or street.
    # (``nearest_address``: already looked up for the record the case is made from.)
    address_typed = bool(address)
    if not address:
        address = (
            nearest_address
            if nearest_address is not None
            else describe_place(municipality.pk, lat, lon)
        )
    routed = route(municipality, category, lat, lon, area)
    now = now or timezone.now()
    from_public = origin in (Origin.PUBLIC, Origin.OPEN311)
    if sensitivity is None:
        # What the public reported is public (its text once moderated); staff choose.
        sensitivity = Sensitivity.PUBLIC if from_public else Sensitivity.PARTNERS
    named: set[int] = set()
    if origin_record is not None:
        sensitivity = stricter(sensitivity, origin_record.sensitivity)
        if sensitivity == Sensitivity.RESTRICTED:
            named = {origin_record.owner_organisation_id}
            if origin_record.sensitivity == Sensitivity.RESTRICTED:
                named |= set(origin_record.restricted_to.values_list("pk", flat=True))
    if sensitivity == Sensitivity.RESTRICTED and principal is not None and principal.is_member:
        # Whoever makes a restricted case keeps reading it, wherever it is routed.
        named.add(principal.acting_membership.organisation_id)
    case = Case(
        municipality=municipality,
        owner_organisation=routed.organisation,
        sensitivity=sensitivity,
        category=category,
        origin=origin,
        lat=lat,
        lon=lon,
        area=area,
        address=address[:200],
        address_typed=address_typed,
        description=description,
        moderation=Moderation.PENDING if from_public else Moderation.APPROVED,
        attributes=attributes or {},
        reporter_email=reporter_email,
        open311_key=open311_key,
        media_url=media_url,
        deadline=deadline_for(category, timezone.localdate(now)),
        created_by=principal.user if principal and principal.is_member else None,
        origin_ref=origin_ref,
    )
    case.full_clean(exclude=["restricted_to"])
    case.save()
    if named - {case.owner_organisation_id}:
        case.restricted_to.set(named - {case.owner_organisation_id})
    if origin_ref:
        origins.link(principal, origin_ref, case)
    if photo is not None:
        add_photo(case, photo, is_public=False)
    where = routed.property.name if routed.property else (area.name if area else "")
    CaseUpdate.objects.create(
        case=case,
        at=now,
        state_to=State.NEW,
        reassigned_to=routed.organisation,
        is_public=False,
        text=_stored(
            gettext_noop("Routed to %(org)s (%(where)s)."), org=routed.organisation, where=where
        ),
        **_actor(principal),
    )
    _after_commit_notify_responsible(case)
    _after_commit_confirm_report(case)
    return case


def add_photo(case: Case, data: bytes, *, is_public: bool) -> CasePhoto:
    clean = images.clean_photo(data, keep_position=False)
    photo = CasePhoto(case=case, width=clean.width, height=clean.height, is_public=is_public)
    photo.image.save(f"case-{case.pk}.jpg", ContentFile(clean.content), save=False)
    photo.save()
    return photo


# --- The state machine --------------------------------------------------------------

# Which states each state may move to. Closing and reopening are open to the
# responsible organisation; hiding (spam, abuse) needs the moderate permission.
TRANSITIONS: dict[str, frozenset[str]] = {
    **{s: (OPEN_STATES | {State.FIXED, State.WONT_FIX}) - {s, State.NEW} for s in OPEN_STATES},
    State.FIXED: frozenset({State.ACKNOWLEDGED, State.IN_PROGRESS}),
    State.WONT_FIX: frozenset({State.ACKNOWLEDGED, State.IN_PROGRESS}),
    State.DUPLICATE: frozenset({State.ACKNOWLEDGED}),
    State.HIDDEN: frozenset({State.NEW, State.ACKNOWLEDGED}),
}


def allowed_transitions(case: Case, principal: Principal) -> list[str]:
    if not can_edit(principal, case):
        return []
    targets = set(TRANSITIONS[case.state])
    if principal.has(Permission.MODERATE) and case.state != State.HIDDEN:
        targets.add(State.HIDDEN)
    # Duplicates are made by merging, so that the case they duplicate is named.
    targets.discard(State.DUPLICATE)
    return [s for s in State.values if s in targets]


def _require_edit(case: Case, principal: Principal) -> None:
    if not can_edit(principal, case):
        raise PermissionDenied


@transaction.atomic
def change_state(
    case: Case,
    principal: Principal,
    new_state: str,
    *,
    text: str = "",
    is_public: bool = True,
    decided_action: str | None = None,
    now: dt.datetime | None = None,
) -> CaseUpdate:
    """Move ``case`` to ``new_state`` with a note. "Will not be fixed" needs a public
    reason; every change is an update in the case's history."""
    _require_edit(case, principal)
    if new_state not in allowed_transitions(case, principal):
        raise ValidationError(
            {
                "state": _("A case that is “%(from)s” cannot become “%(to)s”.")
                % {"from": case.get_state_display(), "to": State(new_state).label}
            }
        )
    text = text.strip()
    _check_text(text, "text")
    if decided_action is not None:
        _check_text(decided_action, "decided_action")
        case.decided_action = decided_action.strip()
    if new_state == State.WONT_FIX:
        if not (text or case.decided_action):
            raise ValidationError(
                {"text": _("Say why nothing will be done: the reason is shown publicly.")}
            )
        is_public = True
        if not case.decided_action:
            case.decided_action = text
    now = now or timezone.now()
    old = case.state
    case.state = new_state
    if new_state in CLOSED_STATES:
        case.closed_at = now
    elif old in CLOSED_STATES or old == State.HIDDEN:
        case.closed_at = None
    if new_state != State.NEW and case.acknowledged_at is None and new_state != State.HIDDEN:
        case.acknowledged_at = now
    case.save()
    update = CaseUpdate.objects.create(
        case=case,
        at=now,
        text=text,
        is_public=is_public and new_state != State.HIDDEN,
        state_from=old,
        state_to=new_state,
        **_actor(principal),
    )
    if update.is_public:
        _after_commit_notify_reporters(case, update)
    return update


@transaction.atomic
def add_note(case: Case, principal: Principal, text: str, *, is_public: bool) -> CaseUpdate:
    _require_edit(case, principal)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a note.")})
    _check_text(text, "text")
    update = CaseUpdate.objects.create(
        case=case, text=text, is_public=is_public, **_actor(principal)
    )
    audit.update(Case.objects.filter(pk=case.pk), updated_at=timezone.now())
    if is_public:
        _after_commit_notify_reporters(case, update)
    return update


@transaction.atomic
def update_case(
    case: Case,
    principal: Principal,
    *,
    state: str | None = None,
    text: str = "",
    is_public: bool = True,
    decided_action: str | None = None,
) -> CaseUpdate:
    """One update of a case from its page or the API: a new state, a note, a decided
    action — any of them. A decided action that changes is saved on the case and, when
    nothing else is said, written as a public note ("Decided action: …")."""
    _require_edit(case, principal)
    if decided_action is not None:
        decided_action = decided_action.strip()
        if decided_action == case.decided_action:
            decided_action = None
    if state:
        return change_state(
            case, principal, state, text=text, is_public=is_public, decided_action=decided_action
        )
    if decided_action is not None:
        _check_text(decided_action, "decided_action")
        case.decided_action = decided_action
        case.save()
        if not text.strip():
            text = _stored(gettext_noop("Decided action: %(text)s"), text=decided_action)
            is_public = True
    return add_note(case, principal, text, is_public=is_public)


@transaction.atomic
def reassign(
    case: Case, principal: Principal, organisation: Organisation, text: str = ""
) -> CaseUpdate:
    """ "Not ours": hand the case to the organisation that is responsible. The case
    starts again as new there, with its deadline kept."""
    _require_edit(case, principal)
    if organisation.municipality_id != case.municipality_id or not organisation.is_active:
        raise ValidationError({"organisation": _("Choose an organisation of the collaboration.")})
    if organisation.pk == case.owner_organisation_id:
        raise ValidationError({"organisation": _("The case is already with that organisation.")})
    text = text.strip()
    _check_text(text, "text")
    old_org, old_state = case.owner_organisation, case.state
    case.owner_organisation = organisation
    if case.state not in CLOSED_STATES:
        case.state = State.NEW
    case.save()
    update = CaseUpdate.objects.create(
        case=case,
        text=text or _stored(gettext_noop("Not ours: passed on to %(org)s."), org=organisation),
        is_public=False,
        state_from=old_state,
        state_to=case.state,
        reassigned_from=old_org,
        reassigned_to=organisation,
        **_actor(principal),
    )
    _after_commit_notify_responsible(case)
    return update


@transaction.atomic
def merge(duplicate: Case, into: Case, principal: Principal) -> CaseUpdate:
    """Close ``duplicate`` as a duplicate of ``into``. Its reporter hears when ``into``
    is closed; its photos and history stay where they are."""
    if not principal.has(Permission.MODERATE):
        _require_edit(duplicate, principal)
    if not can_view(principal, into):
        raise PermissionDenied
    if duplicate.pk == into.pk or into.duplicate_of_id == duplicate.pk:
        raise ValidationError({"into": _("A case cannot duplicate itself.")})
    if into.municipality_id != duplicate.municipality_id:
        raise ValidationError({"into": _("Unknown case.")})
    if into.state == State.DUPLICATE and into.duplicate_of_id:
        into = into.duplicate_of  # point at the surviving case
    old = duplicate.state
    duplicate.state = State.DUPLICATE
    duplicate.duplicate_of = into
    duplicate.closed_at = timezone.now()
    duplicate.save()
    audit.update(Case.objects.filter(duplicate_of=duplicate), duplicate_of=into)
    CaseUpdate.objects.create(
        case=into,
        text=_stored(gettext_noop("Case #%(id)s was merged into this one."), id=duplicate.pk),
        is_public=False,
        **_actor(principal),
    )
    return CaseUpdate.objects.create(
        case=duplicate,
        text=_stored(gettext_noop("Already reported as case #%(id)s."), id=into.pk),
        is_public=True,
        state_from=old,
        state_to=State.DUPLICATE,
        **_actor(principal),
    )


@transaction.atomic
def moderate(
    case: Case,
    principal: Principal,
    *,
    approve: bool,
    description: str | None = None,
    address: str | None = None,
) -> None:
    """Approve a resident's text and address for publication (optionally with personal
    details edited out), or withhold them. The case itself stays and is worked on either
    way."""
    if not principal.has(Permission.MODERATE) or not can_view(principal, case):
        raise PermissionDenied
    if address is not None and plain_text(address) != case.address:
        address = plain_text(address)[:200]
        _check_text(address, "address")
        case.address = address
    if description is not None and description.strip() != case.description:
        description = description.strip()
        if not description:
            raise ValidationError({"description": _("Describe what feels unsafe.")})
        _check_text(description, "description")
        case.description = description
    case.moderation = Moderation.APPROVED if approve else Moderation.REJECTED
    case.save()
    audit.update(case.photos.all(), is_public=approve)
    CaseUpdate.objects.create(
        case=case,
        text=_stored(gettext_noop("The text was approved for publication."))
        if approve
        else _stored(gettext_noop("The text was withheld from publication.")),
        is_public=False,
        **_actor(principal),
    )


def fill_missing_addresses(sender, municipality, **kwargs) -> None:
    """The municipality's address register was imported (core.signals): give the cases
    that have no place text yet theirs."""
    fill_missing(Case.objects.filter(municipality=municipality), municipality.pk)

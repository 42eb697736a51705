"""The one permission layer of Trygg.

Every app asks here, never with its own checks:

* ``Principal`` — who is acting: a staff account *acting for one organisation* (its
  active membership), or nobody (anonymous / the public).
* ``Principal.has(Permission.X)`` — what the role allows (named after what it allows,
  as in FixMyStreet's staff permissions).
* ``Model.objects.visible_to(principal)`` / ``editable_by(principal)`` — which records of a
  ``SensitiveRecord`` model the principal may read / change. Reads of restricted rows
  are written to the audit log when the queryset is evaluated.
* ``can_view(principal, obj)`` / ``can_edit(principal, obj)`` — the same rule for one
  object in memory.

The rule, in words:

1. Nobody sees another municipality's records.
2. ``public`` and ``partners`` records are readable by every member of the municipality's
   collaboration (``public`` ones also on the public site).
3. ``restricted`` records are readable only by members of the owner organisation and of
   the organisations it named — whatever their role. Need-to-know beats rank.
4. Administrators and coordinators may change every record they may read; analysts,
   members and field workers only their own organisation's; read-only members nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from trygg.core import audit
from trygg.core.models import Membership, Organisation
from trygg.core.roles import ROLE_PERMISSIONS, Permission, Role, Sensitivity

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import AbstractBaseUser

    from trygg.core.models import Municipality, SensitiveRecord

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class Principal:
    """Who is acting. ``membership`` is None for anonymous users and for accounts
    without an active membership: they see only what the public sees."""

    user: AbstractBaseUser | None
    membership: Membership | None
    # A view that reads public records only (the public version of a document).
    public_only: bool = False

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(user=None, membership=None)

    @classmethod
    def partners_view(cls, municipality: Municipality) -> Principal:
        """What every partner of the municipality may read — public and partners'
        records, never restricted ones (the view acts for no organisation, so none names
        it) — and nothing it may change. The reader of documents shared with all
        partners, such as the partners' lägesbild."""
        return cls(user=None, membership=_viewing_membership(municipality))

    @classmethod
    def public_view(cls, municipality: Municipality) -> Principal:
        """What anyone may read of the municipality: public records only."""
        return cls(user=None, membership=_viewing_membership(municipality), public_only=True)

    @classmethod
    def for_user(cls, user: Any, organisation: Organisation | int | None = None) -> Principal:
        """The principal for ``user`` acting for ``organisation`` (default: the first of
        the user's active memberships, by organisation name)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return cls.anonymous()
        memberships = active_memberships(user)
        if organisation is not None:
            org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
            memberships = memberships.filter(organisation_id=org_id)
        return cls(user=user, membership=memberships.first())

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def acting_membership(self) -> Membership:
        """The membership the principal acts through; only asked once a permission
        (which no principal without a membership holds) has been checked."""
        if self.membership is None:
            raise PermissionDenied("This principal acts for no organisation")
        return self.membership

    @property
    def acting_municipality(self) -> Municipality:
        """The municipality of ``acting_membership``."""
        return self.acting_membership.organisation.municipality

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def municipality(self) -> Municipality | None:
        return self.membership.organisation.municipality if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def permissions(self) -> frozenset[Permission]:
        if self.membership is None:
            return frozenset()
        return ROLE_PERMISSIONS[self.membership.role]

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    # The permission layer as the querysets ask it (core.querysets never imports this
    # module: the models need those querysets, and this module needs the models).
    def visibility_filter(self, model: type[SensitiveRecord]) -> Q | None:
        return visibility_filter(model, self)

    def edit_filter(self, model: type[SensitiveRecord]) -> Q | None:
        return edit_filter(model, self)

    def record_reads(self, objects: Iterable[Model]) -> None:
        audit.record_reads(self, objects)

    @property
    def label(self) -> str:
        if self.user is None:
            return "anonymous"
        return str(self.user.get_username())


def _viewing_membership(municipality: Municipality) -> Membership:
    """A read-only membership of no real organisation: the shared views above."""
    return Membership(organisation=Organisation(municipality=municipality), role=Role.READ_ONLY)


def active_memberships(user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            user=user,
            is_active=True,
            organisation__is_active=True,
        )
        .select_related("organisation__municipality")
        .order_by("organisation__municipality__name", "organisation__name")
    )


# --- The rule, as queryset filters -------------------------------------------------


def visibility_filter(model: type[SensitiveRecord], principal: Principal) -> Q | None:
    """The Q that selects the rows of ``model`` ``principal`` may read; None: nothing."""
    if not principal.has(Permission.VIEW):
        return None
    if principal.public_only:
        return Q(municipality_id=principal.acting_municipality.pk, sensitivity=Sensitivity.PUBLIC)
    org_id = principal.acting_membership.organisation_id
    through = model.restricted_to.through
    source_field = f"{model._meta.model_name}_id"
    named = Exists(
        through._default_manager.filter(**{source_field: OuterRef("pk")}, organisation_id=org_id)
    )
    readable = Q(sensitivity__in=[Sensitivity.PUBLIC, Sensitivity.PARTNERS])
    readable |= Q(owner_organisation_id=org_id)
    readable |= Q(named)
    return Q(municipality_id=principal.acting_municipality.pk) & readable


def edit_filter(model: type[SensitiveRecord], principal: Principal) -> Q | None:
    """The Q that selects the rows of ``model`` ``principal`` may change; None: nothing."""
    visible = visibility_filter(model, principal)
    if visible is None:
        return None
    if principal.has(Permission.EDIT_ANY):
        return visible
    if principal.has(Permission.EDIT_OWN_ORGANISATION):
        return visible & Q(owner_organisation_id=principal.acting_membership.organisation_id)
    return None


# --- The same rule for one object in memory ------------------------------------------


def can_view(principal: Principal, obj: SensitiveRecord) -> bool:
    if not principal.has(Permission.VIEW):
        return False
    if obj.municipality_id != principal.acting_municipality.pk:
        return False
    if principal.public_only:
        return obj.sensitivity == Sensitivity.PUBLIC
    if obj.sensitivity != Sensitivity.RESTRICTED:
        return True
    org_id = principal.acting_membership.organisation_id
    if obj.owner_organisation_id == org_id:
        return True
    return obj.pk is not None and obj.restricted_to.filter(pk=org_id).exists()


def can_edit(principal: Principal, obj: SensitiveRecord) -> bool:
    if not can_view(principal, obj):
        return False
    if principal.has(Permission.EDIT_ANY):
        return True
    return (
        principal.has(Permission.EDIT_OWN_ORGANISATION)
        and obj.owner_organisation_id == principal.acting_membership.organisation_id
    )


def can_create(principal: Principal) -> bool:
    return principal.has(Permission.CREATE)


# --- Records shared with partner organisations ----------------------------------------
# A measure of the action plan is owned by one organisation and carried out with
# partners: whoever may manage the plan edits every one; other members those their
# organisation owns or is a partner in (``partners``: a many-to-many to Organisation).


def can_edit_with_partners(principal: Principal, obj: SensitiveRecord, manage: Permission) -> bool:
    if not can_view(principal, obj):
        return False
    if principal.has(manage):
        return True
    if not principal.has(Permission.EDIT_OWN_ORGANISATION):
        return False
    org_id = principal.acting_membership.organisation_id
    partners = getattr(obj, "partners")  # noqa: B009 — a many-to-many the model declares
    return bool(obj.owner_organisation_id == org_id or partners.filter(pk=org_id).exists())


def editable_with_partners(
    queryset: QuerySet[_M], principal: Principal, manage: Permission
) -> QuerySet[_M]:
    """The rows of a ``visible_to`` queryset that ``can_edit_with_partners`` allows."""
    if principal.has(manage):
        return queryset
    if not principal.has(Permission.EDIT_OWN_ORGANISATION):
        return queryset.none()
    org_id = principal.acting_membership.organisation_id
    return queryset.filter(Q(owner_organisation_id=org_id) | Q(partners=org_id)).distinct()

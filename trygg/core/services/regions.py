"""Regions: municipalities seen together (a county, a police region or local police area,
a shared service).

A region owns no data. Its people (``RegionalMembership``) read each municipality of the
region through the one permission layer, as a ``Principal`` of that municipality: the
partners' view (public and partners' records, never restricted ones) where the
municipality agreed to share that level with the region, else the public view. Every
regional read is written to the audit log, one line per municipality read and the level
read, in the municipality's own log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from trygg.core import audit, sweden
from trygg.core.models import (
    Area,
    AreaKind,
    AuditAction,
    AuditEntry,
    Municipality,
    Region,
    RegionalMembership,
    RegionMember,
)
from trygg.core.permissions import Principal
from trygg.core.roles import (
    REGIONAL_ROLE_PERMISSIONS,
    Permission,
    RegionalRole,
    RegionPermission,
)

PARTNERS = "partners"
PUBLIC = "public"


@dataclass(frozen=True)
class MunicipalityReader:
    """How a region's person reads one municipality: ``principal`` is that municipality's
    partners' view or public view, ``level`` says which."""

    municipality: Municipality
    principal: Principal
    level: str  # PARTNERS or PUBLIC

    @property
    def public(self) -> bool:
        return self.level == PUBLIC


@dataclass(frozen=True)
class RegionalPrincipal:
    """Who is acting in a region: a person with an active regional membership."""

    user: Any
    membership: RegionalMembership

    @classmethod
    def for_user(cls, user: Any, region: Region | int) -> RegionalPrincipal | None:
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        region_id = region.pk if isinstance(region, Region) else region
        membership = (
            RegionalMembership.objects.filter(user=user, region_id=region_id, is_active=True)
            .select_related("region")
            .first()
        )
        return cls(user=user, membership=membership) if membership else None

    @property
    def region(self) -> Region:
        return self.membership.region

    @property
    def permissions(self) -> frozenset[RegionPermission]:
        return REGIONAL_ROLE_PERMISSIONS[self.membership.role]

    def has(self, permission: RegionPermission) -> bool:
        return permission in self.permissions

    def require(self, permission: RegionPermission) -> None:
        if not self.has(permission):
            raise PermissionDenied(f"The regional role does not allow {permission}.")

    def read(self, view: str) -> list[MunicipalityReader]:
        """``readers()`` for one regional read, written to each municipality's audit log
        first (``record_regional_read``): the one way the regional pages and API read."""
        readers = self.readers()
        record_regional_read(self, readers, view)
        return readers

    def readers(self) -> list[MunicipalityReader]:
        """Each municipality of the region with the view this person may read it by."""
        found = []
        for member in self.region.members.select_related("municipality").order_by(
            "municipality__name"
        ):
            m = member.municipality
            if member.shares_partner_data:
                found.append(MunicipalityReader(m, Principal.partners_view(m), PARTNERS))
            else:
                found.append(MunicipalityReader(m, Principal.public_view(m), PUBLIC))
        return found


def regions_of(user: Any) -> QuerySet[Region]:
    """The regions ``user`` has an active place in."""
    if user is None or not user.is_authenticated:
        return Region.objects.none()
    return Region.objects.filter(people__user=user, people__is_active=True).distinct()


def record_regional_read(
    principal: RegionalPrincipal, readers: Iterable[MunicipalityReader], view: str
) -> None:
    """One audit line per municipality read: who, which region, which level, what view
    (in the municipality's own log, where its coordinator sees who read its data)."""
    ctx = audit.current_context()
    username = str(principal.user.get_username())
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=principal.user,
                actor_label=username[:200],
                municipality_id=reader.municipality.pk,
                action=AuditAction.READ,
                object_repr=f"{principal.region.name}: {view}"[:300],
                changes={
                    "region": principal.region.pk,
                    "region_name": principal.region.name,
                    "level": reader.level,
                    "view": view,
                },
                ip_address=ctx.ip_address,
                path=ctx.path,
            )
            for reader in readers
        ]
    )


# --- Setting a region up -----------------------------------------------------------------


def codes_of_county(county_code: str) -> list[str]:
    found = sorted(m.code for m in sweden.in_county(county_code))
    if not found:
        raise ValidationError(_("No county has the code %(code)s.") % {"code": county_code})
    return found


@transaction.atomic
def create_region(name: str, kind: str, codes: Iterable[str]) -> Region:
    """The region ``name`` with the municipalities of ``codes`` (SCB codes from the
    national list). A municipality not yet in this installation is created with its name
    from the list and its simplified outline as its first area. Idempotent: the same call
    again changes nothing; new codes are added, none removed."""
    codes = [c.strip() for c in codes if c.strip()]
    unknown = [c for c in codes if sweden.by_code(c) is None]
    if unknown:
        raise ValidationError(
            _("Not a Swedish municipality code: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    if not codes:
        raise ValidationError(_("A region needs at least one municipality."))
    region, _created = Region.objects.get_or_create(name=name.strip(), defaults={"kind": kind})
    for code in codes:
        municipality = ensure_municipality(code)
        RegionMember.objects.get_or_create(region=region, municipality=municipality)
    return region


def ensure_municipality(code: str) -> Municipality:
    """The municipality of ``code``, created from the national list when missing."""
    known = sweden.by_code(code)
    if known is None:
        raise ValidationError(_("Not a Swedish municipality code: %(codes)s.") % {"codes": code})
    municipality, created = Municipality.objects.get_or_create(
        code=code, defaults={"name": known.name}
    )
    if created or not municipality.areas.exists():
        minx, miny, maxx, maxy = shape(known.geometry).bounds
        Area.objects.get_or_create(
            municipality=municipality,
            kind=AreaKind.OTHER,
            name=known.name,
            defaults={
                "code": code,
                "geometry": known.geometry,
                "min_lon": minx,
                "min_lat": miny,
                "max_lon": maxx,
                "max_lat": maxy,
                "source": "okfse/sweden-geojson (simplified municipal outline)",
            },
        )
    return municipality


@transaction.atomic
def set_sharing(principal: Principal, region: Region, shares: bool) -> RegionMember:
    """The municipality (its settings' keeper) decides whether the region's people read
    its partners' level. Audited (``RegionMember`` is registered)."""
    if not principal.has(Permission.MANAGE_SETTINGS):
        raise PermissionDenied("Only the municipality's settings' keeper decides this.")
    member = RegionMember.objects.select_for_update().get(
        region=region, municipality=principal.acting_municipality
    )
    member.shares_partner_data = shares
    member.decided_at = timezone.now()
    member.decided_by = audit._account(principal.user)
    member.save()
    return member


@transaction.atomic
def add_person(region: Region, user: Any, role: str) -> RegionalMembership:
    """Give ``user`` a place in ``region`` with a regional role (idempotent)."""
    role = RegionalRole(role)
    membership, created = RegionalMembership.objects.get_or_create(
        user=user, region=region, defaults={"role": role}
    )
    if not created and (membership.role != role or not membership.is_active):
        membership.role, membership.is_active = role, True
        membership.save()
    return membership

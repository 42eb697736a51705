"""Core domain operations. Views, the API and management commands call these; the
rules (validation, permissions, all-or-nothing writes) live here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from trygg.core.models import Notice, Organisation
from trygg.core.permissions import Principal, can_edit
from trygg.core.roles import Permission, Sensitivity
from trygg.core.services.areas import (
    AreaFile,
    AreaImportResult,
    ParsedArea,
    area_index,
    areas_geojson,
    import_areas,
    locate_area,
    map_extent,
    parse_area_file,
    read_area_file,
)

__all__ = [
    "AreaFile",
    "AreaImportResult",
    "ParsedArea",
    "area_index",
    "areas_geojson",
    "create_notice",
    "delete_notice",
    "import_areas",
    "locate_area",
    "map_extent",
    "parse_area_file",
    "read_area_file",
    "update_notice",
]

# --- Notices ---------------------------------------------------------------------------

NOTICE_FIELDS = ("title", "body", "valid_until", "sensitivity")


def _check_restricted_to(
    principal: Principal, organisations: Iterable[Organisation] | None
) -> list[Organisation]:
    chosen = list(organisations or [])
    for org in chosen:
        if org.municipality_id != principal.acting_municipality.pk:
            raise ValidationError(
                {"restricted_to": "An organisation belongs to another municipality."}
            )
    return chosen


@transaction.atomic
def create_notice(
    principal: Principal, *, restricted_to: Iterable[Organisation] = (), **values: Any
) -> Notice:
    if not principal.has(Permission.CREATE):
        raise PermissionDenied("Your role cannot create notices.")
    notice = Notice(
        municipality=principal.municipality,
        owner_organisation=principal.organisation,
        **{k: v for k, v in values.items() if k in NOTICE_FIELDS},
    )
    notice.full_clean()
    notice.save()
    organisations = _check_restricted_to(principal, restricted_to)
    if notice.sensitivity == Sensitivity.RESTRICTED and organisations:
        notice.restricted_to.set(organisations)
    return notice


@transaction.atomic
def update_notice(
    principal: Principal,
    notice: Notice,
    *,
    restricted_to: Iterable[Organisation] | None = None,
    **values: Any,
) -> Notice:
    if not can_edit(principal, notice):
        raise PermissionDenied("You may not change this notice.")
    for key, value in values.items():
        if key in NOTICE_FIELDS:
            setattr(notice, key, value)
    notice.full_clean()
    notice.save()
    if notice.sensitivity != Sensitivity.RESTRICTED:
        if notice.restricted_to.exists():
            notice.restricted_to.clear()
    elif restricted_to is not None:
        notice.restricted_to.set(_check_restricted_to(principal, restricted_to))
    return notice


@transaction.atomic
def delete_notice(principal: Principal, notice: Notice) -> None:
    if not can_edit(principal, notice):
        raise PermissionDenied("You may not delete this notice.")
    notice.delete()

"""The weekly picture's settings (``manage_settings``): the observation categories partners
report in (a two-level tree), the named places, and the two scales' wording. A category
in use is merged into another or deactivated, never deleted from under its reports."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trygg.core import audit
from trygg.core.permissions import Principal
from trygg.core.records import unique_code
from trygg.core.services import locate_area
from trygg.core.services.site import check_settings
from trygg.est.models import Observation, ObservationCategory, Place, ScaleKind, ScaleLevel
from trygg.est.services.scales import DEFAULT_SCALES

CATEGORY_FIELDS = ("name", "name_en", "parent", "is_event", "is_active", "order")


def _own(principal: Principal, obj: object | None) -> None:
    check_settings(principal, principal.acting_municipality)
    if obj is not None and obj.municipality_id != principal.acting_municipality.pk:  # type: ignore[attr-defined]
        raise PermissionDenied("Another municipality's setting.")


@transaction.atomic
def save_category(
    principal: Principal, category: ObservationCategory | None, **values: object
) -> ObservationCategory:
    _own(principal, category)
    municipality = principal.acting_municipality
    parent = values.get("parent")
    if parent is not None:
        _own(principal, parent)
        if parent.parent_id is not None:
            raise ValidationError({"parent": _("A group cannot be inside another group.")})
        if category is not None and (parent.pk == category.pk or category.children.exists()):
            raise ValidationError(
                {"parent": _("A group with categories cannot move into a group.")}
            )
    if category is None:
        code = unique_code(
            ObservationCategory.objects.filter(municipality=municipality),
            str(values.get("name") or ""),
        )
        category = ObservationCategory(municipality=municipality, code=code)
    for key, value in values.items():
        if key in CATEGORY_FIELDS:
            setattr(category, key, value)
    siblings = ObservationCategory.objects.filter(
        municipality=municipality, parent=category.parent, name__iexact=category.name
    ).exclude(pk=category.pk)
    if siblings.exists():
        raise ValidationError({"name": _("Another category of the group has this name.")})
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def merge_category(
    principal: Principal, category: ObservationCategory, into: ObservationCategory
) -> int:
    """Move the category's reports to ``into`` and remove it; how many moved."""
    _own(principal, category)
    _own(principal, into)
    if into.pk == category.pk or into.parent_id == category.pk:
        raise ValidationError(_("Choose another category to merge into."))
    if category.children.exists():
        raise ValidationError(_("The group still has categories: move or merge them first."))
    moved = audit.update(Observation.objects.filter(category=category), category=into)
    category.delete()
    return moved


@transaction.atomic
def save_place(
    principal: Principal, place: Place | None, *, name: str, lat: float, lon: float
) -> Place:
    _own(principal, place)
    municipality = principal.acting_municipality
    place = place or Place(municipality=municipality)
    place.name, place.lat, place.lon = name.strip(), lat, lon
    if (
        Place.objects.filter(municipality=municipality, name__iexact=place.name)
        .exclude(pk=place.pk)
        .exists()
    ):
        raise ValidationError({"name": _("Another place has this name.")})
    place.area = locate_area(municipality, lat, lon)
    place.full_clean()
    place.save()
    return place


@transaction.atomic
def delete_place(principal: Principal, place: Place) -> None:
    """The reports that named the place keep their position."""
    _own(principal, place)
    place.delete()


@transaction.atomic
def save_scale(principal: Principal, kind: str, labels: dict[int, tuple[str, str]]) -> None:
    """The wording of a scale's steps (value → (Swedish, English)); the values stay."""
    check_settings(principal, principal.acting_municipality)
    if kind not in ScaleKind.values:
        raise ValidationError(_("Unknown scale."))
    municipality = principal.acting_municipality
    values = [v for v, _label in DEFAULT_SCALES[ScaleKind(kind)]]
    for value in values:
        label, label_en = labels.get(value, ("", ""))
        if not label.strip():
            raise ValidationError(_("Every step of the scale needs a name."))
        level, _created = ScaleLevel.objects.get_or_create(
            municipality=municipality, scale=kind, value=value, defaults={"label": label.strip()}
        )
        if (level.label, level.label_en) != (label.strip(), label_en.strip()):
            level.label, level.label_en = label.strip(), label_en.strip()
            level.full_clean()
            level.save()

"""Cases: deadlines per category, routing to the responsible organisation (category ×
area × land: municipal land, or inside a housing company's property), importing properties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from shapely.geometry import shape

from trygg.cases.mailing import (  # noqa: F401 - part of the services' interface
    erase_expired_emails,
    overdue_by_organisation,
    responsible_addresses,
)
from trygg.cases.models import (
    CaseCategory,
    Land,
    PropertyArea,
    RoutingRule,
)
from trygg.core.dates import add_months
from trygg.core.models import Area, Municipality, Organisation
from trygg.core.services import parse_area_file

# --- Deadlines ----------------------------------------------------------------------


def deadline_for(category: CaseCategory, created: dt.date) -> dt.date:
    return add_months(created, category.deadline_months)


# --- Routing ------------------------------------------------------------------------


class RoutingError(ValidationError):
    pass


@dataclass(frozen=True)
class Route:
    organisation: Organisation
    rule: RoutingRule
    property: PropertyArea | None


def property_at(municipality: Municipality, lat: float, lon: float) -> PropertyArea | None:
    """The property (housing company's land, …) the point lies in, if any."""
    candidates = PropertyArea.objects.filter(
        municipality=municipality,
        min_lat__lte=lat,
        max_lat__gte=lat,
        min_lon__lte=lon,
        max_lon__gte=lon,
    ).select_related("owner")
    point = shapely.Point(lon, lat)
    for candidate in sorted(candidates, key=lambda p: p.pk):
        if shape(candidate.geometry).covers(point):
            return candidate
    return None


def route(
    municipality: Municipality,
    category: CaseCategory,
    lat: float,
    lon: float,
    area: Area | None = None,
) -> Route:
    """The organisation responsible for ``category`` at (lat, lon): the most specific
    matching rule (category, then area, then land) wins."""
    prop = property_at(municipality, lat, lon)
    rules = RoutingRule.objects.filter(
        Q(category=category) | Q(category__isnull=True),
        Q(area=area) | Q(area__isnull=True) if area else Q(area__isnull=True),
        municipality=municipality,
    ).select_related("organisation")
    matching = []
    for rule in rules:
        if rule.land == Land.PROPERTY and prop is None:
            continue
        if rule.land == Land.MUNICIPAL and prop is not None:
            continue
        matching.append(rule)
    if not matching:
        raise RoutingError(
            _("No routing rule covers this category here: ask the coordinator to add one.")
        )
    best = max(matching, key=lambda r: (r.specificity, -r.pk))
    organisation = best.organisation or (prop.owner if prop else None)
    if organisation is None:
        raise RoutingError(_("The routing rule names no organisation."))
    return Route(organisation=organisation, rule=best, property=prop)


# --- Properties (for routing) -------------------------------------------------------


@transaction.atomic
def import_properties(
    municipality: Municipality,
    path,
    *,
    owner: Organisation,
    name_field: str = "name",
    filename: str | None = None,
) -> dict:
    """A housing company's (or other owner's) land from a GeoPackage, zipped Shapefile or
    GeoJSON in any CRS it declares, for routing. Validated like areas (every feature, all
    errors at once, nothing written on any error); a property is identified by its name,
    so re-running a file changes nothing and an edited boundary is updated in place."""
    if owner.municipality_id != municipality.pk:
        raise ValidationError("The owner belongs to another municipality.")
    parsed, _crs = parse_area_file(
        Path(path).read_bytes(), name_field=name_field, filename=filename or Path(path).name
    )
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for item in parsed:
        values = {
            "owner": owner,
            "geometry": item.geometry,
            "min_lon": item.bounds[0],
            "min_lat": item.bounds[1],
            "max_lon": item.bounds[2],
            "max_lat": item.bounds[3],
        }
        existing = PropertyArea.objects.filter(municipality=municipality, name=item.name).first()
        if existing is None:
            PropertyArea.objects.create(municipality=municipality, name=item.name, **values)
            counts["created"] += 1
        elif existing.geometry != item.geometry or existing.owner_id != owner.pk:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts

"""Cases: possible duplicates (the same category near in place and time), shown before a
new case is created."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.utils import timezone

from trygg.cases.mailing import (  # noqa: F401 - part of the services' interface
    erase_expired_emails,
    overdue_by_organisation,
    responsible_addresses,
)
from trygg.cases.models import (
    OPEN_STATES,
    Case,
    CaseCategory,
)
from trygg.core.geo import distance_m
from trygg.core.models import Municipality

# --- Duplicates ---------------------------------------------------------------------


def find_duplicates(
    municipality: Municipality,
    category: CaseCategory,
    lat: float,
    lon: float,
    *,
    radius_m: float | None = None,
    days: int | None = None,
    exclude: Case | None = None,
    now: dt.datetime | None = None,
) -> list[Case]:
    """Open cases of the same category within ``radius_m`` reported in the last
    ``days`` days, nearest first — suggested before a new case is created."""
    radius_m = settings.CASE_DUPLICATE_RADIUS_M if radius_m is None else radius_m
    days = settings.CASE_DUPLICATE_DAYS if days is None else days
    now = now or timezone.now()
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(0.01, math.cos(math.radians(lat))))
    qs = Case.objects.filter(
        municipality=municipality,
        category=category,
        state__in=OPEN_STATES,
        created_at__gte=now - dt.timedelta(days=days),
        lat__range=(lat - dlat, lat + dlat),
        lon__range=(lon - dlon, lon + dlon),
    ).select_related("owner_organisation", "category")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    found = [(distance_m(lat, lon, c.lat, c.lon), c) for c in qs]
    found = [(d, c) for d, c in found if d <= radius_m]
    found.sort(key=lambda pair: (pair[0], pair[1].pk))
    for d, case in found:
        case.distance_m = round(d)
    return [c for _, c in found]

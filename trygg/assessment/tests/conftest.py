import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from trygg.core.models import Area, Organisation, Sensitivity
from trygg.incidents.importers.base import IncidentRow
from trygg.incidents.models import PositionPrecision, Source, TimePrecision
from trygg.incidents.services import write_incidents

STOCKHOLM = ZoneInfo("Europe/Stockholm")

COVERS = (dt.date(2025, 1, 1), dt.date(2026, 3, 31))


def make_rows(spec):
    """spec: list of (ref, category, 'YYYY-MM-DD HH:MM', lat, lon | area_id)."""
    out = []
    for ref, category, when, *where in spec:
        occurred = dt.datetime.fromisoformat(when).replace(tzinfo=STOCKHOLM)
        if len(where) == 2:
            position = {"lat": where[0], "lon": where[1]}
            precision = PositionPrecision.EXACT
        else:
            position = {"area_id": where[0]}
            precision = PositionPrecision.AREA
        out.append(
            IncidentRow(
                0, ref, category, category, occurred, TimePrecision.EXACT, precision, **position
            )
        )
    return out


@pytest.fixture
def sources(bro):
    police = Organisation.objects.get(municipality=bro, kind="police")
    housing = Organisation.objects.get(municipality=bro, name="Upplands-Brohus")
    return {
        "police": Source.objects.create(
            municipality=bro,
            slug="p",
            name="Polisen",
            kind="partner_log",
            owner_organisation=police,
            default_sensitivity=Sensitivity.PARTNERS,
        ),
        "housing": Source.objects.create(
            municipality=bro,
            slug="h",
            name="Upplands-Brohus",
            kind="partner_log",
            owner_organisation=housing,
            default_sensitivity=Sensitivity.PUBLIC,
        ),
        "secret": Source.objects.create(
            municipality=bro,
            slug="s",
            name="Polisen, begränsat",
            kind="partner_log",
            owner_organisation=police,
            default_sensitivity=Sensitivity.RESTRICTED,
        ),
    }


@pytest.fixture
def incidents(bro, sources):
    """Each source reported throughout (covers) 2025 and the first quarter of 2026."""
    bro_area = Area.objects.get(name="Bro").pk
    kungsangen = Area.objects.get(name="Kungsängen").pk
    write_incidents(
        sources["police"],
        make_rows(
            [
                ("p1", "vandalism", "2026-03-02 21:40", 59.5117, 17.6365),
                ("p2", "vandalism", "2026-03-03 22:00", 59.5117, 17.6366),
                ("p3", "violence", "2026-03-10 01:15", 59.4787, 17.7509),
                ("p4", "burglary", "2025-03-05 12:00", kungsangen),
                ("p5", "burglary", "2026-02-20 12:00", kungsangen),
            ]
        ),
        covers=COVERS,
    )
    write_incidents(
        sources["housing"],
        make_rows(
            [
                ("h1", "fire", "2026-03-04 02:15", bro_area),
                ("h2", "vandalism", "2025-03-06 20:00", 59.5117, 17.6365),
            ]
        ),
        covers=COVERS,
    )
    write_incidents(
        sources["secret"],
        make_rows(
            [
                ("s1", "drugs", "2026-03-05 23:00", 59.5140, 17.6330),
            ]
        ),
        covers=COVERS,
    )

"""Fixtures of the walks tests: the cases world (categories, routing) plus a walk."""

import datetime as dt

import pytest
from django.utils import timezone

from trygg.cases.tests.conftest import world  # noqa: F401 - re-exported fixture
from trygg.core.models import Area, Sensitivity
from trygg.walks import services
from trygg.walks.models import Walk


@pytest.fixture
def walk(world):  # noqa: F811
    return Walk.objects.create(
        municipality=world.municipality,
        owner_organisation=world.coordination,
        sensitivity=Sensitivity.PUBLIC,
        title="Trygghetsvandring Bro centrum",
        date=timezone.localdate(),
        start_time=dt.time(19, 0),
        area=Area.objects.get(municipality=world.municipality, name="Bro", kind="district"),
        template=services.default_template(world.municipality),
        route={"type": "LineString", "coordinates": [[17.633, 59.507], [17.637, 59.509]]},
        residents=12,
        police=2,
    )


def finding_payload(world, **extra):  # noqa: F811 - the fixture, passed in
    return {
        "lat": 59.5080,
        "lon": 17.6360,
        "category": world.categories["belysning"].pk,
        "checks": ["lighting", "visibility"],
        "scores": {"st_lighting": 0, "st_feeling": 1},
        "description": "Mörkt vid porten, lampan är trasig.",
        "captured_at": timezone.now().isoformat(),
        "position_source": "gps",
        "accuracy_m": 6.5,
        **extra,
    }

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from trygg.core.models import Organisation, Role
from trygg.est.defaults import TREE
from trygg.est.demo import PLACES
from trygg.est.models import ObservationCategory, Place


@pytest.fixture
def est(bro, member_of):
    for order, (code, name, name_en, children) in enumerate(TREE):
        parent = ObservationCategory.objects.create(
            municipality=bro, code=code, name=name, name_en=name_en, order=order,
            is_event=code == "handelse",
        )  # fmt: skip
        for child_code, child_name, child_en in children:
            ObservationCategory.objects.create(
                municipality=bro, code=child_code, name=child_name, name_en=child_en,
                parent=parent, is_event=code == "handelse",
            )  # fmt: skip
    from trygg.core.models import Area

    areas = {a.name: a for a in Area.objects.filter(municipality=bro, kind="district")}
    for name, lat, lon, area in PLACES:
        Place.objects.create(municipality=bro, name=name, lat=lat, lon=lon, area=areas[area])

    def org(prefix):
        return Organisation.objects.get(municipality=bro, name__startswith=prefix)

    return SimpleNamespace(
        municipality=bro,
        areas=areas,
        cat={c.code: c for c in ObservationCategory.objects.filter(municipality=bro)},
        housing=member_of(org("Upplands-Brohus"), Role.MEMBER, user__email="drift@brohus.example"),
        police=member_of(org("Polisen"), Role.MEMBER),
        fritid=member_of(org("Fritid"), Role.FIELD_WORKER),
        coordinator=member_of(org("Kommunledning"), Role.COORDINATOR),
        reader=member_of(org("Utbildning"), Role.READ_ONLY),
    )


def at(day: dt.date, hour: int = 20):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

"""Fixtures of the action-plan tests: a plan in the demo municipality, principals of
the organisations that own, partner in and merely read measures, and incidents written
through the real importer's writer (so the daily summary table is built as in
production)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from trygg.assessment.tests.conftest import make_rows
from trygg.cases.tests.conftest import world  # noqa: F401 - re-exported fixture
from trygg.core.models import Area, Organisation, Role, Sensitivity
from trygg.incidents.models import Source
from trygg.incidents.services import write_incidents
from trygg.plan.models import ActionPlan, Indicator, Measure


@pytest.fixture
def pw(bro, member_of):
    def org(prefix):
        return Organisation.objects.get(municipality=bro, name__startswith=prefix)

    fritid, police, housing = org("Fritid"), org("Polisen"), org("Upplands-Brohus")
    coordination, school = org("Kommunledning"), org("Utbildning")
    plan = ActionPlan.objects.create(
        municipality=bro,
        title="Åtgärdsplan 2026–2027",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2027, 12, 31),
    )
    areas = {a.name: a for a in Area.objects.filter(municipality=bro, kind="district")}
    return SimpleNamespace(
        municipality=bro,
        plan=plan,
        areas=areas,
        fritid=fritid,
        police=police,
        housing=housing,
        school=school,
        coordinator=member_of(coordination, Role.COORDINATOR),
        fritid_member=member_of(fritid, Role.FIELD_WORKER),
        police_member=member_of(police, Role.MEMBER),
        housing_member=member_of(housing, Role.MEMBER),
        reader=member_of(school, Role.READ_ONLY),
    )


def make_measure(pw, **extra):
    values = {
        "municipality": pw.municipality,
        "owner_organisation": pw.fritid,
        "sensitivity": Sensitivity.PUBLIC,
        "plan": pw.plan,
        "title": "Fältverksamhet kvällar och helger",
        "goal": "Vuxennärvaro fyra kvällar i veckan",
        "start": dt.date(2026, 1, 1),
        "end": dt.date(2026, 12, 31),
        **extra,
    }
    partners = values.pop("partners", [])
    measure = Measure.objects.create(**values)
    measure.partners.set(partners)
    return measure


def make_indicator(measure, **extra):
    values = {"name": "Skadegörelse i Bro", "kind": "incidents", "target": 10, "baseline": 20}
    values.update(extra)
    return Indicator.objects.create(measure=measure, **values)


@pytest.fixture
def bro_incidents(pw):
    """Hand-counted: vandalism in Bro 2026 H1: 3, H2: 1; fire in Bro H1: 1; vandalism in
    Kungsängen H1: 2 (not in Bro); one restricted vandalism in Bro (never counted)."""
    source = Source.objects.create(
        municipality=pw.municipality, slug="bolag", name="Bolagets logg", kind="partner_log",
        owner_organisation=pw.housing, default_sensitivity=Sensitivity.PARTNERS,
    )  # fmt: skip
    bro, kungsangen = pw.areas["Bro"].pk, pw.areas["Kungsängen"].pk
    write_incidents(
        source,
        make_rows(
            [
                ("a", "vandalism", "2026-01-10 21:00", bro),
                ("b", "vandalism", "2026-03-02 22:00", bro),
                ("c", "vandalism", "2026-06-30 23:00", bro),
                ("d", "vandalism", "2026-09-01 20:00", bro),
                ("e", "fire", "2026-02-14 01:00", bro),
                ("f", "vandalism", "2026-04-01 12:00", kungsangen),
                ("g", "vandalism", "2026-05-01 12:00", kungsangen),
            ]
        ),
        # The log was kept all along, up to yesterday (whatever day the suite runs).
        covers=(dt.date(2025, 1, 1), timezone.localdate() - dt.timedelta(days=1)),
    )
    secret = Source.objects.create(
        municipality=pw.municipality, slug="hemligt", name="Begränsat", kind="partner_log",
        owner_organisation=pw.police, default_sensitivity=Sensitivity.RESTRICTED,
    )  # fmt: skip
    write_incidents(secret, make_rows([("s", "vandalism", "2026-02-01 12:00", bro)]))
    return source

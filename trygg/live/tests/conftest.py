from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.support.fake_feed import FakeFeed
from trygg.core.models import Area, Organisation
from trygg.incidents.importers.base import IncidentRow
from trygg.incidents.models import PositionPrecision, Source, TimePrecision
from trygg.incidents.services import start_import, write_incidents
from trygg.incidents.taxonomy import Category, SeriousFamily
from trygg.live.services import alerts


@pytest.fixture
def orgs(bro):
    return {
        "police": Organisation.objects.get(municipality=bro, name__startswith="Polisen"),
        "housing": Organisation.objects.get(municipality=bro, name="Upplands-Brohus"),
        "school": Organisation.objects.get(municipality=bro, name__icontains="skol"),
    }


@pytest.fixture
def rules(bro, orgs):
    """Every kind alerted; shootings to the police and the housing company."""
    by_family = {r.family: r for r in alerts.ensure_rules(bro)}
    by_family[SeriousFamily.SHOOTING].organisations.set([orgs["police"], orgs["housing"]])
    by_family[SeriousFamily.ARSON].organisations.set([orgs["housing"]])
    return by_family


@pytest.fixture
def police_log(bro, orgs):
    """The police's own log of reported crimes, with street-level positions."""
    return Source.objects.create(
        municipality=bro,
        slug="polisen-logg",
        name="Polisen – anmälda brott",
        kind="partner_log",
        owner_organisation=orgs["police"],
    )


@pytest.fixture
def brunna(bro):
    return Area.objects.get(municipality=bro, name="Brunna")


@pytest.fixture
def report(bro):
    """report(source, ref, type, when, lat, lon, text) writes one incident as an import
    does (a job of its own), and returns the job."""

    def write(
        source,
        ref,
        source_type,
        when=None,
        lat=None,
        lon=None,
        text="",
        precision=PositionPrecision.STREET,
        category=Category.WEAPONS,
    ):
        when = when or timezone.now() - dt.timedelta(hours=1)
        row = IncidentRow(
            row=1,
            source_ref=ref,
            category=category,
            source_type=source_type,
            occurred_at=when,
            occurred_precision=TimePrecision.EXACT,
            position_precision=precision if lat is not None else PositionPrecision.MUNICIPALITY,
            lat=lat,
            lon=lon,
            description=text,
        )
        result = write_incidents(
            source,
            [row],
            make_job=lambda: start_import(bro, "incidents", file_name="test", label="test"),
        )
        return result.job

    return write


@pytest.fixture
def fake_feed(settings):
    with FakeFeed() as server:
        settings.POLICE_FEED_URL = server.url
        yield server

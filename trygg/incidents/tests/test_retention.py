"""Incidents past the municipality's retention period go, in batches, with their daily
counts and the coverage before the cut; what is younger, and other municipalities, stay."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from trygg.core.models import AuditAction, AuditEntry, SiteProfile
from trygg.core.tests.factories import MunicipalityFactory, OrganisationFactory
from trygg.incidents import retention
from trygg.incidents.importers.base import IncidentRow
from trygg.incidents.models import DailyCount, Incident, IncidentRevision, Source, SourceCoverage
from trygg.incidents.services import write_incidents

TZ = ZoneInfo("Europe/Stockholm")
TODAY = dt.date(2026, 6, 15)


def _source(municipality):
    return Source.objects.create(
        municipality=municipality,
        slug="logg",
        name="Logg",
        kind="partner_log",
        owner_organisation=OrganisationFactory(municipality=municipality),
        default_sensitivity="partners",
    )


def _rows(days):
    return [
        IncidentRow(
            k, f"r{k}", "burglary", "Inbrott",
            dt.datetime(d.year, d.month, d.day, 12, tzinfo=TZ), "exact", "municipality",
        )
        for k, d in enumerate(days)
    ]  # fmt: skip


def test_incidents_past_retention_go_in_batches_with_their_counts_and_coverage(db):
    here, elsewhere = MunicipalityFactory(), MunicipalityFactory()
    source, other = _source(here), _source(elsewhere)
    old = [dt.date(2014, 3, 1) + dt.timedelta(days=k) for k in range(7)]
    edge = [dt.date(2016, 6, 14), dt.date(2016, 6, 15)]  # the cut: 15 June 2016 is kept
    recent = [dt.date(2025, 1, 10), dt.date(2026, 5, 1)]
    write_incidents(source, _rows(old + edge + recent), covers=(dt.date(2014, 1, 1), TODAY))
    write_incidents(other, _rows(old), covers=(dt.date(2014, 1, 1), TODAY))
    first = Incident.objects.get(source=source, source_ref="r0")
    IncidentRevision.objects.create(incident=first, changes={"category": "theft"})

    SiteProfile.objects.create(municipality=here, incident_retention_years=10)
    assert retention.cutoff(10, TODAY) == dt.date(2016, 6, 15)
    deleted = retention.purge_expired(here, 10, TODAY, batch=3)

    assert deleted == 8  # seven in 2014 and 14 June 2016, three at a time
    kept = sorted(Incident.objects.filter(source=source).values_list("occurred_date", flat=True))
    assert kept == [dt.date(2016, 6, 15), *recent]
    assert not IncidentRevision.objects.filter(incident_id=first.pk).exists()
    assert not DailyCount.objects.filter(municipality=here, day__lt=dt.date(2016, 6, 15)).exists()
    assert DailyCount.objects.filter(municipality=here).count() == 3
    (span,) = SourceCoverage.objects.filter(source=source).values_list("date_from", "date_to")
    assert span == (dt.date(2016, 6, 15), TODAY)
    # Another municipality's incidents of the same days stay.
    assert Incident.objects.filter(source=other).count() == 7
    entry = AuditEntry.objects.filter(action=AuditAction.DELETE, municipality=here).get()
    assert entry.changes["incidents_deleted"] == 8
    # The next night: nothing more to do.
    assert retention.purge_expired(here, 10, TODAY) == 0
    assert retention.purge_all(TODAY) == 0

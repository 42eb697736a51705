"""Incidents past a municipality's retention period (``SiteProfile.incident_retention_years``),
deleted by the nightly housekeeping — in batches through the ``(municipality,
occurred_date)`` index, never by rewriting the table (autovacuum makes the space reusable).

With them go their daily counts and the part of each source's coverage before the cut, so
that no comparison later takes the emptied years for years that were reported and quiet."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction

from trygg.core import audit
from trygg.core.models import AuditAction, Municipality, SiteProfile
from trygg.incidents.models import DailyCount, Incident, SourceCoverage

BATCH = 20_000


def cutoff(years: int, today: dt.date) -> dt.date:
    """The first day kept: the same date ``years`` years ago (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def purge_expired(
    municipality: Municipality, years: int, today: dt.date, batch: int = BATCH
) -> int:
    """Delete the municipality's incidents that occurred before ``cutoff(years, today)``,
    ``batch`` at a time (each batch its own transaction: a long purge holds no lock for
    long and is resumed by the next night if stopped). How many were deleted."""
    first_kept = cutoff(years, today)
    old = Incident.objects.filter(municipality=municipality, occurred_date__lt=first_kept)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(old.order_by().values_list("pk", flat=True)[:batch])
            if not ids:
                break
            _delete(ids)
            deleted += len(ids)
    with transaction.atomic():
        summary = DailyCount.objects.filter(municipality=municipality, day__lt=first_kept)
        summary._raw_delete(summary.db)
        spans = SourceCoverage.objects.filter(source__municipality=municipality)
        spans.filter(date_to__lt=first_kept).delete()
        audit.update(spans.filter(date_from__lt=first_kept), date_from=first_kept)
        if deleted:
            audit.record_event(
                AuditAction.DELETE,
                label="housekeeping: retention",
                municipality_id=municipality.pk,
                changes={
                    "incidents_deleted": deleted,
                    "occurred_before": first_kept.isoformat(),
                    "retention_years": years,
                },
            )
    return deleted


def _delete(ids: list[int]) -> None:
    """Delete incidents and what hangs on them (revisions, alerts, the organisations a
    restricted one names) with plain DELETEs: one audit line for the whole purge, not one
    per incident — retention is a rule applied, not millions of edits."""
    for relation in Incident._meta.related_objects:
        if relation.many_to_many:
            continue
        dependents = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": ids}
        )
        if relation.on_delete is models.CASCADE:
            dependents._raw_delete(dependents.db)
        elif relation.on_delete is models.SET_NULL:
            dependents.update(**{relation.field.name: None})
        else:  # PROTECT, RESTRICT, …: the ordinary delete decides
            Incident._base_manager.filter(pk__in=ids).delete()
            return
    for field in Incident._meta.many_to_many:
        through = field.remote_field.through._base_manager.filter(
            **{f"{field.m2m_field_name()}__in": ids}
        )
        through._raw_delete(through.db)
    incidents = Incident._base_manager.filter(pk__in=ids)
    incidents._raw_delete(incidents.db)


def purge_all(today: dt.date) -> int:
    """Every municipality that set a retention period."""
    total = 0
    for profile in SiteProfile.objects.filter(
        incident_retention_years__isnull=False
    ).select_related("municipality"):
        total += purge_expired(profile.municipality, profile.incident_retention_years, today)
    return total

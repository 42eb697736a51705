"""Cases: reading them — status filters, what the public site shows, the municipality's
response."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from trygg.cases.mailing import (  # noqa: F401 - part of the services' interface
    erase_expired_emails,
    overdue_by_organisation,
    responsible_addresses,
)
from trygg.cases.models import (
    CLOSED_STATES,
    OPEN_STATES,
    Case,
    State,
)
from trygg.core.models import Municipality, Sensitivity

# --- Reading ------------------------------------------------------------------------

STATUS_FILTERS = ("open", "overdue", "closed", "all")


def search_cases(qs, text: str):
    """Cases matching a search: "123" or "#123" is a case number; other words must each
    appear in the case's text, its address, its category or its area."""
    text = text.strip()
    number = text.lstrip("#")
    if number.isdigit():
        return qs.filter(pk=int(number))
    for word in text.split()[:6]:
        qs = qs.filter(
            Q(description__icontains=word)
            | Q(address__icontains=word)
            | Q(category__name__icontains=word)
            | Q(area__name__icontains=word)
        )
    return qs


def with_status(qs, status: str, today: dt.date | None = None):
    """Cases by status group: open, overdue (open past the deadline), closed; any other
    value (all) leaves ``qs`` as it is."""
    if status == "open":
        return qs.filter(state__in=OPEN_STATES)
    if status == "overdue":
        return qs.filter(state__in=OPEN_STATES, deadline__lt=today or timezone.localdate())
    if status == "closed":
        return qs.filter(state__in=CLOSED_STATES)
    return qs


def public_cases(municipality: Municipality):
    """What the public site and Open311 show: the public cases that are not hidden (their
    text only once approved — see Case.public_description). Residents' and other apps'
    reports are public; staff decide for theirs."""
    return (
        Case.objects.filter(municipality=municipality, sensitivity=Sensitivity.PUBLIC)
        .exclude(state=State.HIDDEN)
        .select_related("category", "owner_organisation", "area")
        # An area's boundary is large JSON; lists need only its name.
        .defer("area__geometry")
    )


def public_updates(case: Case):
    return [u for u in case.updates.all() if u.is_public]


def status_notes(case: Case) -> str:
    """The municipality's response, for the public: the decided action, else the latest
    public note."""
    if case.decided_action:
        return case.decided_action
    notes = [u.text for u in public_updates(case) if u.text]
    return notes[-1] if notes else ""

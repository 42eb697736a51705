"""Who gets the cases' e-mail and what the daily jobs act on: read by the task worker
(cases.tasks) and the services alike, and importing neither of them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils import timezone

from trygg.cases.models import CLOSED_STATES, OPEN_STATES, Case, CaseSubscription, State
from trygg.core.models import Organisation, SiteProfile

UNSUBSCRIBE_SALT = "trygg.cases.unsubscribe"
CONFIRM_WITHIN = dt.timedelta(days=7)


def responsible_addresses(organisation: Organisation) -> list[str]:
    """Who hears on an organisation's behalf (cases routed to it, reminders, serious-event
    alerts): its active members, and its shared mailbox when it has one."""
    addresses = {
        m.user.email
        for m in organisation.memberships.filter(is_active=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    }
    if organisation.contact_email:
        addresses.add(organisation.contact_email.strip().lower())
    return sorted(addresses)


def overdue_by_organisation(today: dt.date | None = None) -> dict[Organisation, list[Case]]:
    """Open cases past their deadline that have not been reminded of today."""
    today = today or timezone.localdate()
    grouped: dict[Organisation, list[Case]] = defaultdict(list)
    qs = (
        Case.objects.filter(state__in=OPEN_STATES, deadline__lt=today)
        .exclude(reminded_on=today)
        .select_related("category", "owner_organisation", "area")
        .order_by("deadline", "pk")
    )
    for case in qs:
        grouped[case.owner_organisation].append(case)
    return grouped


def _past_retention(prefix: str, now: dt.datetime) -> Q:
    """Cases closed longer ago than their municipality's retention period (its own, set in
    Inställningar, else ``CASE_EMAIL_RETENTION_DAYS``)."""
    own = dict(
        SiteProfile.objects.filter(case_email_retention_days__isnull=False).values_list(
            "municipality_id", "case_email_retention_days"
        )
    )
    default = now - dt.timedelta(days=settings.CASE_EMAIL_RETENTION_DAYS)
    condition = Q(**{f"{prefix}closed_at__lt": default}) & ~Q(
        **{f"{prefix}municipality_id__in": list(own)}
    )
    for municipality_id, days in own.items():
        condition |= Q(
            **{
                f"{prefix}municipality_id": municipality_id,
                f"{prefix}closed_at__lt": now - dt.timedelta(days=days),
            }
        )
    return condition


def erase_expired_emails(now: dt.datetime | None = None) -> int:
    """Erase residents' e-mail addresses of cases closed longer than the retention
    period (docs/privacy.md §2, §6)."""
    now = now or timezone.now()
    expired = Case.objects.filter(
        _past_retention("", now), state__in=CLOSED_STATES | {State.HIDDEN}
    ).exclude(reporter_email="")
    count = 0
    for case in expired:  # one by one, so that each erasure is audited
        case.reporter_email = ""
        case.save(update_fields=["reporter_email", "updated_at"])
        count += 1
    return count


# --- Residents following a case -------------------------------------------------------


def digest(email: str) -> str:
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:20]


def unsubscribe_token(case_id: int, email: str) -> str:
    """The signed part of a stop link: which case, and a digest of the address (the
    address itself is not in the link)."""
    return signing.dumps([case_id, digest(email)], salt=UNSUBSCRIBE_SALT)


def follower_addresses(case: Case) -> set[str]:
    """Who hears about a case's public updates: its reporter, the reporters of its merged
    duplicates, and the confirmed followers of either."""
    cases = [case.pk, *case.duplicates.values_list("pk", flat=True)]
    addresses = set(
        Case.objects.filter(pk__in=cases)
        .exclude(reporter_email="")
        .values_list("reporter_email", flat=True)
    ) | set(
        CaseSubscription.objects.filter(case_id__in=cases, confirmed_at__isnull=False).values_list(
            "email", flat=True
        )
    )
    return {a.strip().lower() for a in addresses if a}


def erase_subscriptions(now: dt.datetime | None = None) -> int:
    """Housekeeping: the followers of cases closed longer than the retention period
    (docs/privacy.md §6), and requests never confirmed within a week."""
    now = now or timezone.now()
    closed = CaseSubscription.objects.filter(
        _past_retention("case__", now), case__state__in=CLOSED_STATES | {State.HIDDEN}
    )
    unconfirmed = CaseSubscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - CONFIRM_WITHIN
    )
    return closed.delete()[0] + unconfirmed.delete()[0]

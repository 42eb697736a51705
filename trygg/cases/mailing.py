"""Who gets the cases' e-mail and what the daily jobs act on: read by the task worker
(cases.tasks) and the services alike, and importing neither of them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from trygg.cases.models import CLOSED_STATES, OPEN_STATES, Case, State
from trygg.core.models import Organisation


def responsible_addresses(organisation: Organisation) -> list[str]:
    return sorted(
        {
            m.user.email
            for m in organisation.memberships.filter(is_active=True, user__is_active=True)
            .exclude(user__email="")
            .select_related("user")
        }
    )


def overdue_by_organisation(today: dt.date | None = None) -> dict[Organisation, list[Case]]:
    """Open cases past their deadline that have not been reminded of today."""
    today = today or timezone.localdate()
    grouped: dict[Organisation, list[Case]] = defaultdict(list)
    qs = (
        Case.objects.filter(state__in=OPEN_STATES, deadline__lt=today)
        .exclude(reminded_on=today)
        .select_related("category", "owner_organisation")
        .order_by("deadline", "pk")
    )
    for case in qs:
        grouped[case.owner_organisation].append(case)
    return grouped


def erase_expired_emails(now: dt.datetime | None = None) -> int:
    """Erase residents' e-mail addresses of cases closed longer than the retention
    period (docs/privacy.md §2, §6)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.CASE_EMAIL_RETENTION_DAYS)
    expired = Case.objects.filter(
        state__in=CLOSED_STATES | {State.HIDDEN}, closed_at__lt=cutoff
    ).exclude(reporter_email="")
    count = 0
    for case in expired:  # one by one, so that each erasure is audited
        case.reporter_email = ""
        case.save(update_fields=["reporter_email", "updated_at"])
        count += 1
    return count

"""Residents following a case by e-mail: a subscription confirmed by a link sent to the
address (double opt-in), ended by the link in every e-mail, and erased with the case's
other personal data (docs/privacy.md §2). The reporter's own address (given with the
report) gets the same stop link."""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.utils import timezone

from trygg.cases import tasks
from trygg.cases.mailing import (  # noqa: F401 - part of the services' interface
    CONFIRM_WITHIN,
    UNSUBSCRIBE_SALT,
    digest,
    erase_subscriptions,
    unsubscribe_token,
)
from trygg.cases.models import Case, CaseSubscription


def request_subscription(case: Case, email: str) -> CaseSubscription | None:
    """Ask to follow ``case``: a confirmation link goes to ``email`` (none if it already
    follows the case). The answer to the visitor is the same either way."""
    email = email.strip().lower()
    with transaction.atomic():
        subscription, created = CaseSubscription.objects.get_or_create(case=case, email=email)
        if subscription.confirmed_at is not None:
            return None
        if not created:  # asked again: a fresh link, the old one stops working
            subscription.token = CaseSubscription._meta.get_field("token").get_default()
            subscription.created_at = timezone.now()
            subscription.save(update_fields=["token", "created_at"])
        pk = subscription.pk
        transaction.on_commit(lambda: tasks.send_subscription_confirmation.enqueue(pk))
    return subscription


def pending_subscription(token: str) -> CaseSubscription | None:
    """The subscription a confirmation link names, while the link is valid."""
    return (
        CaseSubscription.objects.filter(
            token=token, created_at__gte=timezone.now() - CONFIRM_WITHIN
        )
        .select_related("case")
        .first()
    )


def confirm_subscription(subscription: CaseSubscription) -> None:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])


def unsubscribe(token: str) -> Case | None:
    """End the e-mail a stop link was sent for (a subscription, or the reporter's own
    address on the case). None when the link is not valid."""
    try:
        case_id, wanted = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return None
    with transaction.atomic():
        for subscription in CaseSubscription.objects.filter(case=case):
            if digest(subscription.email) == wanted:
                subscription.delete()
        if case.reporter_email and digest(case.reporter_email) == wanted:
            case.reporter_email = ""
            case.save(update_fields=["reporter_email", "updated_at"])  # audited
    return case

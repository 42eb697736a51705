"""Background work of cases, run by the task worker: e-mail to the responsible
organisation and to residents, the daily reminder of overdue cases, housekeeping."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from trygg.cases.mailing import (
    erase_expired_emails,
    erase_subscriptions,
    follower_addresses,
    overdue_by_organisation,
    responsible_addresses,
    unsubscribe_token,
)
from trygg.cases.models import Case, CaseSubscription, CaseUpdate
from trygg.core import audit, jobs, ratelimit, retention
from trygg.core.scheduler import daily
from trygg.core.tenancy import absolute_url
from trygg.incidents import retention as incident_retention


@task()
def notify_responsible(case_id: int) -> int:
    """Tell the responsible organisation's members that a case is theirs."""
    case = Case.objects.select_related("category", "owner_organisation", "area").get(pk=case_id)
    recipients = responsible_addresses(case.owner_organisation)
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("cases/email/assigned_subject.txt", {"case": case}).strip()
        body = render_to_string(
            "cases/email/assigned.txt",
            {"case": case, "url": absolute_url(reverse("case_detail", args=[case.pk]))},
        )
    send_mass_mail(
        [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients],
        fail_silently=False,
    )
    return len(recipients)


def _resident_mail(case: Case, template: str, to: str, **context) -> tuple:
    """One e-mail to a resident about ``case``, in the municipality's language, with the
    case's public link and the link that stops the e-mail."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "case": case,
            "url": absolute_url(reverse("public_case", args=[case.pk])),
            "stop_url": absolute_url(
                reverse("public_unsubscribe", args=[unsubscribe_token(case.pk, to)])
            ),
            **context,
        }
        subject = render_to_string(f"cases/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"cases/email/{template}.txt", context)
    return (subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@task()
def notify_reporters(case_id: int, update_id: int) -> int:
    """Tell the residents who reported the case (and its duplicates) and those who follow
    it what happened."""
    case = Case.objects.select_related("category", "area").get(pk=case_id)
    update = CaseUpdate.objects.get(pk=update_id, case=case)
    addresses = follower_addresses(case)
    send_mass_mail(
        [_resident_mail(case, "update", to, update=update) for to in sorted(addresses)],
        fail_silently=False,
    )
    return len(addresses)


@task()
def confirm_report(case_id: int) -> int:
    """The reporter's receipt: the case's number and its public page."""
    case = Case.objects.select_related("category", "area").get(pk=case_id)
    if not case.reporter_email:
        return 0
    send_mass_mail([_resident_mail(case, "received", case.reporter_email)], fail_silently=False)
    return 1


@task()
def send_subscription_confirmation(subscription_id: int) -> int:
    """The link that confirms a request to follow a case (double opt-in)."""
    subscription = (
        CaseSubscription.objects.filter(pk=subscription_id, confirmed_at__isnull=True)
        .select_related("case__category", "case__area")
        .first()
    )
    if subscription is None:
        return 0
    confirm_url = absolute_url(reverse("public_follow_confirm", args=[subscription.token]))
    send_mass_mail(
        [_resident_mail(subscription.case, "follow", subscription.email, confirm_url=confirm_url)],
        fail_silently=False,
    )
    return 1


@daily("07:00")
@task()
def send_overdue_reminders() -> int:
    """One e-mail per member of each organisation with overdue cases, listing them.
    A case is reminded of at most once a day (``Case.reminded_on``)."""

    today = timezone.localdate()
    sent = 0
    with audit.acting(label="scheduler: overdue reminders"):
        for organisation, cases in overdue_by_organisation(today).items():
            recipients = responsible_addresses(organisation)
            if recipients:
                with translation.override(settings.LANGUAGE_CODE):
                    subject = render_to_string(
                        "cases/email/overdue_subject.txt",
                        {"organisation": organisation, "count": len(cases)},
                    ).strip()
                    body = render_to_string(
                        "cases/email/overdue.txt",
                        {
                            "organisation": organisation,
                            "cases": [
                                (c, absolute_url(reverse("case_detail", args=[c.pk])))
                                for c in cases
                            ],
                            "today": today,
                        },
                    )
                send_mass_mail(
                    [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients],
                    fail_silently=False,
                )
                sent += len(recipients)
            audit.update(Case.objects.filter(pk__in=[c.pk for c in cases]), reminded_on=today)
    return sent


@daily("03:00")
@task()
def housekeeping() -> dict:
    """Erase residents' e-mails past retention; drop old rate-limit counters and login
    records; fail the jobs a dead worker left running; delete incidents past each
    municipality's retention period."""

    with audit.acting(label="scheduler: housekeeping"):
        return {
            "emails_erased": erase_expired_emails(),
            "subscriptions_erased": erase_subscriptions(),
            "counters_purged": ratelimit.purge(),
            "stuck_jobs_failed": len(jobs.repair()),
            "login_records_purged": retention.purge_login_records(),
            "incidents_purged": incident_retention.purge_all(timezone.localdate()),
        }

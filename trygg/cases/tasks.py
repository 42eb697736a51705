"""Background work of cases, run by the task worker: e-mail to the responsible
organisation and to residents, the daily reminder of overdue cases, housekeeping."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from trygg.cases.mailing import erase_expired_emails, overdue_by_organisation, responsible_addresses
from trygg.cases.models import Case, CaseUpdate
from trygg.core import audit, jobs, ratelimit, retention
from trygg.core.scheduler import daily


def _url(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


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
            {"case": case, "url": _url(reverse("case_detail", args=[case.pk]))},
        )
    send_mass_mail(
        [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients],
        fail_silently=False,
    )
    return len(recipients)


@task()
def notify_reporters(case_id: int, update_id: int) -> int:
    """Tell the residents who reported the case (and its duplicates) what happened."""
    case = Case.objects.select_related("category").get(pk=case_id)
    update = CaseUpdate.objects.get(pk=update_id, case=case)
    addresses = {case.reporter_email} | set(
        case.duplicates.exclude(reporter_email="").values_list("reporter_email", flat=True)
    )
    addresses.discard("")
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("cases/email/update_subject.txt", {"case": case}).strip()
        body = render_to_string(
            "cases/email/update.txt",
            {
                "case": case,
                "update": update,
                "url": _url(reverse("public_case", args=[case.pk])),
            },
        )
    send_mass_mail(
        [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in sorted(addresses)],
        fail_silently=False,
    )
    return len(addresses)


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
                                (c, _url(reverse("case_detail", args=[c.pk]))) for c in cases
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
    records; fail the jobs a dead worker left running."""

    with audit.acting(label="scheduler: housekeeping"):
        return {
            "emails_erased": erase_expired_emails(),
            "counters_purged": ratelimit.purge(),
            "stuck_jobs_failed": len(jobs.repair()),
            "login_records_purged": retention.purge_login_records(),
        }

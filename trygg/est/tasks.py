"""Background work of the weekly picture: feedback to reporters, sharing decisions, a
partner's uploaded file of reports."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from trygg.core.models import Membership
from trygg.est import importers
from trygg.est.models import Observation, ObservationUpload, WeeklyMeeting


@task()
def send_feedback(observation_id: int) -> int:

    observation = Observation.objects.select_related("reporter", "category").get(pk=observation_id)
    if not (observation.reporter and observation.reporter.email and observation.feedback):
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("est/email/feedback_subject.txt", {"o": observation}).strip()
        body = render_to_string("est/email/feedback.txt", {"o": observation})
    send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [observation.reporter.email])])
    return 1


@task()
def share_decisions(meeting_id: int) -> int:
    """The meeting's focus places and actions to every active member of every active
    partner organisation with an e-mail address."""

    meeting = WeeklyMeeting.objects.get(pk=meeting_id)
    addresses = sorted(
        set(
            Membership.objects.filter(
                organisation__municipality=meeting.municipality,
                is_active=True,
                organisation__is_active=True,
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("est/email/decisions_subject.txt", {"m": meeting}).strip()
        body = render_to_string(
            "est/email/decisions.txt",
            {
                "m": meeting,
                "focus": meeting.focus.select_related("area"),
                "actions": meeting.actions.select_related("owner"),
            },
        )
    send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses])
    return len(addresses)


@task()
def run_upload(job_id: int) -> str:
    """A partner's file of reports (``est.importers.run_upload``)."""
    job = ObservationUpload.objects.select_related("started_by").get(pk=job_id)
    return importers.run_upload(job).status

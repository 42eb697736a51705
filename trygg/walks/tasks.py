"""Background work of safety walks: generating the protocol PDF, sending invitations."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from trygg.cases.mailing import responsible_addresses
from trygg.core import jobs
from trygg.core.models import Organisation
from trygg.walks import invitations, protocol
from trygg.walks.models import ProtocolJob, Walk


@task()
def generate_protocol(walk_id: int) -> int:
    job = ProtocolJob.objects.select_related(
        "walk__area", "walk__template", "walk__municipality", "walk__owner_organisation"
    ).get(walk_id=walk_id)
    walk = job.walk
    with translation.override(settings.LANGUAGE_CODE):
        failure = _("The PDF could not be made. Try again, or tell the administrator.")
    with jobs.running(job, failure=failure):
        started = timezone.now()
        pdf = protocol.render(walk)
        if walk.protocol_pdf:
            walk.protocol_pdf.delete(save=False)
        walk.protocol_pdf.save(f"walk-{walk.pk}.pdf", ContentFile(pdf), save=False)
        walk.protocol_generated_at = started
        walk.save(update_fields=["protocol_pdf", "protocol_generated_at"])
    return len(pdf)


@task()
def send_invitations(
    walk_id: int, method: str, organisation_ids: list[int], changed: bool, sequence: int
) -> int:
    """One e-mail per invited organisation (to its members' addresses) for the walk's
    revision ``sequence``; the number sent."""
    walk = Walk.objects.select_related("area", "municipality").get(pk=walk_id)
    walk.invitation_sequence = sequence  # the revision this message is about
    sent = 0
    for organisation in Organisation.objects.filter(pk__in=organisation_ids).order_by("pk"):
        recipients = responsible_addresses(organisation)
        if recipients:
            invitations.message(walk, method, recipients, changed=changed).send()
            sent += 1
    return sent

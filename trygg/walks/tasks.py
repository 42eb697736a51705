"""Background work of safety walks: generating the protocol PDF."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from trygg.core import jobs
from trygg.walks import protocol
from trygg.walks.models import ProtocolJob


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

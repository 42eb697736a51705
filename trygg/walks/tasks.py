"""Background work of safety walks: generating the protocol PDF."""

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task


@task()
def generate_protocol(walk_id: int) -> int:
    from trygg.walks import protocol
    from trygg.walks.models import Walk

    walk = Walk.objects.select_related(
        "area", "template", "municipality", "owner_organisation"
    ).get(pk=walk_id)
    started = timezone.now()
    pdf = protocol.render(walk)
    if walk.protocol_pdf:
        walk.protocol_pdf.delete(save=False)
    walk.protocol_pdf.save(f"walk-{walk.pk}.pdf", ContentFile(pdf), save=False)
    walk.protocol_generated_at = started
    walk.save(update_fields=["protocol_pdf", "protocol_generated_at"])
    return len(pdf)

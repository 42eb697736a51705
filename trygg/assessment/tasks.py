"""Background generation of lägesbild documents (run by ``manage.py db_worker``)."""

import logging

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from trygg.core import audit

log = logging.getLogger(__name__)


@task()
def generate_document(document_id: int) -> str:
    from trygg.assessment.document import LagesbildRequest, generate
    from trygg.assessment.models import DocumentStatus, LagesbildDocument

    doc = LagesbildDocument.objects.select_related("municipality").get(pk=document_id)
    if doc.is_decided:
        return "frozen"
    audit.update(
        LagesbildDocument.objects.filter(pk=doc.pk), status=DocumentStatus.RUNNING, progress=10
    )
    try:
        pdf = generate(
            LagesbildRequest(
                doc.municipality,
                doc.date_from,
                doc.date_to,
                public=doc.audience == "public",
                language=doc.language,
                version=doc.version,
                texts={"summary": doc.summary_text, "analysis": doc.analysis_text},
            ),
            progress=lambda p: audit.update(
                LagesbildDocument.objects.filter(pk=doc.pk), progress=p
            ),
        )
    except Exception as exc:
        log.exception("lägesbild %s failed", doc.pk)
        audit.update(
            LagesbildDocument.objects.filter(pk=doc.pk),
            status=DocumentStatus.FAILED,
            progress=100,
            message=str(exc)[:500],
        )
        raise
    doc.pdf.save(
        f"lagesbild-{doc.municipality.code}-v{doc.version}.pdf", ContentFile(pdf), save=False
    )
    doc.status = DocumentStatus.DONE
    doc.progress = 100
    doc.generated_at = timezone.now()
    doc.message = ""
    doc.save()
    return "done"

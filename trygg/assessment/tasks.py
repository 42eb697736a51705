"""Background generation of lägesbild documents (run by ``manage.py db_worker``)."""

import logging

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from trygg.assessment import document
from trygg.assessment.models import LagesbildDocument
from trygg.core import audit, jobs

log = logging.getLogger(__name__)


@task()
def generate_document(document_id: int) -> str:

    doc = LagesbildDocument.objects.select_related("municipality").get(pk=document_id)
    if doc.is_decided:
        return "frozen"
    with jobs.running(doc):
        audit.update(LagesbildDocument.objects.filter(pk=doc.pk), progress=10)
        content = document.compose(
            document.LagesbildRequest(
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
        pdf = document.render(content)
        doc.content = content
        doc.pdf.save(
            f"lagesbild-{doc.municipality.code}-v{doc.version}.pdf", ContentFile(pdf), save=False
        )
        doc.progress = 100
        doc.generated_at = timezone.now()
        doc.save(update_fields=["pdf", "content", "progress", "generated_at"])
    return "done"

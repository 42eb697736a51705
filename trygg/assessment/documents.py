"""The statutory lägesbild document's life: a coordinator asks for a version (the task
worker renders it), retries one that failed, and records the decision that freezes it.
Every write of the document pages is here; the views parse and render."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from trygg.assessment import document
from trygg.assessment.models import LagesbildDocument
from trygg.core.permissions import Permission, Principal


def _require_writer(principal: Principal, doc: LagesbildDocument | None = None) -> None:
    if not principal.has(Permission.WRITE_LAGESBILD):
        raise PermissionDenied
    if doc is not None and doc.municipality_id != principal.municipality.pk:
        raise PermissionDenied


@transaction.atomic
def request_document(
    principal: Principal,
    *,
    date_from: dt.date,
    date_to: dt.date,
    audience: str,
    language: str,
    summary_text: str = "",
    analysis_text: str = "",
) -> LagesbildDocument:
    """A new version (the next number) for the period and audience, queued for the worker."""
    _require_writer(principal)
    municipality = principal.municipality
    last = (
        LagesbildDocument.objects.select_for_update()
        .filter(municipality=municipality)
        .aggregate(v=Max("version"))["v"]
    )
    doc = LagesbildDocument(
        municipality=municipality,
        version=(last or 0) + 1,
        date_from=date_from,
        date_to=date_to,
        audience=audience,
        language=language,
        summary_text=summary_text,
        analysis_text=analysis_text,
        created_by=principal.user,
    )
    doc.full_clean()
    doc.save()
    doc.enqueue()
    return doc


@transaction.atomic
def retry_document(principal: Principal, doc: LagesbildDocument) -> None:
    """Queue a version whose rendering failed once more."""
    _require_writer(principal, doc)
    if not doc.has_failed or doc.is_decided:
        raise ValidationError(_("Only a version that failed can be made again."))
    doc.mark_queued()
    doc.enqueue()


@transaction.atomic
def decide_document(
    principal: Principal,
    doc: LagesbildDocument,
    *,
    decided_by_body: str,
    decided_on: dt.date,
    minute_reference: str = "",
) -> None:
    """Record the decision (council or board, date, minute): the version is frozen, and
    its PDF is set again from the very content that was read — the decision in place of
    "draft" on every page, not one figure recomputed."""
    _require_writer(principal, doc)
    if doc.is_decided or doc.status != "done":
        raise ValidationError(_("Only a finished version that is not yet decided can be decided."))
    doc.decided_by_body = decided_by_body
    doc.decided_on = decided_on
    doc.minute_reference = minute_reference
    doc.full_clean()
    fields = ["decided_by_body", "decided_on", "minute_reference"]
    if doc.content:
        line = document.decision_line(
            doc.version, decided_by_body, decided_on, minute_reference, doc.language
        )
        doc.pdf.save(
            f"lagesbild-{doc.municipality.code}-v{doc.version}-beslutad.pdf",
            ContentFile(document.render(doc.content, decision=line)),
            save=False,
        )
        fields.append("pdf")
    doc.save(update_fields=fields)

"""The safety-walk capture API used by the offline phone app (and any other client):
what to capture on, and exactly-once delivery of findings and their photos.

Delivery is idempotent by identifiers the phone makes when the finding is captured:
``PUT /walks/{walk}/findings/{client_id}`` stores the finding once (201) and answers a
repeat with the stored one (200); ``POST /findings/{client_id}/photos`` with a
``photo_id`` does the same for photos. A phone can therefore retry after any failure —
lost response, dropped connection half-way — without losing or duplicating anything.
"""

from __future__ import annotations

import contextlib
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from trygg.core.guards import require_member
from trygg.core.permissions import Permission
from trygg.walks import services
from trygg.walks.models import Finding, Walk

router = Router(tags=["safety walks"])


@contextlib.contextmanager
def _as_http(forbidden: str):
    """The services' refusals as HTTP answers: 403 not allowed, 422 invalid."""
    try:
        yield
    except PermissionDenied as exc:
        raise HttpError(403, forbidden) from exc
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from exc


def _member(request: HttpRequest):
    return require_member(
        request,
        Permission.CREATE,
        "Capturing findings needs a membership that may create records.",
    )


class CaptureWalk(Schema):
    id: int
    title: str
    date: str
    start_time: str
    area: str
    area_bounds: list[float]
    route: dict | None
    stops: list[str]
    items: list[dict]
    synced: list[str]


class CaptureCategory(Schema):
    id: int
    label: str


class CaptureOut(Schema):
    walks: list[CaptureWalk]
    categories: list[CaptureCategory]


@router.get("/walks/capture", response=CaptureOut, summary="Walks to capture on, for the phone")
def capture(request: HttpRequest):
    return services.capture_payload(_member(request))


class FindingIn(Schema):
    lat: float
    lon: float
    category: int
    checks: list[str] = []
    scores: dict[str, int | None] = {}
    description: str = ""
    captured_at: str | None = None
    position_source: str = "gps"
    accuracy_m: float | None = None


class FindingOut(Schema):
    id: int
    client_id: uuid.UUID
    walk: int
    case: int | None
    created: bool
    masked_personal_data: int


@router.put(
    "/walks/{walk_id}/findings/{client_id}",
    response={200: FindingOut, 201: FindingOut},
    summary="Deliver a finding (idempotent by client_id)",
)
def put_finding(request: HttpRequest, walk_id: int, client_id: uuid.UUID, payload: FindingIn):
    principal = _member(request)
    walk = get_object_or_404(Walk.objects.visible_to(principal), pk=walk_id)
    with _as_http("You may not add findings to this walk."):
        finding, created = services.sync_finding(walk, principal, client_id, payload.dict())
    body = {
        "id": finding.pk,
        "client_id": finding.client_id,
        "walk": walk.pk,
        "case": finding.case_id,
        "created": created,
        "masked_personal_data": finding.masked_personal_data,
    }
    return Status(201 if created else 200, body)


class PhotoOut(Schema):
    id: int
    client_id: uuid.UUID
    finding: uuid.UUID
    created: bool


@router.post(
    "/findings/{client_id}/photos",
    response={200: PhotoOut, 201: PhotoOut},
    summary="Deliver a photo of a finding (idempotent by photo_id)",
)
def post_photo(
    request: HttpRequest,
    client_id: uuid.UUID,
    photo_id: uuid.UUID = Form(...),  # noqa: B008 - django-ninja's way to declare a form field
    photo: UploadedFile = File(...),  # noqa: B008
):
    principal = _member(request)
    finding = get_object_or_404(
        Finding.objects.select_related("walk").filter(walk__in=Walk.objects.visible_to(principal)),
        client_id=client_id,
    )
    with _as_http("You may not add photos to this walk."):
        stored, created = services.add_finding_photo(finding, principal, photo_id, photo.read())
    body = {
        "id": stored.pk,
        "client_id": stored.client_id,
        "finding": finding.client_id,
        "created": created,
    }
    return Status(201 if created else 200, body)

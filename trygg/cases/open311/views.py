"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2/,
with service discovery at /open311/discovery.{json,xml}.

Read methods are open to all and show only what the public may see: cases not hidden,
their text only once a moderator approved it, never the reporter's e-mail or internal
notes. POST needs an ``api_key`` (``manage.py create_open311_key NAME``), is rate-limited
per key, and creates a case exactly as the public report page does (routed, moderated).
Names, phone numbers and account ids that clients may send are ignored, never stored.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from trygg.cases import services
from trygg.cases.models import (
    DESCRIPTION_MAX,
    CaseCategory,
    CasePhoto,
    CaseUpdate,
    Moderation,
    Origin,
)
from trygg.cases.open311 import keys
from trygg.cases.open311.serialise import errors, respond
from trygg.core import ratelimit
from trygg.core.models import Municipality
from trygg.core.params import MAX_ID
from trygg.core.services import locate_area
from trygg.core.tenancy import UnknownMunicipality, municipality_for

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_RANGE = dt.timedelta(days=90)
MAX_REQUESTS = 1000


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _jurisdiction(request) -> Municipality:
    """``jurisdiction_id`` is the municipality's four-digit code. Left out, the
    installation's default serves (PUBLIC_MUNICIPALITY, else its only municipality)."""
    code = (request.POST if request.method == "POST" else request.GET).get("jurisdiction_id")
    try:
        return municipality_for(code)
    except UnknownMunicipality as exc:
        if code:
            raise Open311Error(400, f"jurisdiction_id {code!r} was not found") from exc
        raise Open311Error(400, f"jurisdiction_id is required: {exc}") from exc


def open311_view(methods):
    def decorate(view):
        @csrf_exempt
        @require_http_methods(methods)
        def wrapper(request, fmt, **kwargs):
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return errors(fmt, exc.status, exc.description)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


# --- Discovery ----------------------------------------------------------------------


@open311_view(["GET"])
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311_root"))
    payload = {
        "changeset": "2026-11-25T00:00:00+01:00",
        "contact": "Kontakta kommunens samordnare för trygghetsarbetet.",
        "key_service": (
            "Read access is open. For an api_key to POST service requests, ask the "
            "municipality; keys are created with manage.py create_open311_key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.rstrip("/") + "/v2",
                "changeset": "2026-11-25T00:00:00+01:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", None, payload)


# --- Services -----------------------------------------------------------------------


def _service(category: CaseCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def _categories(municipality):
    return CaseCategory.objects.filter(municipality=municipality, is_public=True)


@open311_view(["GET"])
def service_list(request, fmt):
    municipality = _jurisdiction(request)
    payload = [_service(c) for c in _categories(municipality)]
    return respond(fmt, "services", "service", payload)


def _attribute(attribute: dict, order: int) -> dict:
    return {
        "variable": True,
        "code": attribute["code"],
        "datatype": attribute.get("datatype", "string"),
        "required": bool(attribute.get("required", False)),
        "datatype_description": attribute.get("datatype_description", ""),
        "order": attribute.get("order", order),
        "description": attribute.get("description", ""),
        "values": [{"key": v["key"], "name": v["name"]} for v in attribute.get("values", [])],
    }


@open311_view(["GET"])
def service_definition(request, fmt, service_code):
    municipality = _jurisdiction(request)
    category = _categories(municipality).filter(code=service_code).first()
    if category is None:
        raise Open311Error(404, f"service_code {service_code!r} was not found")
    payload = {
        "service_code": category.code,
        "attributes": [_attribute(a, i + 1) for i, a in enumerate(category.attributes)],
    }
    return respond(fmt, "service_definition", None, payload)


# --- Service requests ---------------------------------------------------------------


# Service request lists can hold a thousand records: they are read as plain rows (no
# model instances) with the public notes and photos fetched in one query each.
ROW_FIELDS = (
    "pk",
    "state",
    "category__name",
    "category__code",
    "description",
    "moderation",
    "owner_organisation__name",
    "created_at",
    "updated_at",
    "deadline",
    "address",
    "address_typed",
    "area__name",
    "lat",
    "lon",
    "media_url",
    "decided_action",
)


_POSTCODE = re.compile(r", (\d{3} \d{2})\b")


def _records(request, qs) -> list[dict]:
    rows = list(qs.values(*ROW_FIELDS))
    ids = [row["pk"] for row in rows]
    notes: dict[int, str] = {}
    public_notes = (
        CaseUpdate.objects.filter(case_id__in=ids, is_public=True)
        .exclude(text="")
        .order_by("at", "id")
        .values_list("case_id", "text")
    )
    for case_id, text in public_notes:
        notes[case_id] = text  # the latest wins
    photos: dict[int, int] = {}
    for case_id, photo_id in (
        CasePhoto.objects.filter(case_id__in=ids, is_public=True)
        .order_by("-id")
        .values_list("case_id", "id")
    ):
        photos[case_id] = photo_id  # the first wins
    return [_record(request, row, notes.get(row["pk"], ""), photos.get(row["pk"])) for row in rows]


def _record(request, row: dict, last_note: str, photo_id: int | None) -> dict:
    is_open = row["state"] in services.OPEN_STATES
    approved = row["moderation"] == Moderation.APPROVED
    expected = timezone.make_aware(dt.datetime.combine(row["deadline"], dt.time(23, 59, 59)))
    media_url = ""
    if approved and photo_id is not None:
        media_url = request.build_absolute_uri(
            reverse("public_case_photo", args=[row["pk"], photo_id])
        )
    elif approved:
        media_url = row["media_url"]
    address = row["address"] if approved or not row["address_typed"] else ""
    postcode = _POSTCODE.search(address) if not row["address_typed"] else None
    return {
        "service_request_id": str(row["pk"]),
        "status": "open" if is_open else "closed",
        "status_notes": row["decided_action"] or last_note,
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": row["description"] if approved else "",
        "agency_responsible": row["owner_organisation__name"],
        "service_notice": "",
        "requested_datetime": iso(row["created_at"]),
        "updated_datetime": iso(row["updated_at"]),
        "expected_datetime": iso(expected) if is_open else None,
        # The register's nearest address is public like the position; what the client
        # typed is published only once a moderator approved it.
        "address": address or row["area__name"] or "",
        "address_id": "",
        "zipcode": postcode.group(1).replace(" ", "") if postcode else "",
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": media_url,
    }


def _parse_when(name: str, raw: str) -> dt.datetime:
    problem = f"{name} must be a date and time in ISO 8601 (W3C) format"
    try:
        # A well-formed but impossible value (30 February, offset +99:00) is a ValueError.
        value = parse_datetime(raw.strip().replace(" ", "+"))
        if value is None:
            day = parse_date(raw.strip())
            if day is None:
                raise Open311Error(400, problem)
            value = dt.datetime.combine(day, dt.time())
    except ValueError as exc:
        raise Open311Error(400, f"{problem}: {exc}") from exc
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _is_id(text: str) -> bool:
    """An id as Open311 clients send it: ASCII digits ("٣" is a digit to Python), within
    the database's range."""
    return text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID


def _split(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _query_requests(request, municipality):
    params = request.GET
    qs = services.public_cases(municipality)
    ids = _split(params.get("service_request_id"))
    if ids:  # "If provided, other parameters are ignored."
        if not all(_is_id(i) for i in ids):
            raise Open311Error(400, "service_request_id must be numeric")
        return qs.filter(pk__in=ids).order_by("-created_at", "-pk")
    codes = _split(params.get("service_code"))
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = _split(params.get("status"))
    if statuses:
        unknown = set(statuses) - {"open", "closed"}
        if unknown:
            raise Open311Error(400, "status must be open, closed or both")
        if statuses == ["open"]:
            qs = qs.filter(state__in=services.OPEN_STATES)
        elif statuses == ["closed"]:
            qs = qs.filter(state__in=services.CLOSED_STATES)
    start = params.get("start_date")
    end = params.get("end_date")
    start_at = _parse_when("start_date", start) if start else None
    end_at = _parse_when("end_date", end) if end else None
    if start_at and end_at:
        if end_at < start_at:
            raise Open311Error(400, "end_date is before start_date")
        if end_at - start_at > MAX_RANGE:
            raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
    elif start_at:
        end_at = start_at + MAX_RANGE
    elif end_at:
        start_at = end_at - MAX_RANGE
    else:
        end_at = timezone.now()
        start_at = end_at - MAX_RANGE
    qs = qs.filter(created_at__gte=start_at, created_at__lte=end_at)
    return qs.order_by("-created_at", "-pk")[:MAX_REQUESTS]


@open311_view(["GET", "POST"])
def service_requests(request, fmt):
    if request.method == "POST":
        return _create_request(request, fmt)
    municipality = _jurisdiction(request)
    payload = _records(request, _query_requests(request, municipality))
    return respond(fmt, "service_requests", "request", payload)


@open311_view(["GET"])
def service_request(request, fmt, service_request_id):
    municipality = _jurisdiction(request)
    records = (
        _records(request, services.public_cases(municipality).filter(pk=service_request_id))
        if _is_id(service_request_id)
        else []
    )
    if not records:
        raise Open311Error(404, f"service_request_id {service_request_id!r} was not found")
    return respond(fmt, "service_requests", "request", records)


@open311_view(["GET"])
def token(request, fmt, token):
    municipality = _jurisdiction(request)
    case = services.public_cases(municipality).filter(token=token).first()
    if case is None:
        raise Open311Error(404, f"token {token!r} was not found")
    payload = [{"service_request_id": str(case.pk), "token": case.token}]
    return respond(fmt, "service_requests", "request", payload)


def _float(params, name) -> float | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a number in WGS84 decimal degrees") from exc


def _attributes(params, category: CaseCategory) -> dict:
    answers = {}
    for definition in category.attributes:
        code = definition["code"]
        values = [v for v in params.getlist(f"attribute[{code}]") if v.strip()]
        if not values:
            if definition.get("required"):
                raise Open311Error(400, f"attribute[{code}] is required for this service")
            continue
        datatype = definition.get("datatype", "string")
        allowed = {str(v["key"]) for v in definition.get("values", [])}
        if datatype in ("singlevaluelist", "multivaluelist") and not set(values) <= allowed:
            raise Open311Error(400, f"attribute[{code}] has a value that is not in the list")
        if datatype == "number":
            try:
                float(values[0])
            except ValueError as exc:
                raise Open311Error(400, f"attribute[{code}] must be a number") from exc
        answers[code] = values if datatype == "multivaluelist" else values[0][:500]
    return answers


def _create_request(request, fmt):
    params = request.POST
    if not params.get("api_key"):
        raise Open311Error(403, "api_key was not provided")
    key = keys.authenticate(params.get("api_key"))
    if key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    municipality = _jurisdiction(request)
    if municipality.pk != key.municipality_id:
        raise Open311Error(403, "The api_key is not valid for this jurisdiction_id")
    verdict = ratelimit.hit("open311", str(key.pk), key.requests_per_minute, 60)
    if not verdict.allowed:
        response = errors(fmt, 429, "Too many requests with this api_key: try again shortly")
        response["Retry-After"] = str(verdict.retry_after)
        return response
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided")
    category = _categories(municipality).filter(code=code).first()
    if category is None:
        raise Open311Error(400, f"service_code {code!r} was not found")
    lat, lon = _float(params, "lat"), _float(params, "long")
    if lat is None or lon is None:
        if params.get("address_string") or params.get("address_id"):
            raise Open311Error(
                400, "lat and long are required: this jurisdiction does not geocode addresses"
            )
        raise Open311Error(400, "A location is required: lat and long")
    if locate_area(municipality, lat, lon) is None:
        raise Open311Error(400, "lat/long is outside the jurisdiction")
    description = (params.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description may be at most {DESCRIPTION_MAX} characters")
    if not description:
        description = category.name
    email = (params.get("email") or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError as exc:
            raise Open311Error(400, "email is not a valid e-mail address") from exc
    media_url = (params.get("media_url") or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError as exc:
            raise Open311Error(400, "media_url is not a valid URL") from exc
    attributes = _attributes(params, category)
    try:
        case = services.create_case(
            municipality,
            category=category,
            lat=lat,
            lon=lon,
            description=description,
            origin=Origin.OPEN311,
            reporter_email=email,
            address=(params.get("address_string") or "").strip()[:200],
            attributes=attributes,
            open311_key=key,
            media_url=media_url[:200],
        )
    except ValidationError as exc:
        raise Open311Error(400, " ".join(exc.messages)) from exc
    payload = [
        {
            "service_request_id": str(case.pk),
            "token": case.token,
            "service_notice": "Tack! Ärendet har skickats till den som ansvarar för platsen.",
            "account_id": None,
        }
    ]
    return respond(fmt, "service_requests", "request", payload, status=201)

"""Classes of fault, tested for good (#17): generated input against everything a client can
reach, over the whole demo. Nothing may answer a server error.

1. The JSON API against its own OpenAPI schema (schemathesis): valid and invalid requests at
   the edges of every parameter's type, to every operation, with a coordinator's bearer
   token; every answer's status code, content type and body must be what the schema says.
2. Open311 GeoReport v2: every endpoint, its parameters and a POST's fields drawn by
   hypothesis (odd digits, huge numbers, impossible dates, control characters, NaN).
3. Every staff page without a path parameter, signed in as the coordinator, with its query
   parameters (the names any view reads, and unknown ones) drawn by hypothesis.

The runs are derandomised (the same cases on every machine) and sized to take a minute.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from trygg.api import api

pytestmark = pytest.mark.django_db

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def whole_demo(django_db_setup, django_db_blocker):
    """Everything make demo loads, once for the module (the tests only read, or write
    inside their own transaction); the database is emptied afterwards."""
    from trygg.core.models import Membership
    from trygg.core.tokens import create_token

    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        _t, secret = create_token(Membership.objects.get(user__username="samordnare"), "fuzz")
    # The WSGI app (schemathesis) sends the request signals Django's test client mutes:
    # closing "old" connections would close the test's own (PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield secret
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)


# --- 1. The JSON API against its schema --------------------------------------------

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = get_wsgi_application()
schema.base_url = "http://testserver"
API_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
API_EXAMPLES = 25  # per operation


@schema.parametrize()
@settings(FUZZ, max_examples=API_EXAMPLES)
def test_the_api_keeps_to_its_schema(case, whole_demo):
    case.call_and_validate(headers={"Authorization": f"Bearer {whole_demo}"}, checks=API_CHECKS)


# --- Values that broke something once -----------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "abc",
        "-1",
        "0",
        "1",
        "9" * 25,
        "2147483648",
        "-9223372036854775809",
        "1e400",
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        "٣",
        "²",
        "１２",
        "0x10",
        "1_000",
        "1,5",
        "1.5",
        "0001-01-01",
        "9999-12-31",
        "2026-02-30",
        "2026-13-01",
        "2026-W53",
        "9999-W52",
        "0000-W00",
        "2026-01-01T00:00:00+99:00",
        "2026-01-01T25:61:00Z",
        "\x00",
        "a\x00b",
        "\u202e",
        "' OR 1=1 --",
        "<script>",
        "%",
        "../../etc/passwd",
        "ö" * 300,
    ]
)
VALUES = st.one_of(
    ODD_TEXT,
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: d.isoformat()),
)


def assert_no_server_error(response, url: str) -> None:
    assert response.status_code < 500, f"{url} answered {response.status_code}"


# --- 2. Open311 --------------------------------------------------------------------

OPEN311_GET = [
    "/open311/discovery.{fmt}",
    "/open311/v2/services.{fmt}",
    "/open311/v2/services/{value}.{fmt}",
    "/open311/v2/requests.{fmt}",
    "/open311/v2/requests/{value}.{fmt}",
    "/open311/v2/tokens/{value}.{fmt}",
]
OPEN311_PARAMS = [
    "jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date",
    "status", "lat", "long", "radius", "page", "page_size", "updated_after",
]  # fmt: skip
OPEN311_FIELDS = [
    "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
    "email", "device_id", "account_id", "first_name", "last_name", "phone", "description",
    "media_url", "attribute[lamp]", "attribute[side]",
]  # fmt: skip
PATH_SAFE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/?#%"),
    min_size=1,
    max_size=30,
)


@settings(FUZZ, max_examples=80)
@given(
    template=st.sampled_from(OPEN311_GET),
    fmt=st.sampled_from(["json", "xml"]),
    value=st.one_of(ODD_TEXT.filter(lambda v: v and "/" not in v and "%" not in v), PATH_SAFE),
    params=st.dictionaries(st.sampled_from(OPEN311_PARAMS), VALUES, max_size=5),
)
def test_open311_reads_never_fail(whole_demo, template, fmt, value, params):
    url = template.format(fmt=fmt, value=value)
    response = Client().get(url, params)
    assert_no_server_error(response, f"{url}?{urlencode(params)}")


@settings(FUZZ, max_examples=60)
@given(
    fields=st.dictionaries(st.sampled_from(OPEN311_FIELDS), VALUES, max_size=8),
    with_key=st.booleans(),
    valid_code=st.booleans(),
)
def test_open311_posts_never_fail(whole_demo, fields, with_key, valid_code):
    from trygg.cases.models import CaseCategory
    from trygg.cases.open311.keys import create_key
    from trygg.core.models import Municipality

    municipality = Municipality.objects.get(code="0139")
    data = dict(fields)
    if with_key:
        _k, data["api_key"] = create_key(municipality, "fuzz", requests_per_minute=100_000)
    if valid_code:
        data["service_code"] = CaseCategory.objects.filter(municipality=municipality)[0].code
    response = Client().post("/open311/v2/requests.json", data)
    assert_no_server_error(response, f"POST requests.json {data}")


# --- 3. Every staff page's query parameters -------------------------------------------


def staff_pages() -> list[str]:
    """Every URL of the site without a path parameter that a signed-in member reads with
    GET (not the admin, the API — fuzzed above — or Open311)."""
    skip = ("admin/", "api/", "open311/", "accounts/logout", "i18n/", "static/", "media/")
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                full = prefix + route
                if "<" in full or "(?P" in full or full.startswith(skip):
                    continue
                found.append("/" + re.sub(r"[\^$]", "", full))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


STAFF_PARAMS = [
    "from", "to", "year", "t", "week", "page", "area", "category", "source", "status",
    "kind", "decision", "problem", "origin", "id", "q", "sort", "organisation", "set",
    "question", "actor", "action", "nr_category", "lat", "lon", "format", "version", "unknown",
]  # fmt: skip
PAGES = staff_pages()
READS = re.compile(r"""(?:GET(?:\.get(?:list)?\(|\[)|_param\(request\.GET,\s*)["']([a-z_]+)["']""")


def names_read_by(page: str) -> list[str]:
    """The query parameter names the page's view module reads (GET.get("x"), GET["x"],
    x_param(request.GET, "x")) and those of every filter form: the ones worth fuzzing."""
    import inspect

    from django.urls import resolve

    module = inspect.getmodule(resolve(page).func)
    source = inspect.getsource(module) if module else ""
    return sorted(set(READS.findall(source)) | {"page", "from", "to", "area", "unknown"})


PAGE_PARAMS = {page: names_read_by(page) for page in PAGES}


def test_the_staff_page_list_is_the_site():
    assert {"/lagesbild/", "/veckobild/tertial/", "/plan/activities/", "/cases/"} <= set(PAGES)
    assert len(PAGES) > 40


@settings(FUZZ, max_examples=150)
@given(data=st.data(), page=st.sampled_from(PAGES))
def test_no_staff_page_fails_on_its_query_parameters(whole_demo, data, page):
    names = st.sampled_from(PAGE_PARAMS[page] if data.draw(st.booleans()) else STAFF_PARAMS)
    params = data.draw(st.dictionaries(names, VALUES, min_size=1, max_size=4))
    client = Client()
    client.force_login(get_user_model().objects.get(username="samordnare"))
    response = client.get(page, params)
    assert_no_server_error(response, f"{page}?{urlencode(params)}")

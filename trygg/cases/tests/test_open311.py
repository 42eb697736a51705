"""Open311 GeoReport v2, tested from the spec (wiki.open311.org/GeoReport_v2): every
method in both formats, every error case, XML well-formed with the spec's element names,
and nothing private ever exposed."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from xml.etree import ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from trygg.cases import services
from trygg.cases.models import Case, CaseCategory, CaseUpdate, Open311Key, Origin, State
from trygg.cases.open311.keys import create_key
from trygg.cases.tests.conftest import BRO_HOUSING, BRO_MUNICIPAL, OUTSIDE

BASE = "/open311/v2"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def key(world):
    _record, secret = create_key(world.municipality, "Felanmälningsappen")
    return secret


def xml(response) -> ET.Element:
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def js(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def _post(client, key, fmt="json", **params):
    data = {
        "api_key": key,
        "service_code": "belysning",
        "lat": BRO_MUNICIPAL[0],
        "long": BRO_MUNICIPAL[1],
        "description": "Lampan vid gångvägen lyser inte.",
        **params,
    }
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v is not None})


def _case(world, **extra):
    return services.create_case(
        world.municipality,
        category=world.categories["belysning"],
        lat=BRO_MUNICIPAL[0],
        lon=BRO_MUNICIPAL[1],
        description="Trasig lampa vid tunneln.",
        origin=Origin.PUBLIC,
        **extra,
    )


# --- Discovery --------------------------------------------------------------------


def test_discovery_in_both_formats(world, client):
    data = js(client.get("/open311/discovery.json"))
    assert set(data) >= {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    formats = [f.text for f in root.findall("./endpoints/endpoint/formats/format")]
    assert set(formats) == {"text/xml", "application/json"}
    assert root.findtext("./endpoints/endpoint/specification") == endpoint["specification"]


# --- Services ---------------------------------------------------------------------


def test_service_list_in_both_formats(world, client):
    data = js(client.get(f"{BASE}/services.json"))
    codes = [s["service_code"] for s in data]
    assert "belysning" in codes and len(codes) == len(world.categories)
    lamp = next(s for s in data if s["service_code"] == "belysning")
    assert list(lamp) == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
    ]  # fmt: skip
    assert lamp["metadata"] is True and lamp["type"] == "realtime"
    assert next(s for s in data if s["service_code"] == "klotter")["metadata"] is False
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services_ = root.findall("service")
    assert len(services_) == len(codes)
    assert [c.tag for c in services_[0]] == list(lamp)
    assert root.find("service[service_code='belysning']/metadata").text == "true"


def test_jurisdiction_id_is_the_municipality_code(world, client):
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "0139"}).status_code == 200
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "9999"})
    assert response.status_code == 400
    assert js(response)[0]["code"] == 400
    root = xml(client.get(f"{BASE}/services.xml", {"jurisdiction_id": "9999"}))
    assert root.tag == "errors" and root.findtext("error/code") == "400"


def test_public_municipality_names_the_default_jurisdiction(world, client, settings):
    """Regression: PUBLIC_MUNICIPALITY was documented to drive Open311 too, but with two
    municipalities a request without jurisdiction_id was refused whatever it said."""
    from trygg.core.tests.factories import MunicipalityFactory

    MunicipalityFactory(code="0123", name="Järfälla")
    settings.PUBLIC_MUNICIPALITY = ""
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 400 and "jurisdiction_id" in js(response)[0]["description"]
    settings.PUBLIC_MUNICIPALITY = "0139"
    services_ = js(client.get(f"{BASE}/services.json"))
    assert {s["service_code"] for s in services_} == set(
        CaseCategory.objects.filter(municipality=world.municipality, is_public=True).values_list(
            "code", flat=True
        )
    )
    # The public site reads the same setting.
    assert client.get("/rapportera/").context["municipality"] == world.municipality


def test_service_definition_in_both_formats(world, client):
    data = js(client.get(f"{BASE}/services/tunnel.json"))
    assert data["service_code"] == "tunnel"
    attribute = data["attributes"][0]
    assert list(attribute) == [
        "variable", "code", "datatype", "required", "datatype_description", "order",
        "description", "values",
    ]  # fmt: skip
    assert attribute["datatype"] == "singlevaluelist"
    assert {"key": "natt", "name": "Nätter"} in attribute["values"]
    root = xml(client.get(f"{BASE}/services/tunnel.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "tunnel"
    assert root.findtext("attributes/attribute/code") == "tid"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == [
        "kvall", "natt", "alltid",
    ]  # fmt: skip


def test_an_unknown_service_definition_is_404_in_both_formats(world, client):
    response = client.get(f"{BASE}/services/finns-inte.json")
    assert response.status_code == 404 and js(response)[0]["code"] == 404
    response = client.get(f"{BASE}/services/finns-inte.xml")
    assert response.status_code == 404 and xml(response).findtext("error/code") == "404"


# --- POST service request ---------------------------------------------------------


def test_post_creates_a_routed_moderated_case_json(world, client, key):
    response = _post(client, key, email="boende@example.se", first_name="Anna", phone="0701234567")
    assert response.status_code == 201
    body = js(response)
    assert len(body) == 1 and list(body[0]) == [
        "service_request_id", "token", "service_notice", "account_id",
    ]  # fmt: skip
    case = Case.objects.get(pk=int(body[0]["service_request_id"]))
    assert body[0]["token"] == case.token
    assert case.origin == Origin.OPEN311 and case.owner_organisation == world.teknik
    assert case.reporter_email == "boende@example.se"
    assert case.moderation == "pending"
    # Names and phone numbers sent by the client are never stored.
    stored = json.dumps(
        list(Case.objects.values()) + list(CaseUpdate.objects.values()), default=str
    )
    assert "Anna" not in stored and "0701234567" not in stored


def test_post_in_xml_with_attributes(world, client, key):
    response = _post(client, key, fmt="xml", service_code="tunnel", **{"attribute[tid]": "natt"})
    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests"
    assert [c.tag for c in root.find("request")] == [
        "service_request_id", "token", "service_notice", "account_id",
    ]  # fmt: skip
    case = Case.objects.get(pk=int(root.findtext("request/service_request_id")))
    assert case.attributes == {"tid": "natt"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_needs_a_valid_api_key(world, client, key, fmt):
    def code(response):
        return (
            js(response)[0]
            if fmt == "json"
            else {"code": int(xml(response).findtext("error/code"))}
        )["code"]

    missing = _post(client, None, fmt=fmt)
    assert missing.status_code == 403 and code(missing) == 403
    wrong = _post(client, "o311_not-a-key", fmt=fmt)
    assert wrong.status_code == 403 and code(wrong) == 403
    record = Open311Key.objects.get()
    call_command("revoke_open311_key", record.prefix, stdout=StringIO())
    revoked = _post(client, key, fmt=fmt)
    assert revoked.status_code == 403
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"service_code": None}, "service_code"),
        ({"service_code": "finns-inte"}, "service_code"),
        ({"lat": None, "long": None}, "lat"),
        ({"lat": None, "long": None, "address_string": "Torget 1"}, "geocode"),
        ({"lat": "norr"}, "lat"),
        ({"lat": OUTSIDE[0], "long": OUTSIDE[1]}, "outside"),
        ({"description": "x" * 4001}, "4000"),
        ({"description": "Ring 070-123 45 67 om lampan"}, ""),
        ({"email": "inte-en-adress"}, "email"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"service_code": "tunnel", "attribute[tid]": "ibland"}, "attribute[tid]"),
        ({"jurisdiction_id": "9999"}, "jurisdiction_id"),
    ],
)
def test_post_errors_are_400_with_a_description(world, client, key, params, fragment):
    response = _post(client, key, **params)
    assert response.status_code == 400, response.content
    error = js(response)[0]
    assert error["code"] == 400 and fragment in error["description"]
    assert Case.objects.count() == 0


def test_a_required_attribute_must_be_answered(world, client, key):
    category = world.categories["tunnel"]
    category.attributes = [{**category.attributes[0], "required": True}]
    category.save()
    response = _post(client, key, service_code="tunnel")
    assert response.status_code == 400 and "attribute[tid]" in js(response)[0]["description"]


def test_keys_are_rate_limited(world, client):
    _record, secret = create_key(world.municipality, "Liten app", requests_per_minute=2)
    assert _post(client, secret).status_code == 201
    assert _post(client, secret).status_code == 201
    limited = _post(client, secret)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert js(limited)[0]["code"] == 429
    assert Case.objects.count() == 2


def test_create_open311_key_prints_the_key_once(world):
    out, err = StringIO(), StringIO()
    call_command(
        "create_open311_key", "Stadens app", "--requests-per-minute", "30", stdout=out, stderr=err
    )
    secret = out.getvalue().strip()
    assert secret.startswith("o311_")
    record = Open311Key.objects.get(name="Stadens app")
    assert record.requests_per_minute == 30 and secret not in record.key_hash
    assert "revoke_open311_key" in err.getvalue()


# --- GET service requests ---------------------------------------------------------


def test_get_requests_in_both_formats_with_the_spec_fields(world, client):
    case = _case(world, reporter_email="hemlig@example.se")
    services.add_note(case, world.teknik_member, "Intern: kostar 5000 kr.", is_public=False)
    services.change_state(case, world.teknik_member, State.ACTION_SCHEDULED, text="Byts vecka 12.")
    data = js(client.get(f"{BASE}/requests.json"))
    assert len(data) == 1
    record = data[0]
    assert list(record) == REQUEST_FIELDS
    assert record["service_request_id"] == str(case.pk)
    assert record["status"] == "open" and record["status_notes"] == "Byts vecka 12."
    assert record["agency_responsible"] == world.teknik.name
    assert record["description"] == ""  # not yet moderated
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert ISO_WITH_OFFSET.match(record[field]), record[field]
    assert record["lat"] == pytest.approx(BRO_MUNICIPAL[0])
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    assert [c.tag for c in root.find("request")] == REQUEST_FIELDS
    for response in (client.get(f"{BASE}/requests.json"), client.get(f"{BASE}/requests.xml")):
        text = response.content.decode()
        assert "hemlig@example.se" not in text and "5000 kr" not in text
    services.moderate(case, world.coordinator, approve=True)
    assert js(client.get(f"{BASE}/requests.json"))[0]["description"] == "Trasig lampa vid tunneln."


def test_get_requests_filters(world, client):
    lamp = _case(world)
    graffiti = services.create_case(
        world.municipality,
        category=world.categories["klotter"],
        lat=BRO_HOUSING[0],
        lon=BRO_HOUSING[1],
        description="Klotter.",
        origin=Origin.STAFF,
        principal=world.coordinator,
        sensitivity="public",
    )
    services.change_state(graffiti, world.coordinator, State.FIXED, text="Sanerat.")
    ids = lambda r: {int(x["service_request_id"]) for x in js(r)}  # noqa: E731
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "klotter"})) == {graffiti.pk}
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "klotter,belysning"})) == {
        graffiti.pk, lamp.pk,
    }  # fmt: skip
    assert ids(client.get(f"{BASE}/requests.json", {"status": "open"})) == {lamp.pk}
    assert ids(client.get(f"{BASE}/requests.json", {"status": "closed"})) == {graffiti.pk}
    assert ids(client.get(f"{BASE}/requests.json", {"status": "open,closed"})) == {
        lamp.pk,
        graffiti.pk,
    }
    # service_request_id: "if provided, other parameters are ignored"
    both = client.get(
        f"{BASE}/requests.json",
        {"service_request_id": f"{lamp.pk},{graffiti.pk}", "status": "open", "service_code": "x"},
    )
    assert ids(both) == {lamp.pk, graffiti.pk}


def test_get_requests_dates_default_90_days_and_at_most_90_apart(world, client):
    recent = _case(world)
    old = _case(world)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=120))
    ids = lambda r: {int(x["service_request_id"]) for x in js(r)}  # noqa: E731
    assert ids(client.get(f"{BASE}/requests.json")) == {recent.pk}
    start = (timezone.localtime() - dt.timedelta(days=130)).isoformat(timespec="seconds")
    end = (timezone.localtime() - dt.timedelta(days=100)).isoformat(timespec="seconds")
    assert ids(client.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end})) == {
        old.pk
    }
    too_long = client.get(
        f"{BASE}/requests.json",
        {"start_date": start, "end_date": timezone.localtime().isoformat(timespec="seconds")},
    )
    assert too_long.status_code == 400 and "90" in js(too_long)[0]["description"]
    bad = client.get(f"{BASE}/requests.xml", {"start_date": "last tuesday"})
    assert bad.status_code == 400 and xml(bad).findtext("error/code") == "400"
    reversed_ = client.get(f"{BASE}/requests.json", {"start_date": end, "end_date": start})
    assert reversed_.status_code == 400
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400


def test_get_one_request_and_its_404(world, client):
    case = _case(world)
    data = js(client.get(f"{BASE}/requests/{case.pk}.json"))
    assert len(data) == 1 and data[0]["service_request_id"] == str(case.pk)
    root = xml(client.get(f"{BASE}/requests/{case.pk}.xml"))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == str(
        case.pk
    )
    for path in (f"{BASE}/requests/999999.json", f"{BASE}/requests/abc.json"):
        response = client.get(path)
        assert response.status_code == 404 and js(response)[0]["code"] == 404
    services.change_state(case, world.coordinator, State.HIDDEN, text="Skräp.")
    assert client.get(f"{BASE}/requests/{case.pk}.json").status_code == 404
    assert client.get(f"{BASE}/requests/{case.pk}.xml").status_code == 404


def test_token_lookup_in_both_formats(world, client, key):
    token = js(_post(client, key))[0]["token"]
    case = Case.objects.get(token=token)
    assert js(client.get(f"{BASE}/tokens/{token}.json")) == [
        {"service_request_id": str(case.pk), "token": token}
    ]
    root = xml(client.get(f"{BASE}/tokens/{token}.xml"))
    assert root.tag == "service_requests"
    assert [c.tag for c in root.find("request")] == ["service_request_id", "token"]
    missing = client.get(f"{BASE}/tokens/0000.xml")
    assert missing.status_code == 404 and xml(missing).findtext("error/code") == "404"


def test_unsupported_methods_and_formats(world, client):
    assert client.delete(f"{BASE}/requests.json").status_code == 405
    assert client.post(f"{BASE}/services.json").status_code == 405
    assert client.get(f"{BASE}/services.csv").status_code == 404


def test_a_key_prefix_never_reads_as_a_command_line_option():
    from trygg.core.tokens import new_secret

    assert not any(new_secret("o311_")[1].startswith("-") for _ in range(2000))


def test_an_address_is_published_only_once_moderated_and_moderators_can_edit_it(world, client, key):
    response = _post(client, key, address_string="Bryggavägen 12, port B, Anna Andersson")
    case_id = js(response)[0]["service_request_id"]
    case = Case.objects.get(pk=case_id)
    listed = js(client.get(f"{BASE}/requests/{case_id}.json"))[0]
    assert "Bryggavägen" not in listed["address"]  # pending: the area only
    services.moderate(case, world.coordinator, approve=True, address="Bryggavägen 12")
    listed = js(client.get(f"{BASE}/requests/{case_id}.json"))[0]
    assert listed["address"] == "Bryggavägen 12"


def test_attribute_values_and_control_characters_from_another_app(world, client, key):
    response = _post(
        client, key, description="Mörkt\x00 vid\x07 porten\u200b", address_string="Port\x1b B"
    )
    case = Case.objects.get(pk=js(response)[0]["service_request_id"])
    assert "\x00" not in case.description and "\x07" not in case.description
    assert case.address == "Port B"
    # Personal data in any free text, attribute values included, is refused.
    refused = _post(client, key, address_string="Ring 070-123 45 67")
    assert refused.status_code == 400
    with pytest.raises(ValidationError):
        services.create_case(
            world.municipality, category=world.categories["belysning"], lat=BRO_MUNICIPAL[0],
            lon=BRO_MUNICIPAL[1], description="Lampa", origin=Origin.OPEN311,
            attributes={"note": "ring 19121212-1212"},
        )  # fmt: skip

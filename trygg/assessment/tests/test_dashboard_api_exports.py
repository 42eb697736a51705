"""The dashboard, the JSON API and the exports over HTTP, with the permission layer."""

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from trygg.core.models import Membership
from trygg.core.tokens import create_token

MARCH = "from=2026-03-01&to=2026-03-31"


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def test_dashboard_renders_with_filters_in_the_url(client, incidents):
    login(client, "samordnare")
    response = client.get(f"/lagesbild/?{MARCH}&category=vandalism")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Situation picture" in html or "Lägesbild" in html
    assert 'value="vandalism" id="f-cat-vandalism" checked' in html
    assert "export.csv?from=2026-03-01&amp;to=2026-03-31&amp;category=vandalism" in html
    assert 'class="chart"' in html and "<polyline" in html


def test_dashboard_reports_bad_filter_values(client, incidents):
    login(client, "samordnare")
    html = client.get("/lagesbild/?from=not-a-date").content.decode()
    assert "is not a date" in html


def test_map_data(client, incidents):
    login(client, "samordnare")
    data = client.get(f"/lagesbild/map.json?{MARCH}").json()
    assert len(data["points"]["features"]) == 3
    assert sum(a["count"] for a in data["areas"].values()) == 4


def test_csv_export(client, incidents):
    login(client, "samordnare")
    response = client.get(f"/lagesbild/export.csv?{MARCH}")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="incidents-2026-03-01-2026-03-31.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["source_ref"] for r in records) == ["h1", "p1", "p2", "p3"]
    h1 = next(r for r in records if r["source_ref"] == "h1")
    assert h1["area"] == "Bro" and h1["lat"] == ""


def test_xlsx_export(client, incidents):
    login(client, "polis")
    response = client.get(f"/lagesbild/export.xlsx?{MARCH}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "id"
    assert len(rows) == 1 + 5  # the police also see their restricted incident


def test_geojson_export(client, incidents):
    login(client, "samordnare")
    response = client.get(f"/lagesbild/export.geojson?{MARCH}&category=vandalism")
    data = json.loads(b"".join(response.streaming_content))
    assert data["type"] == "FeatureCollection"
    assert [f["geometry"]["type"] for f in data["features"]] == ["Point", "Point"]


def test_api_needs_authentication(client, incidents):
    assert client.get("/api/v1/incidents").status_code == 401
    assert client.get("/api/v1/assessment/summary").status_code == 401
    bad = {"HTTP_AUTHORIZATION": "Bearer trygg_not-a-token"}
    assert client.get("/api/v1/incidents", **bad).status_code == 401


def test_api_incidents_with_a_token_acts_as_its_membership(client, incidents):
    membership = Membership.objects.get(user__username="polis")
    _token, key = create_token(membership, "Polisens system")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    data = client.get(
        "/api/v1/incidents?date_from=2026-03-01&date_to=2026-03-31&page_size=2", **headers
    ).json()
    assert data["count"] == 5
    assert len(data["results"]) == 2 and data["next_page"] == 2
    page2 = client.get(
        "/api/v1/incidents?date_from=2026-03-01&date_to=2026-03-31&page_size=2&page=3", **headers
    ).json()
    assert len(page2["results"]) == 1 and page2["next_page"] is None
    geo = client.get(
        "/api/v1/incidents?date_from=2026-03-01&date_to=2026-03-31&format=geojson&category=drugs",
        **headers,
    ).json()
    assert geo["type"] == "FeatureCollection"
    assert geo["features"][0]["properties"]["sensitivity"] == "restricted"


def test_api_summary_with_a_session_and_filters(client, incidents):
    login(client, "samordnare")
    data = client.get(
        "/api/v1/assessment/summary?date_from=2026-03-01&date_to=2026-03-31&category=vandalism&granularity=day"
    ).json()
    assert data["total"] == 2
    assert data["granularity"] == "day"
    assert len(data["by_period"]) == 31
    assert client.get("/api/v1/assessment/summary?date_from=garbage").status_code == 422


def test_api_page_size_is_bounded(client, incidents):
    login(client, "samordnare")
    assert client.get("/api/v1/incidents?page_size=100000").status_code == 422


def test_revoked_token_is_refused(client, incidents):
    from django.utils import timezone

    token, key = create_token(Membership.objects.get(user__username="polis"), "x")
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/v1/incidents", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


@pytest.mark.parametrize("path", ["/lagesbild/", "/lagesbild/map.json", "/lagesbild/export.csv"])
def test_dashboard_needs_a_membership(client, incidents, path):
    from trygg.core.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(path).status_code == 403


def test_api_applies_the_permission_layer(client, incidents):
    from trygg.core.models import Role
    from trygg.core.tests.factories import MembershipFactory

    login(client, "samordnare")
    refs = {
        r["source_ref"]
        for r in client.get("/api/v1/incidents?date_from=2026-03-01&date_to=2026-03-31").json()[
            "results"
        ]
    }
    assert refs == {"p1", "p2", "p3", "h1"}  # not the police's restricted s1

    outsider = MembershipFactory(role=Role.COORDINATOR)
    _token, key = create_token(outsider, "another municipality")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    data = client.get("/api/v1/incidents?date_from=2026-03-01&date_to=2026-03-31", **headers)
    assert data.json()["count"] == 0
    summary = client.get(
        "/api/v1/assessment/summary?date_from=2026-03-01&date_to=2026-03-31", **headers
    )
    assert summary.json()["total"] == 0


def test_api_token_reads_are_audited_as_the_token(client, incidents):
    from trygg.core.models import AuditAction, AuditEntry

    _token, key = create_token(Membership.objects.get(user__username="polis"), "Polisens system")
    client.get(
        "/api/v1/incidents?date_from=2026-03-01&date_to=2026-03-31&category=drugs",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    read = AuditEntry.objects.get(action=AuditAction.READ)
    assert read.actor_label == "polis"
    assert "(token " in read.path

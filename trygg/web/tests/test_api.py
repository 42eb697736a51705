import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Trygg API"
    assert "/api/v1/areas" in schema["paths"]


def test_api_docs_page(client):
    assert client.get("/api/v1/docs").status_code == 200


def test_api_needs_a_session(client):
    assert client.get("/api/v1/me").status_code == 401


def test_me_and_areas(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="falt"))
    me = client.get("/api/v1/me").json()
    assert me["municipality_code"] == "0139"
    assert [m["active"] for m in me["memberships"]].count(True) == 1
    assert len(me["memberships"]) == 2
    areas = client.get("/api/v1/areas").json()
    assert len(areas["features"]) == 5

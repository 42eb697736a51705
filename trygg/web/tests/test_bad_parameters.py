"""A parameter Trygg cannot use answers 400 with a message naming it — never a 500.
Every query parameter and posted id goes through trygg.core.params."""

import pytest
from django.contrib.auth.models import User

BAD_GETS = [
    ("/veckobild/tertial/?year=abc", "year"),
    ("/veckobild/tertial/?year=99999", "year"),
    ("/veckobild/tertial/?t=9", "t"),
    ("/veckobild/tertial/?t=%C2%B2", "t"),  # a Unicode superscript two
    ("/plan/activities/?year=abc", "year"),
    ("/plan/activities/?year=1", "year"),
    ("/plan/measures/new/?decision=abc", "decision"),
    ("/plan/measures/new/?problem=abc", "problem"),
    ("/cases/new/?origin=plan.decision:abc", "origin"),
    ("/cases/new/?origin=plan.decision:99999999999999999999999", "origin"),
    ("/cases/new/?origin=nothing:1", "origin"),
    ("/cases/cases.geojson?id=%D9%A3", "id"),  # an Arabic-Indic digit
]
BAD_POSTS = [
    ("/veckobild/review/", {"observation": "abc"}, "observation"),
    ("/veckobild/review/", {"observation": "1", "merge_into": "x"}, "observation"),
    ("/cases/moderation/", {"case": "abc"}, "case"),
]


@pytest.fixture
def coordinator(demo, client):
    client.force_login(User.objects.get(username="samordnare"))
    return client


@pytest.mark.parametrize(("url", "name"), BAD_GETS)
def test_bad_query_parameters_answer_400_naming_them(coordinator, url, name):
    response = coordinator.get(url)
    assert response.status_code == 400, url
    assert name in response.content.decode()


@pytest.mark.parametrize(("url", "data", "name"), BAD_POSTS)
def test_bad_posted_ids_answer_400(coordinator, url, data, name):
    response = coordinator.post(url, data)
    assert response.status_code in (400, 404), url


def test_the_api_answers_400_as_json(demo, client):
    client.force_login(User.objects.get(username="samordnare"))
    response = client.get("/api/v1/observations?week=abc")
    assert response.status_code in (400, 422)
    assert "detail" in response.json()

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


@pytest.mark.parametrize("period", ["0001-01-01:0001-12-31", "9999-01-01:9999-12-31"])
def test_a_lagesbild_period_out_of_range_is_refused_with_a_note_not_a_500(coordinator, period):
    date_from, date_to = period.split(":")
    for url in ("/lagesbild/", "/lagesbild/map.json", "/lagesbild/analys/"):
        response = coordinator.get(f"{url}?from={date_from}&to={date_to}")
        assert response.status_code == 200, url
    for url in ("/api/v1/assessment/summary", "/api/v1/incidents"):
        response = coordinator.get(f"{url}?date_from={date_from}&date_to={date_to}")
        assert response.status_code < 500, url
    page = coordinator.get(f"/lagesbild/?from={date_from}&to={date_to}").content.decode()
    assert "1900-01-01" in page  # the note says which dates Trygg takes


# Each found answering 500 by a probe of the running product (issue 17).
MALFORMED = [
    "/open311/v2/requests.json?jurisdiction_id=0139&start_date=2026-02-30T00:00:00Z",
    "/open311/v2/requests.json?jurisdiction_id=0139&start_date=2026-01-01T00:00:00%2B99:00",
    "/open311/v2/requests.json?jurisdiction_id=0139&service_request_id=%D9%A3",
    "/open311/v2/requests/99999999999999999999999.json?jurisdiction_id=0139",
    "/api/v1/incidents?page=9223372036854775808",
    "/api/v1/incidents?page_size=99999999999999999999",
    "/api/v1/incidents?date_from=9999-12-31&date_to=9999-12-31",
    "/api/v1/observations?week=9999-W52",
    "/api/v1/observations?week=0001-W01",
    "/api/v1/cases/99999999999999999999999",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_input_is_refused_not_a_500(coordinator, url):
    coordinator.raise_request_exception = False
    response = coordinator.get(url)
    assert response.status_code in (400, 404, 422), (url, response.status_code)

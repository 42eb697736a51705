"""Reporting: the phone form, the API and file upload refuse bad input with a clear
error and store nothing; good reports are stored once."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from trygg.cases.tests.conftest import jpeg
from trygg.core.tokens import create_token
from trygg.est import services
from trygg.est.importers import upload
from trygg.est.models import Observation
from trygg.incidents.importers.base import ImportRefused

BRO = (59.5080, 17.6360)


def form(est, **extra):
    data = {
        "category": est.cat["klotter"].pk,
        "lat": BRO[0],
        "lon": BRO[1],
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "severity": 2,
        "description": "Nytt klotter vid entrén.",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_a_partner_reports_in_one_form(est, client):
    client.force_login(est.housing.user)
    assert client.get("/veckobild/report/").status_code == 200
    response = client.post("/veckobild/report/", form(est))
    assert response.status_code == 302
    o = Observation.objects.get()
    assert o.owner_organisation == est.housing.organisation and o.reporter == est.housing.user
    assert o.area.name == "Bro" and o.status == "new" and o.severity == 2
    # A place from the list instead of a position: the area and position follow it.
    from trygg.est.models import Place

    station = Place.objects.get(name="Kungsängens station")
    client.post("/veckobild/report/", form(est, lat=None, lon=None, place=station.pk))
    second = Observation.objects.exclude(pk=o.pk).get()
    assert second.place == station and second.area.name == "Kungsängen"
    assert (second.lat, second.lon) == (station.lat, station.lon)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lat": None, "lon": None}, "Ange var"),
        (
            {
                "occurred_at": (timezone.localtime() + dt.timedelta(days=2)).strftime(
                    "%Y-%m-%dT%H:%M"
                )
            },
            "framtiden",
        ),
        ({"category": 999999}, "Välj"),
        ({"description": "Ring mig på 070-123 45 67"}, "personuppgift"),
        ({"lat": 59.3293, "lon": 18.0686}, "utanför kommunen"),
    ],
)
def test_bad_reports_are_refused_clearly_and_nothing_is_stored(est, client, changes, message):
    client.force_login(est.housing.user)
    response = client.post("/veckobild/report/", form(est, **changes))
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert Observation.objects.count() == 0


def test_an_oversized_photo_is_refused(est, client, settings):
    settings.PHOTO_MAX_MB = 0
    client.force_login(est.housing.user)
    photo = SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
    response = client.post("/veckobild/report/", {**form(est), "photo": photo})
    assert response.status_code == 200 and "större än" in response.content.decode()
    assert Observation.objects.count() == 0


def test_a_photo_is_stored_without_metadata(est, client):
    from PIL import Image

    client.force_login(est.housing.user)
    photo = SimpleUploadedFile(
        "p.jpg", jpeg(gps=(59.5, 17.6), make="Canon"), content_type="image/jpeg"
    )
    assert client.post("/veckobild/report/", {**form(est), "photo": photo}).status_code == 302
    assert dict(Image.open(Observation.objects.get().photo.path).getexif()) == {}


def test_read_only_members_cannot_report(est, client):
    client.force_login(est.reader.user)
    assert client.post("/veckobild/report/", form(est)).status_code == 403


def api(client, token, **payload):
    body = {
        "category": "klotter",
        "occurred_at": timezone.now().isoformat(),
        "lat": BRO[0],
        "lon": BRO[1],
        "description": "Klotter på transformatorstationen.",
        "ref": "V-1001",
        **payload,
    }
    return client.post(
        "/api/v1/observations", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def test_the_api_takes_reports_once_per_reference(est, client):
    _t, token = create_token(est.housing.membership, "Bevakningssystemet")
    first = api(client, token)
    assert first.status_code == 201 and first.json()["created"] is True
    again = api(client, token)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Observation.objects.get().source == "api"
    assert (
        api(
            client, token, ref="V-1002", lat=None, lon=None, place="Kungsängens station"
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("payload", "status", "fragment"),
    [
        ({"lat": None, "lon": None}, 422, "lat"),
        ({"occurred_at": (timezone.now() + dt.timedelta(days=3)).isoformat()}, 422, "occurred_at"),
        ({"category": "finns-inte"}, 422, "category"),
        ({"description": "Personnummer 19121212-1212"}, 422, "description"),
        ({"lat": 59.5, "lon": None}, 422, "lat"),
        ({"place": "Atlantis"}, 422, "place"),
        # A position is checked even when an area is given too (regression).
        ({"area": "Bro", "lat": 57.7, "lon": 11.97}, 422, "lat"),  # Gothenburg
        ({"area": "Låssa"}, 422, "lat"),  # the position lies in Bro
    ],
)
def test_the_api_refuses_bad_reports(est, client, payload, status, fragment):
    _t, token = create_token(est.housing.membership, "Bevakningssystemet")
    payload = dict(payload.items())
    response = api(client, token, **payload)
    assert response.status_code == status and fragment in response.json()["detail"]
    assert Observation.objects.count() == 0


def test_a_wrong_token_is_refused(est, client):
    assert api(client, "trygg_not-a-real-token").status_code == 401
    assert Observation.objects.count() == 0


CSV_HEADER = "ref;kategori;datum;tid;lat;lon;plats;område;allvarlighet;beskrivning"


def test_file_upload_all_or_nothing_and_idempotent(est):
    today = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    good = [
        f"R1;klotter;{today};21:10;59,5080;17,6360;;;2;Klotter",
        f"R2;grupper;{today};22:00;;;Bro station;;1;Grupp vid stationen",
    ]
    result = upload(est.housing, "\n".join([CSV_HEADER, *good]).encode(), "export.csv")
    assert result == {"rows": 2, "created": 2, "unchanged": 0}
    assert (
        upload(est.housing, "\n".join([CSV_HEADER, *good]).encode(), "export.csv")["unchanged"] == 2
    )
    bad = [*good, f"R3;okänd;{today};;;;;;1;x", "R4;klotter;2099-01-01;;59.5;17.6;;;1;x"]
    with pytest.raises(ImportRefused) as refused:
        upload(est.housing, "\n".join([CSV_HEADER, *bad]).encode(), "export.csv")
    fields = {(e.row, e.field) for e in refused.value.errors}
    assert (4, "kategori") in fields and (5, "datum") in fields  # the file's own columns
    assert Observation.objects.count() == 2


def test_an_upload_larger_than_the_limit_is_refused_and_writes_nothing(est, monkeypatch):
    from trygg.est import importers

    monkeypatch.setattr(importers, "MAX_ROWS", 3)
    today = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    rows = [f"R{k};klotter;{today};21:10;59,5080;17,6360;;;2;Klotter" for k in range(4)]
    with pytest.raises(ImportRefused) as refused:
        upload(est.housing, "\n".join([CSV_HEADER, *rows]).encode(), "export.csv")
    assert "högst 3" in refused.value.errors[0].message
    assert Observation.objects.count() == 0


def test_validate_collects_every_problem(est):
    report = services.Report(category=None, occurred_at=None, severity=7, description="x" * 1001)
    errors = services.validate(est.municipality, report)
    assert set(errors) == {"category", "lat", "occurred_at", "severity", "description"}


def test_a_time_span_is_kept_and_must_not_end_before_it_starts(est, client):
    client.force_login(est.housing.user)
    start = timezone.localtime() - dt.timedelta(hours=3)
    client.post(
        "/veckobild/report/",
        form(est, occurred_at=start.strftime("%Y-%m-%dT%H:%M"),
             occurred_until=(start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")),
    )  # fmt: skip
    o = Observation.objects.get()
    assert (o.occurred_until - o.occurred_at) == dt.timedelta(hours=2)
    response = client.post(
        "/veckobild/report/",
        form(est, occurred_at=start.strftime("%Y-%m-%dT%H:%M"),
             occurred_until=(start - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")),
    )  # fmt: skip
    assert "slutar innan" in response.content.decode()
    assert Observation.objects.count() == 1


def test_the_review_card_shows_the_reports_photo(est, client):
    client.force_login(est.housing.user)
    photo = SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
    assert client.post("/veckobild/report/", {**form(est), "photo": photo}).status_code == 302
    observation = Observation.objects.get()
    url = f"/veckobild/observations/{observation.pk}/photo.jpg"

    client.force_login(est.coordinator.user)
    page = client.get("/veckobild/review/").content.decode()
    assert f'src="{url}"' in page and 'alt="Foto till rapporten"' in page
    assert "hur allvarligt: medel" in page  # the scale's word, not "2"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    # Restricted to the reporting organisation: another member gets nothing.
    Observation.objects.filter(pk=observation.pk).update(sensitivity="restricted")
    client.force_login(est.reader.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 403)


def test_a_report_gets_the_nearest_address_in_the_form_the_api_and_a_file(
    est, client, demo_addresses
):
    from trygg.core.addresses import describe_place

    expected = describe_place(est.housing.organisation.municipality_id, *BRO)
    assert expected.count(",") == 1  # an address within 75 m in the demo register
    client.force_login(est.housing.user)
    client.post("/veckobild/report/", form(est))
    assert Observation.objects.get().address == expected
    _t, token = create_token(est.housing.membership, "Bevakningssystemet")
    assert api(client, token).json()["address"] == expected
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    line = f"F1;klotter;{day};21:10;{BRO[0]};{BRO[1]};;;2;Klotter"
    assert upload(est.housing, "\n".join([CSV_HEADER, line]).encode(), "v.csv")["created"] == 1
    assert set(Observation.objects.values_list("address", flat=True)) == {expected}

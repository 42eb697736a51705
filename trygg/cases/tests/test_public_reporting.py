"""The public report page: no name asked for, honeypot, rate limit, personal-data guard,
photos without metadata, moderation before anything the public wrote is shown."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from trygg.cases import services
from trygg.cases.models import Case, CasePhoto, Moderation
from trygg.cases.tests.conftest import BRO_MUNICIPAL, OUTSIDE, jpeg

LAT, LON = BRO_MUNICIPAL


def _form(world, **extra):
    return {
        "category": world.categories["belysning"].pk,
        "lat": LAT,
        "lon": LON,
        "description": "Gångvägen mot stationen är helt mörk.",
        **extra,
    }


def test_the_page_asks_for_no_name(world, client):
    html = client.get("/rapportera/").content.decode()
    assert 'name="description"' in html and 'name="email"' in html
    for field in ("name", "first_name", "last_name", "phone", "personnummer"):
        assert f'name="{field}"' not in html
    assert "Belysning" in html


def test_a_report_becomes_a_routed_case_awaiting_moderation(world, client):
    response = client.post("/rapportera/", _form(world, email="boende@example.se"))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/tack/{case.token}/")
    assert case.origin == "public" and case.owner_organisation == world.teknik
    assert case.moderation == Moderation.PENDING and case.reporter_email == "boende@example.se"
    thanks = client.get(response["Location"]).content.decode()
    assert str(case.pk) in thanks
    # Shown on the public map with its status, without its text until moderated.
    page = client.get(f"/arenden/{case.pk}/").content.decode()
    assert "Gångvägen mot stationen" not in page and "boende@example.se" not in page
    services.moderate(case, world.coordinator, approve=True)
    page = client.get(f"/arenden/{case.pk}/").content.decode()
    assert "Gångvägen mot stationen" in page and "boende@example.se" not in page


def test_the_honeypot_stores_nothing(world, client):
    response = client.post("/rapportera/", _form(world, website="http://spam.example"))
    assert response.status_code == 302
    assert Case.objects.count() == 0


def test_personal_data_and_missing_place_are_refused_with_a_clear_message(world, client):
    response = client.post(
        "/rapportera/", _form(world, description="Min granne 19121212-1212 stör.")
    )
    assert response.status_code == 200 and Case.objects.count() == 0
    assert "personuppgift" in response.content.decode().lower()
    response = client.post("/rapportera/", _form(world, lat="", lon=""))
    assert "Markera platsen på kartan" in response.content.decode()
    response = client.post("/rapportera/", _form(world, lat=OUTSIDE[0], lon=OUTSIDE[1]))
    assert "utanför kommunen" in response.content.decode()
    assert Case.objects.count() == 0


def test_reports_are_rate_limited_per_address(world, client, settings):
    settings.PUBLIC_REPORTS_PER_HOUR = 2
    for _ in range(2):
        assert client.post("/rapportera/", _form(world)).status_code == 302
    response = client.post("/rapportera/", _form(world))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Case.objects.count() == 2
    # Another address is not affected.
    other = client.post("/rapportera/", _form(world), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_photos_are_reencoded_without_metadata_and_shown_once_approved(world, client):
    photo = SimpleUploadedFile(
        "IMG_0001.jpg",
        jpeg(size=(3000, 2000), gps=(59.5, 17.6), make="Canon", artist="Anna Andersson"),
        content_type="image/jpeg",
    )
    client.post("/rapportera/", _form(world, photo=photo))
    stored = CasePhoto.objects.get()
    image = Image.open(stored.image.path)
    assert dict(image.getexif()) == {}
    assert max(image.size) == 2048 and not stored.is_public
    case = stored.case
    url = f"/arenden/{case.pk}/foto/{stored.pk}.jpg"
    assert client.get(url).status_code == 404
    services.moderate(case, world.coordinator, approve=True)
    assert client.get(url).status_code == 200


def test_a_file_that_is_not_a_photo_is_refused(world, client):
    fake = SimpleUploadedFile("photo.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    response = client.post("/rapportera/", _form(world, photo=fake))
    assert response.status_code == 200 and Case.objects.count() == 0
    assert "foto" in response.content.decode().lower()


def test_hidden_cases_are_not_public(world, client):
    client.post("/rapportera/", _form(world))
    case = Case.objects.get()
    from trygg.cases.models import State

    services.change_state(case, world.coordinator, State.HIDDEN, text="Spam.")
    assert client.get(f"/arenden/{case.pk}/").status_code == 404
    assert client.get("/arenden/arenden.geojson?status=all").json()["features"] == []


@pytest.fixture
def _png():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(out, "PNG")
    return out.getvalue()


def test_a_png_with_transparency_is_accepted(world, client, _png):
    photo = SimpleUploadedFile("a.png", _png, content_type="image/png")
    assert client.post("/rapportera/", _form(world, photo=photo)).status_code == 302
    assert CasePhoto.objects.get().image.name.endswith(".jpg")


def test_staff_cases_for_partners_only_stay_off_the_public_site(world, client):
    internal = services.create_case(
        world.municipality,
        category=world.categories["klotter"],
        lat=LAT,
        lon=LON,
        description="Klotter med hot mot en anställd.",
        origin="staff",
        principal=world.police_member,
    )
    assert internal.sensitivity == "partners"
    assert client.get(f"/arenden/{internal.pk}/").status_code == 404
    assert client.get(f"/open311/v2/requests/{internal.pk}.json").status_code == 404
    assert client.get("/arenden/arenden.geojson?status=all").json()["features"] == []

"""The staff web shell over HTTP (Django test client)."""

import pytest
from django.core import mail
from django.urls import reverse

from trygg.core.middleware import SESSION_KEY
from trygg.core.models import AuditAction, AuditEntry, Notice, Organisation, Role, Sensitivity
from trygg.core.tests.factories import MembershipFactory, NoticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


def test_pages_need_login(client):
    # "/" too, while no municipality is set up (then it is the public site's start page).
    for name in ("home", "areas", "notices", "organisations", "audit_log"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_swedish_by_default_even_for_an_english_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Logga in i Trygg" in html


def test_language_switch_to_english_and_back(client, demo):
    login(client, "samordnare")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Safety work in Upplands-Bro" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert "Trygghetsarbetet i Upplands-Bro" in client.get("/").content.decode()


def test_home_shows_the_map_the_demo_flag_and_visible_notices(client, demo):
    login(client, "samordnare")
    html = client.get("/").content.decode()
    assert "data-area-map" in html
    assert "Områdesgränserna är påhittad demodata" in html
    assert "Veckans gemensamma lägesbild" in html
    # The police's restricted notice names the field workers, not the coordinator.
    assert "Förhöjd oro kring pendeltågsstationen" not in html


def test_restricted_notice_is_shown_to_the_named_organisation_and_the_read_is_logged(client, demo):
    login(client, "falt")  # first membership alphabetically: Fritid – fältverksamheten
    html = client.get("/notices/").content.decode()
    assert "Förhöjd oro kring pendeltågsstationen" in html
    read = AuditEntry.objects.filter(action=AuditAction.READ).get()
    assert read.actor_label == "falt"
    assert read.path == "GET /notices/"
    assert read.ip_address == "127.0.0.1"


def test_area_geojson_is_the_municipalitys_areas(client, demo):
    login(client, "polis")
    data = client.get("/areas.geojson").json()
    assert data["type"] == "FeatureCollection"
    assert sorted(f["properties"]["name"] for f in data["features"]) == [
        "Bro",
        "Brunna",
        "Håtuna",
        "Kungsängen",
        "Låssa",
    ]


def test_creating_a_notice_rejects_personal_data_and_keeps_the_input(client, demo):
    login(client, "bostad")
    response = client.post(
        "/notices/new/",
        {
            "title": "Klotter i trapphus",
            "body": "Ring mig på 070-123 45 67",
            "sensitivity": "partners",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Texten verkar innehålla ett telefonnummer" in html
    assert "Klotter i trapphus" in html  # nothing the user typed is lost
    assert not Notice.objects.filter(title="Klotter i trapphus").exists()

    response = client.post(
        "/notices/new/",
        {
            "title": "Klotter i trapphus",
            "body": "Nytt klotter i Bro, trapphus 3.",
            "sensitivity": "partners",
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get(title="Klotter i trapphus")
    assert notice.owner_organisation.name == "Upplands-Brohus"


def test_restricted_notice_with_named_organisations(client, demo):
    login(client, "polis")
    fritid = Organisation.objects.get(name="Fritid – fältverksamheten")
    response = client.post(
        "/notices/new/",
        {
            "title": "Oro vid skolan",
            "body": "Spänningar vid Broskolan.",
            "sensitivity": "restricted",
            "restricted_to": [fritid.pk],
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get(title="Oro vid skolan")
    assert list(notice.restricted_to.all()) == [fritid]


def test_members_cannot_edit_other_organisations_notices(client, demo):
    login(client, "bostad")
    notice = Notice.objects.get(title="Veckans gemensamma lägesbild")
    assert client.get(f"/notices/{notice.pk}/edit/").status_code == 403
    assert client.post(f"/notices/{notice.pk}/delete/").status_code == 403
    assert Notice.objects.filter(pk=notice.pk).exists()


def test_restricted_notice_of_others_is_a_404_not_a_403(client, demo):
    login(client, "bostad")
    notice = Notice.objects.get(sensitivity=Sensitivity.RESTRICTED)
    assert client.get(f"/notices/{notice.pk}/edit/").status_code == 404


def test_coordinator_edits_and_removes_any_visible_notice(client, demo):
    login(client, "samordnare")
    notice = Notice.objects.get(title="Trygghetsvandring i Bro centrum")
    response = client.post(
        f"/notices/{notice.pk}/edit/",
        {
            "title": "Trygghetsvandring i Bro centrum 18.30",
            "body": notice.body,
            "sensitivity": "public",
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title.endswith("18.30")
    assert client.post(f"/notices/{notice.pk}/delete/").status_code == 302
    assert not Notice.objects.filter(pk=notice.pk).exists()


def test_read_only_members_cannot_create(client, demo):
    login(client, "lasare")
    assert client.get("/notices/new/").status_code == 403
    assert "Nytt meddelande" not in client.get("/notices/").content.decode()


def test_audit_log_is_for_administrators_only(client, demo):
    for username in ("samordnare", "polis", "lasare"):
        login(client, username)
        assert client.get("/audit/").status_code == 403
        assert "/audit/" not in client.get("/").content.decode()
    login(client, "admin")
    html = client.get("/audit/?action=create").content.decode()
    assert "<h1>Logg</h1>" in html
    assert "Veckans gemensamma lägesbild" in html


def test_audit_log_shows_only_the_own_municipality(client, demo):
    other = MembershipFactory(role=Role.COORDINATOR)
    NoticeFactory(owner_organisation=other.organisation, title="Annan kommuns meddelande")
    login(client, "admin")
    assert "Annan kommuns meddelande" not in client.get("/audit/").content.decode()


def test_organisation_switcher(client, demo):
    login(client, "falt")
    html = client.get("/").content.decode()
    assert 'id="organisation-switcher"' in html
    social = Organisation.objects.get(name="Socialtjänsten")
    response = client.post(
        "/organisation/switch/", {"organisation": social.pk, "next": "/notices/"}
    )
    assert response.status_code == 302 and response["Location"] == "/notices/"
    assert client.session[SESSION_KEY] == social.pk
    # Acting for social services, the police's note to the field workers is not visible.
    assert "Förhöjd oro" not in client.get("/notices/").content.decode()


def test_switching_to_a_foreign_organisation_is_refused(client, demo):
    login(client, "falt")
    police = Organisation.objects.get(kind="police")
    assert client.post("/organisation/switch/", {"organisation": police.pk}).status_code == 403
    assert client.post("/organisation/switch/", {"organisation": "x"}).status_code == 404


def test_switch_does_not_redirect_off_site(client, demo):
    login(client, "falt")
    org = Organisation.objects.get(name="Socialtjänsten")
    response = client.post(
        "/organisation/switch/", {"organisation": org.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_account_without_membership_is_told_what_to_do(client, db):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert "inte kopplat till någon organisation" in response.content.decode()


def test_login_throttling_locks_out_after_repeated_failures(client, demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "polis", "password": "fel"})
    response = client.post("/accounts/login/", {"username": "polis", "password": "trygg-demo"})
    assert response.status_code == 429
    assert "För många misslyckade försök" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_the_demo_password(client, demo):
    response = client.post("/accounts/login/", {"username": "samordnare", "password": "trygg-demo"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_password_reset_sends_a_link(client, demo):
    response = client.post("/accounts/password/reset/", {"email": "polis@demo.trygg.invalid"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_security_headers(client, demo):
    login(client, "samordnare")
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_audit_log_withholds_what_the_administrator_may_not_read(client, demo):
    """A restricted record of another organisation: the log shows that it changed and
    which fields, never its text or values (the administrator is not named)."""

    police = Organisation.objects.get(municipality=demo, name__startswith="Polisen")
    Notice.objects.create(
        municipality=demo,
        owner_organisation=police,
        sensitivity=Sensitivity.RESTRICTED,
        title="Hemlig insats vid Bro centrum",
        body="Spaning fredag kväll",
    )
    login(client, "admin")
    html = client.get("/audit/?action=create").content.decode()
    assert "Hemlig insats" not in html and "Spaning fredag" not in html
    assert "begränsad: undanhållen" in html or "restricted: withheld" in html


def test_password_reset_is_throttled_per_account(client, demo, settings, mailoutbox):
    settings.PASSWORD_RESETS_PER_HOUR = 2
    user = UserFactory(email="anna@kommun.example")
    for _ in range(2):
        assert client.post("/accounts/password/reset/", {"email": user.email}).status_code == 302
    blocked = client.post("/accounts/password/reset/", {"email": user.email})
    assert blocked.status_code == 429 and blocked["Retry-After"]
    assert len(mailoutbox) == 2


def test_an_anonymous_visitor_starts_at_the_public_site(client, demo):
    from trygg.cases.models import Case

    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Trygghet i Upplands-Bro" in html
    for link in ('href="/rapportera/"', 'href="/arenden/"', 'href="/atgardsplan/"',
                 'href="/trygghetsvandringar/"', 'href="/accounts/login/"'):  # fmt: skip
        assert link in html, link
    # Only what the public site may show: no restricted or partners' case.
    hidden = Case.objects.filter(municipality=demo).exclude(sensitivity="public")
    for case in hidden[:20]:
        assert f'href="/arenden/{case.pk}/"' not in html
    # Staff still get their own start page.
    login(client, "samordnare")
    assert "Trygghet i Upplands-Bro" not in client.get("/").content.decode()

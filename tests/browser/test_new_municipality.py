"""A municipality that is not Upplands-Bro set up by its coordinator from empty, in
Chromium, using only Trygg's own pages (never /admin/): the coordinator's invitation from
create_municipality → the districts as a zipped Shapefile in SWEREF 99 18 00 and SCB's
DeSO as a GeoPackage in SWEREF 99 TM (both made here with the reader Trygg uses), through
the preview → an SCB population table per DeSO → a housing company and its caretaker
invited (the link from the outbox) → routing rules, tested on the map → the public
site's text published → a resident's report routed to the housing company. axe finds
nothing on any page; screenshots setup-*.png in test-artifacts/."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command

from tests.browser.axe import violations
from tests.browser.conftest import send_report, tap_map_at
from tests.support.layers import square, write_layer

PASSWORD = "Vårregn-i-Järfälla-2026"
# Two districts of Järfälla, side by side, and the four DeSO under them.
JAKOBSBERG = square(17.82, 59.41, 0.03)
BARKARBY = square(17.85, 59.41, 0.03)
DESO = [(f"0123A00{i + 1}0", square(17.82 + 0.015 * i, 59.41, 0.015)) for i in range(4)]


@pytest.fixture
def empty_site(live_server, transactional_db, settings, tmp_path):
    """The live server with nothing in it: no demo, no municipality. The journey checks
    pages; the settings' services run on both databases in trygg/setup/tests, so this runs
    in the SQLite pass only (as the crawl does)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("a journey through the pages: it runs in the SQLite pass")
    settings.PUBLIC_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    return live_server.url


def _link(body: str) -> str:
    return re.search(r"https?://\S+/konto/inbjudan/\S+/", body).group(0)


def test_a_coordinator_sets_up_a_new_municipality_from_empty(
    browser, empty_site, artifacts, tmp_path
):
    from trygg.cases.models import Case
    from trygg.core.models import Area, Population

    site = empty_site
    districts = write_layer(
        tmp_path / "jarfalla_distrikt.zip",
        [
            {"NAMN": "Jakobsberg", "DISTRKOD": "J", "geometry": JAKOBSBERG},
            {"NAMN": "Barkarby", "DISTRKOD": "B", "geometry": BARKARBY},
        ],
        crs="EPSG:3011",
    )
    deso = write_layer(
        tmp_path / "deso_2025.gpkg",
        [{"deso": code, "kommunnamn": "Järfälla", "geometry": g} for code, g in DESO],
        crs="EPSG:3006",
    )
    table = tmp_path / "BE0101_folkmangd.csv"
    table.write_bytes(
        (
            '"Folkmängden per region efter region och år"\n\n"region";"2025"\n'
            + "".join(
                f'"{code} Järfälla";"{1500 + 100 * i}"\n' for i, (code, _g) in enumerate(DESO)
            )
            + '"0123 Järfälla";"86000"\n'
        ).encode("cp1252")
    )

    call_command(
        "create_municipality", "0123", "Järfälla", "--coordinator", "samordnare@jarfalla.se"
    )
    (invitation,) = mail.outbox
    mail.outbox.clear()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(20_000)
    failed: list[tuple[int, str]] = []
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 500 else None)

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], name
        page.screenshot(path=str(artifacts / f"setup-{name}.png"), full_page=True)

    # 1. The coordinator's invitation: choose a password, and in.
    page.goto(_link(invitation.body))
    page.get_by_role("heading", name="Inbjudan till Trygg").wait_for()
    check("01-invitation")
    page.get_by_label("Välj ett lösenord").fill(PASSWORD)
    page.get_by_label("Lösenordet igen").fill(PASSWORD)
    page.get_by_role("button", name="Skapa mitt konto").click()
    page.wait_for_url(f"{site}/")
    page.get_by_role("link", name="Inställningar").click()
    page.get_by_role("heading", name="Kom igång").wait_for()
    assert "0 av 7 steg klara" in page.locator("main").inner_text()
    check("02-getting-started")

    # 2. The districts: a zipped Shapefile in SWEREF 99 18 00, through the preview.
    page.get_by_role("navigation", name="Inställningar").get_by_role("link", name="Områden").click()
    page.locator("input[name=file]").set_input_files(str(districts))
    page.locator("select[name=kind]").select_option("district")
    page.get_by_role("button", name="Visa förhandsvisningen").click()
    page.get_by_text("SWEREF99 18 00").first.wait_for()
    page.locator("#preview-map path.leaflet-interactive").first.wait_for()
    assert page.locator("select[name=name_field]").input_value() == "NAMN"
    check("03-preview-shapefile")
    page.get_by_role("button", name="Importera områdena").click()
    page.get_by_text("2 områden skapade").wait_for()
    check("04-areas")

    # 3. SCB's DeSO as a GeoPackage in SWEREF 99 TM: the name column chosen by hand.
    page.locator("input[name=file]").set_input_files(str(deso))
    page.locator("select[name=kind]").select_option("deso")
    page.get_by_role("button", name="Visa förhandsvisningen").click()
    page.get_by_text("SWEREF99 TM").first.wait_for()
    page.locator("select[name=name_field]").select_option("deso")
    page.locator("select[name=code_field]").select_option("deso")
    page.get_by_role("button", name="Visa igen").click()
    page.get_by_role("cell", name="0123A0010").first.wait_for()
    check("05-preview-geopackage")
    page.get_by_role("button", name="Importera områdena").click()
    page.get_by_text("4 områden skapade").wait_for()
    assert Area.objects.filter(municipality__code="0123").count() == 6

    # 4. The population per DeSO, shared out to the districts.
    page.get_by_role("navigation", name="Inställningar").get_by_role(
        "link", name="Folkmängd"
    ).click()
    page.locator("input[name=file]").set_input_files(str(table))
    page.get_by_role("button", name="Importera").click()
    page.get_by_text("Folkmängd importerad för 2025").wait_for()
    jakobsberg = Population.objects.get(area__name="Jakobsberg", year=2025)
    assert jakobsberg.population == 1500 + 1600  # the two DeSO it covers
    check("06-population")

    # 5. The housing company and its caretaker.
    page.get_by_role("navigation", name="Inställningar").get_by_role(
        "link", name="Organisationer och personer"
    ).click()
    page.get_by_role("link", name="Ny organisation").click()
    page.get_by_label("Namn").fill("Järfällahus")
    page.locator("select[name=kind]").select_option("housing")
    page.get_by_label("E-post för kontakt").fill("trygghet@jarfallahus.se")
    check("07-organisation")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Personer i Järfällahus").wait_for()
    page.get_by_label("E-postadress").fill("vicevard@jarfallahus.se")
    page.get_by_label("Roll").select_option("member")
    page.get_by_role("button", name="Skicka inbjudan").click()
    page.get_by_text("En inbjudan skickades till vicevard@jarfallahus.se").wait_for()
    check("08-people")
    (caretaker_mail,) = mail.outbox
    caretaker = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    phone = caretaker.new_page()
    phone.goto(_link(caretaker_mail.body))
    phone.get_by_text("Järfällahus").first.wait_for()
    phone.get_by_label("Välj ett lösenord").fill(PASSWORD)
    phone.get_by_label("Lösenordet igen").fill(PASSWORD)
    phone.get_by_role("button", name="Skapa mitt konto").click()
    phone.wait_for_url(f"{site}/")
    assert "Järfällahus" in phone.locator("header").text_content()  # behind "Meny" at 390 px
    caretaker.close()

    # 6. Who is responsible: the municipality for everything, the housing company for
    # lighting; tested on the map.
    page.get_by_role("navigation", name="Inställningar").get_by_role(
        "link", name="Vem ansvarar"
    ).click()
    add = page.locator("form", has=page.get_by_role("button", name="Lägg till regeln"))
    add.locator("select[name=organisation]").select_option(label="Järfälla kommun")
    add.get_by_role("button", name="Lägg till regeln").click()
    page.get_by_text("Ansvarsregeln är tillagd.").wait_for()
    add = page.locator("form", has=page.get_by_role("button", name="Lägg till regeln"))
    add.locator("select[name=category]").select_option(label="Belysning")
    add.locator("select[name=organisation]").select_option(label="Järfällahus")
    add.get_by_role("button", name="Lägg till regeln").click()
    page.get_by_text("Ansvarsregeln är tillagd.").wait_for()
    test = page.locator("form", has=page.get_by_role("button", name="Testa"))
    test.locator("select[name=category]").select_option(label="Belysning")
    page.locator("#pick-map").scroll_into_view_if_needed()
    tap_map_at(page, "#pick-map", 59.425, 17.835)
    page.locator("#pick-status", has_text="Vald plats").wait_for()
    page.get_by_role("button", name="Testa").click()
    result = page.locator("#route-result")
    result.wait_for()
    assert "Järfällahus" in result.inner_text() and "Jakobsberg" in result.inner_text()
    check("09-routing")

    # 7. The public site's text, with the municipality's colour.
    page.get_by_role("navigation", name="Inställningar").get_by_role(
        "link", name="Publik sida"
    ).click()
    page.get_by_label("Rubrik på den publika sidan").fill("Tryggt i Järfälla")
    page.get_by_label("Inledning på den publika sidan").fill(
        "Ser du en plats som känns otrygg? Berätta var den är, så åtgärdar vi den."
    )
    page.get_by_label("Färg").fill("#ffdd55")
    page.get_by_role("button", name="Spara och publicera").click()
    page.get_by_text("minst 4,5:1").wait_for()  # pale yellow under white text: refused
    page.get_by_label("Färg").fill("#00576b")
    page.get_by_role("button", name="Spara och publicera").click()
    page.get_by_text("Texterna på den publika sidan är publicerade.").wait_for()
    check("10-public-site")

    page.get_by_role("navigation", name="Inställningar").get_by_role(
        "link", name="Kom igång"
    ).click()
    steps = page.locator(".setup-step--done").all_inner_texts()
    assert len(steps) == 5, steps  # all but the categories' review and the police feed
    check("11-getting-started-after")
    assert failed == [], failed
    context.close()

    # 8. A resident's report lands with the housing company.
    resident = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="sv-SE"
    )
    public = resident.new_page()
    public.set_default_timeout(20_000)
    public.goto(f"{site}/")
    public.get_by_role("heading", name="Tryggt i Järfälla", level=1).wait_for()
    public.locator(".hero").get_by_role("link", name="Rapportera en otrygg plats").click()
    public.get_by_label("Belysning").check()
    with public.expect_response(lambda r: "/rapportera/nara/" in r.url):
        tap_map_at(public, "#pick-map", 59.425, 17.835, touch=True)
    public.locator("#pick-status", has_text="Vald plats").wait_for()
    public.get_by_label("Beskriv platsen och vad som känns otryggt").fill(
        "Lampan vid entrén är trasig sedan en vecka."
    )
    send_report(public)
    public.screenshot(path=str(artifacts / "setup-12-resident-report.png"), full_page=True)
    case = Case.objects.get()
    assert case.owner_organisation.name == "Järfällahus"
    assert case.area.name == "Jakobsberg"
    resident.close()

"""The field loop in a real browser: a walk leader captures a finding with a photo while
offline, goes online, and it is synced exactly once (also when the first sync breaks
half-way); a resident reports an unsafe place; every public and walk page passes axe
(WCAG 2.1 A/AA); the phone layouts at 390×844."""

import re

import pytest

from tests.browser.axe import violations
from tests.browser.conftest import log_in, send_report, tap_map_at


@pytest.fixture
def site_with_walks(site):
    from trygg.cases import demo as cases_demo
    from trygg.walks import demo as walks_demo

    cases_demo.load()
    walks_demo.load()
    return site


def _jpeg() -> bytes:
    from trygg.cases.tests.conftest import jpeg

    return jpeg(size=(1200, 900), colour="#446688", gps=(59.51, 17.64))


def _counts():
    """Findings and photos besides the demo walks' own."""
    from trygg.walks.models import Finding, FindingPhoto

    return (
        Finding.objects.filter(walk__is_demo=True, description__in=CAPTURED).count(),
        FindingPhoto.objects.filter(finding__description__in=CAPTURED).count(),
    )


CAPTURED = ["Mörk gångväg bakom skolan.", "Trasig lampa vid porten."]


def _capture_one(page, description):
    page.locator("#capture[data-ready='true']").wait_for()
    # Tap the map where the finding is.
    page.locator("#capture-map").click()  # the middle of the walk's area
    page.locator("#position-status", has_text="Position:").wait_for()
    page.get_by_label("Kategori").select_option(label="Belysning")
    page.get_by_label("Dålig eller trasig belysning").check()
    page.get_by_label("Känsla").select_option("1")
    page.get_by_label("Vad såg du?").fill(description)
    page.get_by_label("Foton").set_input_files(
        files=[{"name": "lampa.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    page.get_by_role("button", name="Spara fyndet").click()
    page.get_by_text("Sparat i telefonen.").wait_for()


def test_a_finding_captured_offline_is_synced_exactly_once(browser, site_with_walks, artifacts):
    site = site_with_walks
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="sv-SE"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, site, "samordnare")
    page.goto(f"{site}/walks/capture/")
    page.locator("#capture[data-sw='registered']").wait_for()
    page.screenshot(path=str(artifacts / "walk-capture-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert violations(page) == []

    context.set_offline(True)
    _capture_one(page, "Mörk gångväg bakom skolan.")
    page.locator("#capture[data-waiting='1']").wait_for()
    page.locator(".local-finding--queued").wait_for()
    page.get_by_text("Ingen uppkoppling").wait_for()
    assert _counts() == (0, 0)
    page.screenshot(path=str(artifacts / "walk-capture-offline-phone.png"), full_page=True)

    context.set_offline(False)
    page.locator("#capture[data-waiting='0']").wait_for()
    page.locator(".local-finding--sent").wait_for()
    assert _counts() == (1, 1)
    # Sending again (a button press, the timer) changes nothing.
    page.get_by_role("button", name="Skicka nu").click()
    page.wait_for_timeout(500)
    assert _counts() == (1, 1)
    from trygg.walks.models import Finding

    finding = Finding.objects.get(description__in=CAPTURED)
    assert finding.description == "Mörk gångväg bakom skolan."
    assert finding.checks == ["lighting"] and finding.scores == {"st_feeling": 1}
    assert finding.position_source == "map" and finding.case is not None
    assert errors == []
    context.close()


def test_a_sync_broken_half_way_is_finished_later_without_duplicates(browser, site_with_walks):
    site = site_with_walks
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, site, "samordnare")
    page.goto(f"{site}/walks/capture/")
    # The finding gets through; the photo's upload is cut off.
    broken = {"n": 0}

    def cut_first_photo(route):
        broken["n"] += 1
        if broken["n"] == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r".*/api/v1/findings/.*/photos$"), cut_first_photo)
    _capture_one(page, "Trasig lampa vid porten.")
    page.wait_for_function("() => document.querySelector('#capture').dataset.waiting !== undefined")
    page.locator(".local-finding--received, .local-finding--sent").first.wait_for()
    # The next sync (button; the app also retries by itself) finishes the job.
    page.get_by_role("button", name="Skicka nu").click()
    page.locator(".local-finding--sent").wait_for()
    page.locator("#capture[data-waiting='0']").wait_for()
    assert broken["n"] >= 2
    assert _counts() == (1, 1)
    context.close()


BRO_TUNNEL = (59.5150, 17.6450)  # in Bro, on municipal land


def test_a_resident_reports_an_unsafe_place(browser, site_with_walks, artifacts):
    site = site_with_walks
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="sv-SE",
        device_scale_factor=2,  # a 2x phone asks for the pin's @2x image
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    failed = []
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    # A resident starts at the municipality's address: the public start page.
    page.goto(f"{site}/")
    page.get_by_role("heading", name="Trygghet i Upplands-Bro", level=1).wait_for()
    page.locator(".map .leaflet-marker-icon, .map path.leaflet-interactive").first.wait_for()
    assert "Avslutade" in page.locator(".map-legend").inner_text()  # what the colours mean
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "public-home-phone.png"), full_page=True)
    assert page.get_by_role("link", name="Logga in (personal)").count() >= 1
    page.locator(".hero").get_by_role("link", name="Rapportera en otrygg plats").click()
    page.wait_for_url(re.compile(r"/rapportera/$"))
    assert violations(page) == []
    page.screenshot(path=str(artifacts / "public-report-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("Tunnel eller gångpassage").check()
    # The pin asks for reports nearby (htmx, after 400 ms): wait for that answer, so that
    # the panel it fills does not move the form under a later click on a busy machine.
    with page.expect_response(lambda r: "/rapportera/nara/" in r.url):
        tap_map_at(page, "#pick-map", *BRO_TUNNEL)
    page.locator("#pick-status", has_text="Vald plats").wait_for()
    page.locator("#pick-map .leaflet-marker-icon").wait_for()
    page.wait_for_load_state("networkidle")
    # Regression: Leaflet guessed its images' folder from the page (/rapportera/marker-…):
    # 404s and a broken pin.
    assert failed == [], failed
    page.get_by_label("Beskriv platsen och vad som känns otryggt").fill(
        "Gångtunneln under vägen är helt mörk på kvällarna."
    )
    page.get_by_label(re.compile("Din e-post")).fill("boende@example.se")
    send_report(page)
    assert violations(page) == []
    number = re.search(r"nummer (\d+)", page.locator("main").inner_text()).group(1)
    from trygg.cases.models import Case

    case = Case.objects.get(pk=int(number))
    assert case.origin == "public" and case.moderation == "pending"
    assert case.category.code == "tunnel" and case.reporter_email == "boende@example.se"
    page.get_by_role("link", name=f"Rapport {number}").click()
    page.get_by_role("heading", name=re.compile(f"Rapport {number}")).wait_for()
    assert "boende@example.se" not in page.content()
    context.close()


PUBLIC_PAGES = ["/", "/rapportera/", "/arenden/", "/arenden/?status=closed",
                "/trygghetsvandringar/"]  # fmt: skip
STAFF_PAGES = ["/walks/", "/walks/new/", "/walks/checklists/", "/cases/", "/cases/new/",
               "/cases/dashboard/", "/cases/moderation/"]  # fmt: skip


def test_public_pages_are_accessible(page, site_with_walks):
    from trygg.cases.models import Case
    from trygg.walks.models import Walk

    site = site_with_walks
    published = Walk.objects.get(status="published")
    case = (
        Case.objects.filter(moderation="approved", sensitivity="public")
        .exclude(state="hidden")
        .first()
    )
    for path in [*PUBLIC_PAGES, f"/trygghetsvandringar/{published.pk}/", f"/arenden/{case.pk}/"]:
        page.goto(site + path)
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path
    assert page.js_errors == []


def test_staff_walk_and_case_pages_are_accessible(page, site_with_walks, artifacts):
    from trygg.cases.models import Case
    from trygg.walks.models import Walk

    site = site_with_walks
    log_in(page, site, "samordnare")
    walk = Walk.objects.get(status="published")
    case = Case.objects.filter(origin="walk").first()
    paths = [
        *STAFF_PAGES,
        f"/walks/{walk.pk}/",
        f"/walks/{walk.pk}/protocol/",
        f"/cases/{case.pk}/",
    ]
    for path in paths:
        page.goto(site + path)
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path
    page.goto(f"{site}/walks/{walk.pk}/protocol/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)  # let the map finish its zoom animation
    # The findings are numbered on the map as in the list and the PDF.
    numbers = page.locator(".numbered-marker span").all_inner_texts()
    assert numbers and sorted(map(int, numbers)) == list(range(1, len(numbers) + 1))
    legend = page.locator(".map-legend").inner_text()
    assert "Den gångna rutten" in legend and "Fynd, öppet" in legend
    page.screenshot(path=str(artifacts / "walk-protocol.png"), full_page=True)
    page.goto(f"{site}/cases/")
    page.locator("[data-points-map][data-loaded]").wait_for()
    page.screenshot(path=str(artifacts / "cases.png"), full_page=True)
    assert page.js_errors == []

"""The coordinator's first journey, in a real browser: log in, see the map of areas,
switch to English and back, log out — and every page is accessible (axe, WCAG 2.1 AA)."""

import re

import pytest

from tests.browser.axe import violations
from tests.browser.conftest import log_in


def test_coordinator_logs_in_sees_the_map_switches_language_and_logs_out(page, site, artifacts):
    log_in(page, site, "samordnare")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.get_by_role("heading", name="Trygghetsarbetet i Upplands-Bro").wait_for()

    area_map = page.locator("[data-area-map]")
    area_map.and_(page.locator("[data-loaded='5']")).wait_for()
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == 5
    # Zoomed to the municipality (a Swedish decimal comma in the extent once made it 0).
    zoom, lat, lng = page.evaluate(
        "() => { const m = document.querySelector('[data-area-map]').leafletMap;"
        " const c = m.getCenter(); return [m.getZoom(), c.lat, c.lng]; }"
    )
    assert zoom >= 10
    assert 59.4 < lat < 59.7 and 17.4 < lng < 17.9
    for name in ("Kungsängen", "Bro", "Brunna", "Låssa", "Håtuna"):
        assert page.locator(".area-label", has_text=re.compile(f"^{name}$")).count() == 1
    assert page.get_by_text("Områdesgränserna är påhittad demodata").is_visible()
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)
    # The desktop menu is one line at 1366 px (and at this 1280 px window).
    for width in (1280, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        tops = page.eval_on_selector_all(
            ".site-nav li", "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
        )
        assert len(tops) >= 10 and len(set(tops)) == 1, (width, tops)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Safety work in Upplands-Bro").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Notice board").click()
    page.get_by_role("heading", name="Notice board", level=1).wait_for()

    page.get_by_role("button", name="Svenska").click()
    page.get_by_role("heading", name="Anslagstavla", level=1).wait_for()
    assert page.locator("html").get_attribute("lang") == "sv"

    page.get_by_role("button", name=re.compile("^Logga ut")).click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    # Logged out, the address of the site is the public start page, with the staff login.
    page.goto(f"{site}/")
    page.get_by_role("heading", name="Trygghet i Upplands-Bro", level=1).wait_for()
    page.get_by_role("link", name="Logga in (personal)").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.js_errors == []


def test_phone_layout_shows_navigation_and_map(browser, site, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, site, "falt")
    page.locator("[data-area-map][data-loaded='5']").wait_for()
    assert page.evaluate("document.querySelector('[data-area-map]').leafletMap.getZoom()") >= 9
    # The menu folds behind one button: the first screen is the page, not 13 links.
    nav = page.get_by_role("navigation", name="Huvudmeny")
    assert not nav.is_visible()
    assert page.evaluate("document.querySelector('main').getBoundingClientRect().top") < 120
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "home-phone.png"), full_page=True)
    page.get_by_role("button", name="Meny").click()
    assert nav.is_visible()
    assert page.get_by_role("button", name="Meny").get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(artifacts / "home-phone-menu.png"))
    nav.get_by_role("link", name="Anslagstavla").click()
    page.get_by_role("heading", name="Anslagstavla", level=1).wait_for()
    assert violations(page) == []
    context.close()


def test_organisation_switcher_in_the_browser(page, site):
    log_in(page, site, "falt")
    page.get_by_label("Arbetar för").select_option(label="Socialtjänsten (medlem)")
    page.get_by_text("Du arbetar nu för Socialtjänsten som medlem.").wait_for()


def _nav_targets(page):
    links = page.get_by_role("navigation", name="Huvudmeny").get_by_role("link")
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


@pytest.mark.parametrize("username", ["admin", "samordnare", "polis", "lasare"])
def test_every_page_reachable_from_the_navigation_is_accessible(page, site, username):
    page.goto(f"{site}/accounts/login/")
    found = {"/accounts/login/": violations(page)}

    log_in(page, site, username)
    targets = _nav_targets(page)
    assert "/" in targets and "/areas/" in targets
    extra = ["/accounts/password/change/", "/notices/new/", "/notices/?page=1"]
    for path in dict.fromkeys(targets + extra):
        response = page.goto(f"{site}{path}")
        if response.status == 403:  # e.g. a read-only user and the new-notice form
            continue
        if page.locator("[data-area-map]").count():
            page.locator("[data-area-map][data-loaded]").wait_for()
        found[path] = violations(page)

    if username == "samordnare":
        # A form with errors must be accessible too.
        page.goto(f"{site}/notices/new/")
        page.get_by_role("button", name="Publicera").click()
        page.locator(".error-summary").wait_for()
        found["/notices/new/ (errors)"] = violations(page)

    problems = {path: v for path, v in found.items() if v}
    assert problems == {}
    assert page.js_errors == []


def test_names_from_data_are_text_in_map_tooltips(page, site):
    """An area named like HTML is shown as those characters, never run as HTML."""
    from trygg.core.models import Area

    area = Area.objects.filter(municipality__code="0139").order_by("name").first()
    area.name = '<img src=x id="injected" onerror="document.title=\'pwned\'">'
    area.save()
    log_in(page, site, "samordnare")
    page.goto(f"{site}/areas/")
    page.locator(".area-label").first.wait_for()
    assert page.locator("#injected").count() == 0
    assert page.title() != "pwned"
    assert any("<img" in t for t in page.locator(".area-label").all_inner_texts())

"""Browser tests: Debian's Chromium, headless, driven by Playwright against Django's
live server with the demo data loaded."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TRYGG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# Each browser journey runs in one of make test's two passes: the pages are the same on
# both databases (the suite below the browser runs whole on both), and Chromium is the
# slowest part of the run. These modules run in the PostgreSQL pass, every other one in
# the SQLite pass; a run against one database alone (a developer's) runs all of them.
POSTGRESQL_PASS = {
    "test_walks_and_cases",
    "test_assessment_dashboard",
    "test_plan",
    "test_weekly_picture",
    "test_event_brief",
}


def _this_pass() -> str | None:
    if os.environ.get("TRYGG_BROWSER_PASSES") != "split":
        return None
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def pytest_collection_modifyitems(items):
    this_pass = _this_pass()
    for item in items:
        if "tests/browser/" not in str(item.fspath):
            continue
        item.add_marker(pytest.mark.browser)
        if this_pass is None:
            continue
        module_pass = (
            "postgresql" if item.module.__name__.split(".")[-1] in POSTGRESQL_PASS else "sqlite"
        )
        if module_pass != this_pass:
            item.add_marker(pytest.mark.skip(reason=f"a browser journey of the {module_pass} pass"))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: make test installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # fixtures meanwhile are ordinary synchronous calls. Only while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the demo municipality loaded."""
    from trygg.core import demo

    demo.load()
    return live_server.url


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def log_in(page, site, username, password="trygg-demo"):
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_url(f"{site}/")


@pytest.fixture
def site_with_incidents(site):
    """The live server with the demo municipality and its three years of incidents."""
    from trygg.incidents import demo as incidents_demo
    from trygg.surveys import demo as surveys_demo

    incidents_demo.load()
    surveys_demo.load()
    return site


def tap_map_at(page, selector: str, lat: float, lon: float, *, touch: bool = False) -> None:
    """Tap (or click) a Leaflet map at a place, not at a pixel: where a pixel lands
    depends on the map's extent, which follows the demo's districts."""
    point = page.evaluate(
        "([sel, lat, lon]) => { const m = document.querySelector(sel).leafletMap;"
        " const p = m.latLngToContainerPoint([lat, lon]); return {x: p.x, y: p.y}; }",
        [selector, lat, lon],
    )
    target = page.locator(selector)
    (target.tap if touch else target.click)(position=point)


def send_report(page) -> None:
    """Send the public report form; fail with the form's own error message if it is
    refused rather than time out waiting for the thank-you page."""
    page.get_by_role("button", name="Skicka rapport").click()
    page.locator("h1:has-text('Tack för din rapport'), .error-summary").first.wait_for()
    refused = page.locator(".error-summary")
    assert refused.count() == 0, " / ".join(
        page.locator(".error-summary, .errorlist, [id$='_error'], .field--error").all_inner_texts()
    )

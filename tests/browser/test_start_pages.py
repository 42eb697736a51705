"""Every role's start page in Chromium, on the desktop and on a 390 px phone: its to-do
items from the demo, no accessibility violation, no failed request; screenshots in
test-artifacts/start-<role>-{desktop,phone}.png."""

import pytest

from tests.browser.axe import violations
from tests.browser.conftest import log_in

ROLES = {
    "samordnare": "rapporter väntar på granskning",
    "bostad": "Öppna ärenden för Upplands-Brohus",
    "teknik": "Öppna ärenden för Tekniska avdelningen",
    "polis": "Allvarliga händelser, senaste 7 dagarna",
    "lasare": "Öppna lägesbilden",
}


@pytest.fixture
def whole_site(live_server, transactional_db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server.url


def test_each_roles_start_page_on_desktop_and_phone(browser, whole_site, artifacts):
    for name, viewport, phone in (("desktop", {"width": 1366, "height": 900}, False),
                                  ("phone", {"width": 390, "height": 844}, True)):  # fmt: skip
        context = browser.new_context(
            viewport=viewport,
            is_mobile=phone,
            device_scale_factor=2 if phone else 1,
            locale="sv-SE",
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        failed: list[tuple[int, str]] = []
        page.on(
            "response",
            lambda r, failed=failed: r.status >= 400 and failed.append((r.status, r.url)),
        )
        for username, expected in ROLES.items():
            log_in(page, whole_site, username)
            page.get_by_role("heading", name="Att göra").wait_for()
            page.get_by_text(expected).first.wait_for()
            page.wait_for_load_state("networkidle")
            assert violations(page) == [], (username, name)
            if phone:
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, username
            page.screenshot(path=str(artifacts / f"start-{username}-{name}.png"), full_page=True)
            page.context.clear_cookies()
        assert failed == [], failed
        context.close()

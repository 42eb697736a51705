"""A resident's whole journey on a 390 px phone (2x), in Chromium: the public start page
→ report a place with the pin and the category's question → the receipt e-mail with the
case's link → a neighbour follows the case (double opt-in) → staff change the status →
both get the update e-mail → the public case page with its map, address and history.
No request may fail; axe finds nothing; screenshots resident-*.png in test-artifacts/."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.browser.axe import violations
from tests.browser.conftest import send_report, tap_map_at


@pytest.fixture
def resident_site(site, settings):
    from trygg.cases import demo as cases_demo

    cases_demo.load()
    settings.PUBLIC_BASE_URL = site  # the links in the e-mails point at the test server
    return site


def _link(body: str, part: str) -> str:
    return next(u for u in re.findall(r"https?://\S+", body) if part in u)


def test_a_residents_report_from_start_page_to_fixed(browser, resident_site, artifacts, run_worker):
    from trygg.cases import services
    from trygg.cases.models import Case, State
    from trygg.core.models import Membership
    from trygg.core.permissions import Principal

    site = resident_site
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        device_scale_factor=2, locale="sv-SE",
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    failed: list[tuple[int, str]] = []
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], name
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        page.screenshot(path=str(artifacts / f"resident-{name}.png"), full_page=True)

    page.goto(f"{site}/")
    page.get_by_role("heading", name="Trygghet i Upplands-Bro", level=1).wait_for()
    check("1-start")
    page.locator(".hero").get_by_role("link", name="Rapportera en otrygg plats").click()
    page.wait_for_url(re.compile(r"/rapportera/$"))
    # The question of a category shows when that category is chosen.
    question = page.get_by_label("Stolpens nummer, om det syns")
    assert not question.is_visible()
    page.get_by_label("Belysning").check()
    question.fill("B-1234")
    # The pin asks for reports nearby (htmx, after 400 ms): wait for that answer, so that
    # the panel it fills does not move the form under a later click on a busy machine.
    with page.expect_response(lambda r: "/rapportera/nara/" in r.url):
        tap_map_at(page, "#pick-map", 59.5150, 17.6450, touch=True)  # in Bro
    page.locator("#pick-status", has_text="Vald plats").wait_for()
    page.locator("#pick-map .leaflet-marker-icon").wait_for()
    page.get_by_label("Beskriv platsen och vad som känns otryggt").fill(
        "Lampan vid gångvägen har varit släckt i två veckor."
    )
    page.get_by_label(re.compile("Din e-post")).fill("boende@example.se")
    check("2-report")
    send_report(page)
    check("3-thanks")
    number = int(re.search(r"nummer (\d+)", page.locator("main").inner_text()).group(1))
    case = Case.objects.get(pk=number)
    assert case.attributes == {"stolpnummer": "B-1234"}
    assert case.address and not case.address_typed  # from the demo's address register

    # The receipt: the case's number and its link.
    run_worker()
    receipt = next(m for m in mail.outbox if m.to == ["boende@example.se"])
    assert f"#{number}" in receipt.subject and case.address in receipt.body
    page.goto(_link(receipt.body, f"/arenden/{number}/"))
    page.get_by_role("heading", name=re.compile(f"Rapport {number}")).wait_for()
    page.locator(".map .leaflet-marker-icon, .map path.leaflet-interactive").first.wait_for()
    assert case.address in page.locator("main").inner_text()
    check("4-case")

    # A neighbour follows it: a confirmation link first (double opt-in).
    mail.outbox.clear()
    page.get_by_label("Din e-postadress").fill("granne@example.se")
    page.get_by_role("button", name="Följ via e-post").click()
    page.get_by_role("heading", name="Kolla din e-post").wait_for()
    run_worker()
    (confirmation,) = mail.outbox
    page.goto(_link(confirmation.body, "/arenden/folj/"))
    page.get_by_role("button", name="Ja, följ rapporten").click()
    page.get_by_role("heading", name="Du följer rapporten").wait_for()
    check("5-following")

    # Staff: the responsible organisation says what it will do.
    mail.outbox.clear()

    def principal(**where):
        membership = Membership.objects.filter(**where).first()
        return Principal(user=membership.user, membership=membership)

    services.moderate(case, principal(user__username="samordnare"), approve=True)
    staff = principal(organisation=case.owner_organisation)
    services.change_state(case, staff, State.ACKNOWLEDGED, text="Vi byter lampan nästa vecka.")
    run_worker()
    updates = {m.to[0]: m for m in mail.outbox if "Vi byter lampan" in m.body}
    assert sorted(updates) == ["boende@example.se", "granne@example.se"]
    page.goto(_link(updates["granne@example.se"].body, f"/arenden/{number}/"))
    page.get_by_text("Vi byter lampan nästa vecka.").first.wait_for()
    page.locator(".map .leaflet-marker-icon, .map path.leaflet-interactive").first.wait_for()
    main = page.locator("main").inner_text()
    assert case.address in main and "Stolpens nummer" in main
    check("6-case-updated")
    assert failed == [], failed
    assert "boende@example.se" not in page.content()
    context.close()

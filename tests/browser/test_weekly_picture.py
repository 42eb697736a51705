"""The weekly joint picture in a real browser: a partner files a report on a phone in
three interactions (what, my position, send), the coordinator reviews it, and it is on
the week's map — every page accessible (axe, WCAG 2.1 A/AA)."""

import re

import pytest

from tests.browser.axe import violations
from tests.browser.conftest import log_in


@pytest.fixture
def site_with_est(site):
    from trygg.core.models import Area, Municipality
    from trygg.est.defaults import TREE
    from trygg.est.demo import PLACES
    from trygg.est.models import ObservationCategory, Place

    municipality = Municipality.objects.get(code="0139")
    for order, (code, name, name_en, children) in enumerate(TREE):
        parent = ObservationCategory.objects.create(
            municipality=municipality, code=code, name=name, name_en=name_en, order=order
        )
        for child_code, child_name, child_en in children:
            ObservationCategory.objects.create(
                municipality=municipality,
                code=child_code,
                name=child_name,
                name_en=child_en,
                parent=parent,
            )
    areas = {a.name: a for a in Area.objects.filter(municipality=municipality)}
    for name, lat, lon, area in PLACES:
        Place.objects.create(
            municipality=municipality, name=name, lat=lat, lon=lon, area=areas[area]
        )
    return site


def test_report_on_a_phone_review_and_see_it_on_the_weekly_map(browser, site_with_est, artifacts):
    site = site_with_est
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        locale="sv-SE",
        geolocation={"latitude": 59.5080, "longitude": 17.6360, "accuracy": 10},
        permissions=["geolocation"],
    )
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    log_in(phone, site, "bostad")
    phone.goto(f"{site}/veckobild/report/")
    assert violations(phone) == []
    phone.screenshot(path=str(artifacts / "weekly-report-phone.png"), full_page=True)
    # 1: what, 2: my position, 3: send.
    phone.get_by_label("Vad", exact=False).first.select_option(label="Skadegörelse – Klotter")
    phone.get_by_role("button", name="Använd min position").click()
    phone.locator("#pick-status", has_text="Vald plats").wait_for()
    phone.get_by_role("button", name="Skicka rapporten").click()
    phone.get_by_text("Tack! Rapporten är skickad.").wait_for()
    from trygg.est.models import Observation

    o = Observation.objects.get()
    assert o.area.name == "Bro" and o.owner_organisation.name == "Upplands-Brohus"
    assert abs(o.lat - 59.5080) < 1e-3
    phone.goto(f"{site}/veckobild/mine/")
    phone.get_by_text("Skadegörelse – Klotter").wait_for()
    assert violations(phone) == []
    # Every column fits the phone: the table is a card per report.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    review = phone.locator('td[data-label="Granskning"]').first
    box = review.bounding_box()
    assert review.is_visible() and box["x"] + box["width"] <= 390
    phone.screenshot(path=str(artifacts / "weekly-mine-phone.png"), full_page=True)
    context.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE").new_page()
    desk.set_default_timeout(15_000)
    log_in(desk, site, "samordnare")
    desk.goto(f"{site}/veckobild/review/")
    assert violations(desk) == []
    desk.get_by_label("Endast information").check()
    desk.get_by_label(re.compile("^Återkoppling")).fill("Tack, vi tar upp det på veckomötet.")
    desk.get_by_role("button", name="Spara granskningen").click()
    desk.get_by_text("Rapporten är granskad.").wait_for()
    o.refresh_from_db()
    assert o.status == "info"
    from django.utils import timezone

    from trygg.est.weeks import Week

    this_week = Week.of(timezone.localdate())
    desk.goto(f"{site}/veckobild/?week={this_week}")
    desk.locator("[data-points-map][data-loaded]").wait_for()
    assert int(desk.locator("[data-points-map]").get_attribute("data-loaded")) >= 1
    assert "Samverkanspartners rapport" in desk.locator(".map-legend").inner_text()
    assert violations(desk) == []
    desk.screenshot(path=str(artifacts / "weekly-picture.png"), full_page=True)
    week = re.search(
        r"week=(\d{4}-W\d\d)",
        desk.get_by_role("link", name=re.compile("Nästa vecka")).get_attribute("href"),
    )
    assert week
    for path in ("/veckobild/tertial/", "/veckobild/stats/", "/veckobild/upload/"):
        desk.goto(site + path)
        assert violations(desk) == [], path
    desk.context.close()

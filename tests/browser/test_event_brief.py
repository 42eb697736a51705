"""A serious event's brief in a real browser (#18): the coordinator opens it from the list
of serious events, sees the risk zone on the map, puts the zone on this week's meeting as
a focus place and adds an action in one step each — every page accessible (axe, WCAG 2.1
A/AA) — and the action is on the weekly meeting's page."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.axe import violations
from tests.browser.conftest import log_in

BRUNNA = (59.50691, 17.79404)


@pytest.fixture
def alert(site):
    from django.utils import timezone

    from trygg.core.models import Municipality, Organisation
    from trygg.incidents.importers.base import IncidentRow
    from trygg.incidents.models import PositionPrecision, Source, TimePrecision
    from trygg.incidents.services import start_import, write_incidents
    from trygg.incidents.taxonomy import Category
    from trygg.live.services import alerts

    bro = Municipality.objects.get(code="0139")
    police = Organisation.objects.get(municipality=bro, name__startswith="Polisen")
    alerts.ensure_rules(bro)
    source = Source.objects.create(
        municipality=bro,
        slug="polisen-logg",
        name="Polisen – anmälda brott",
        kind="partner_log",
        owner_organisation=police,
    )
    row = IncidentRow(
        row=1,
        source_ref="B-1",
        category=Category.WEAPONS,
        source_type="Skottlossning",
        occurred_at=timezone.now() - dt.timedelta(hours=5),
        occurred_precision=TimePrecision.EXACT,
        position_precision=PositionPrecision.STREET,
        lat=BRUNNA[0],
        lon=BRUNNA[1],
        description="Skottlossning utomhus. Ingen skadad.",
    )
    job = write_incidents(
        source, [row], make_job=lambda: start_import(bro, "incidents", file_name="t", label="t")
    ).job
    [made] = alerts.check_job(job.pk, bro.pk)
    return made


def test_the_coordinator_follows_up_a_serious_event_from_its_brief(page, site, alert, artifacts):
    log_in(page, site, "samordnare")
    page.goto(f"{site}/lagesbild/handelser/")
    assert violations(page) == []
    page.screenshot(path=str(artifacts / "live-events.png"), full_page=True)
    page.get_by_role("link", name="Öppna briefen").first.click()
    page.wait_for_url(f"{site}/lagesbild/handelser/{alert.pk}/")
    page.locator("[data-points-map][data-loaded]").wait_for()
    assert int(page.locator("[data-points-map]").get_attribute("data-loaded")) >= 2  # zone, event
    assert page.locator(".map-legend").inner_text().count("Riskzon") == 1
    assert violations(page) == []
    page.screenshot(path=str(artifacts / "live-brief.png"), full_page=True)

    page.get_by_role("button", name="Ta upp zonen som fokusplats på veckans möte").click()
    page.get_by_text("som fokusplats.").first.wait_for()
    page.get_by_label("Åtgärd", exact=True).select_option(label="Bovärdsrunda i zonen")
    page.get_by_label("Vem").select_option(label="Upplands-Brohus")
    page.get_by_role("button", name="Lägg till åtgärden").click()
    page.get_by_text("Åtgärd tillagd på mötet").wait_for()
    follow_up = page.locator("section", has=page.get_by_role("heading", name="Uppföljning"))
    assert "Fokusplats vecka" in follow_up.inner_text()
    assert "Bovärdsrunda i zonen" in follow_up.inner_text()
    assert violations(page) == []
    page.screenshot(path=str(artifacts / "live-brief-followed-up.png"), full_page=True)

    from django.utils import timezone

    from trygg.est.weeks import Week

    # On a phone nothing is wider than the screen (the tables scroll inside their frame).
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/lagesbild/handelser/", f"/lagesbild/handelser/{alert.pk}/", "/veckobild/"):
        page.goto(site + url)
        assert page.evaluate("document.documentElement.scrollWidth") == 390, url
    page.screenshot(path=str(artifacts / "live-brief-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{site}/veckobild/meeting/{Week.of(timezone.localdate())}/")
    assert "Bovärdsrunda i zonen" in page.content()
    assert "Skottlossning" in page.content()  # the focus place's reason
    assert page.js_errors == []

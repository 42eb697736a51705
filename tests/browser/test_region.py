"""A region in a real browser (#20): a county analyst logs in, lands on the region's
lägesbild — Upplands-Bro at the partners' level it shares, Järfälla (no data yet) at the
public level —, sees the hotspots across the border on the map, opens the comparison per
1 000 residents and downloads the regional document. Every page accessible (axe)."""

from __future__ import annotations

import pytest

from tests.browser.axe import violations


@pytest.fixture
def region_site(site_with_incidents):
    from django.contrib.auth import get_user_model

    from trygg.core.models import RegionMember
    from trygg.core.roles import RegionalRole
    from trygg.core.services.regions import add_person, create_region

    region = create_region("Lokalpolisområde Järfälla", "police_area", ["0123", "0139"])
    RegionMember.objects.filter(region=region, municipality__code="0139").update(
        shares_partner_data=True
    )
    user = get_user_model().objects.create_user("lansanalytiker", password="trygg-demo")
    add_person(region, user, RegionalRole.ANALYST)
    return site_with_incidents


def test_a_county_analyst_reads_the_region(region_site, page, artifacts):
    log_in_region(page, region_site)
    assert page.locator("h1").inner_text().startswith("Lägesbild: Lokalpolisområde Järfälla")
    rows = page.locator("#municipalities-heading ~ .table-wrap tbody tr")
    assert rows.count() == 2
    assert "partner" in rows.filter(has_text="Upplands-Bro").inner_text()
    assert "offentlig" in rows.filter(has_text="Järfälla").inner_text()
    page.wait_for_selector("#region-map[data-loaded]")
    assert int(page.get_attribute("#region-map", "data-loaded")) >= 1  # hotspot squares
    assert not violations(page), violations(page)
    page.screenshot(path=str(artifacts / "region-dashboard.png"), full_page=True)

    page.get_by_role("link", name="Jämförelse per 1 000 invånare").click()
    page.wait_for_selector("table caption")
    assert page.get_by_role("row", name="Riket").count() == 1
    assert not violations(page), violations(page)
    page.screenshot(path=str(artifacts / "region-comparison.png"), full_page=True)

    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="Regional lägesbild (PDF)").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    (artifacts / "region.pdf").write_bytes(pdf)
    assert not page.js_errors


def log_in_region(page, site):
    """A regional person's login lands on their region (no municipal membership)."""
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Användarnamn").fill("lansanalytiker")
    page.get_by_label("Lösenord").fill("trygg-demo")
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_selector("h1")

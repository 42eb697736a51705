"""The lägesbild dashboard in a real browser: filter, map, export — and accessible."""

import csv
import io
import re
from urllib.parse import parse_qs, urlparse

from tests.browser.axe import violations
from tests.browser.conftest import log_in


def test_coordinator_filters_the_situation_picture_and_exports(
    page, site_with_incidents, artifacts
):
    site = site_with_incidents
    log_in(page, site, "samordnare")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Lägesbild").click()
    page.get_by_role("heading", name="Lägesbild", level=1).wait_for()

    area_map = page.locator("[data-assessment-map]")
    page.locator("[data-assessment-map][data-loaded]").wait_for()
    assert int(area_map.get_attribute("data-loaded")) > 100  # incident points, clustered
    legend = area_map.locator(".map-legend").inner_text()
    assert "Händelser per område" in legend and "0 händelser" in legend  # what shades mean
    assert "het, 99 %" in legend  # the hotspot classes
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == 5  # areas
    assert page.locator(".marker-cluster").count() > 0
    total_before = int(page.locator(".kpi__value").first.inner_text().replace("\u202f", ""))
    assert total_before > 500
    assert violations(page) == []
    page.get_by_label("Hotspots (Gi*)").check()  # computed on demand
    page.locator("[data-assessment-map][data-analysis-loaded]").wait_for()
    assert int(area_map.get_attribute("data-analysis-loaded")) > 0
    page.screenshot(path=str(artifacts / "lagesbild.png"), full_page=True)

    page.get_by_text("Områden, kategorier och källor").click()
    page.get_by_label("Skadegörelse och klotter").check()
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url(re.compile(r"category=vandalism"))
    query = parse_qs(urlparse(page.url).query)
    assert query["category"] == ["vandalism"]
    total_after = int(page.locator(".kpi__value").first.inner_text().replace("\u202f", ""))
    assert 0 < total_after < total_before
    page.locator("[data-assessment-map][data-loaded]").wait_for()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as fh:
        text = fh.read()
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == total_after
    assert {r["category"] for r in records} == {"vandalism"}
    assert violations(page) == []

    page.get_by_role("link", name="Analys").click()
    page.get_by_role("heading", name="Analys", level=1).wait_for()
    page.locator("[data-analysis-map][data-loaded]").wait_for()
    assert "het, 99 %" in page.locator(".legend").inner_text()
    assert violations(page) == []
    page.screenshot(path=str(artifacts / "analys.png"), full_page=True)
    assert page.js_errors == []


def test_field_worker_reports_a_round_on_a_phone(browser, site_with_incidents):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="sv-SE"
    )
    page = context.new_page()
    log_in(page, site_with_incidents, "falt")
    page.goto(f"{site_with_incidents}/incidents/field-reports/new/")
    page.get_by_label("Datum").fill("2026-11-20")
    page.get_by_label("Område").select_option(label="Bro")
    page.get_by_label("Från").fill("18:00")
    page.get_by_label("Till").fill("22:00")
    page.get_by_label("13–15").fill("7")
    page.get_by_label("Samling av unga").check()
    assert violations(page) == []
    page.get_by_role("button", name="Skicka").click()
    page.get_by_text("Rundan är rapporterad").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_import_pages_are_accessible(page, site_with_incidents):
    log_in(page, site_with_incidents, "samordnare")
    page.goto(f"{site_with_incidents}/incidents/imports/")
    assert violations(page) == []
    page.get_by_role("link", name=re.compile(r"polisen-demo-\d\.json")).first.click()
    page.get_by_role("heading", name=re.compile("Import")).first.wait_for()
    assert violations(page) == []


def test_survey_page_shows_indices_and_is_accessible(page, site_with_incidents):
    log_in(page, site_with_incidents, "samordnare")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Trygghet", exact=True
    ).click()
    page.get_by_role("heading", name="Trygghet", level=1).wait_for()
    # The select submits itself once trygg.js (deferred) has run: wait for the page's load.
    page.wait_for_load_state("load")
    page.get_by_label("Undersökning").select_option("ntu")  # submits itself
    page.wait_for_url(re.compile(r"set=ntu"))
    assert page.get_by_role("row", name=re.compile("^Bro")).count() == 1
    assert violations(page) == []


def test_coordinator_generates_a_lagesbild_watches_progress_and_downloads(
    page, site_with_incidents, artifacts, monkeypatch
):
    from django.core.management import call_command

    log_in(page, site_with_incidents, "samordnare")
    page.goto(f"{site_with_incidents}/lagesbild/dokument/")
    page.get_by_role("heading", name="Lägesbildsdokument", level=1).wait_for()
    assert violations(page) == []
    page.get_by_label("Från").fill("2026-01-01")
    page.get_by_label("Till").fill("2026-06-30")
    page.get_by_label("Offentlig version").check()
    page.get_by_role("button", name="Ta fram").click()
    page.get_by_role("heading", name="Lägesbild, version 1").wait_for()
    assert page.locator("#document-progress").is_visible()
    assert violations(page) == []
    # The task worker picks the job up; the page follows its progress by itself.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page.get_by_role("link", name="Ladda ner PDF").wait_for(timeout=20_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert violations(page) == []

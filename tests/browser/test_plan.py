"""The action-plan chain in a real browser: a coordinator records a problem and its
cause, plans a measure with an indicator, marks progress, decides the plan, and the
measure shows on the public transparency page — every page accessible (axe)."""

import re

from tests.browser.axe import violations
from tests.browser.conftest import log_in


def test_problem_cause_measure_indicator_progress_public(page, site, artifacts):
    from trygg.plan.models import ActionPlan, Cause, Problem

    log_in(page, site, "samordnare")
    page.goto(f"{site}/plan/")
    page.wait_for_url(re.compile(r"/plan/new/$"))  # no plan yet: start one
    page.locator("#id_title").fill("Åtgärdsplan 2026–2027")
    page.locator("#id_period_start").fill("2026-01-01")
    page.locator("#id_period_end").fill("2027-12-31")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Åtgärdsplan 2026–2027").wait_for()
    assert violations(page) == []

    page.get_by_role("link", name="Problem och orsaker").click()
    page.locator("#id_title").fill("Skadegörelse i Bro centrum")
    page.get_by_role("button", name="Lägg till problemet").click()
    page.get_by_role("heading", name="Skadegörelse i Bro centrum").wait_for()
    page.locator("#id_cause-description").fill("Få vuxna ute kvällstid")
    page.get_by_role("button", name="Lägg till orsaken").click()
    page.get_by_text("Få vuxna ute kvällstid").wait_for()
    assert violations(page) == []

    # Another problem with a cause of its own: the new measure's cause picker offers only
    # the chosen problem's causes, and follows a change of problem.
    first = Problem.objects.get(title="Skadegörelse i Bro centrum")
    other = Problem.objects.create(
        municipality=first.municipality,
        owner_organisation=first.owner_organisation,
        sensitivity=first.sensitivity,
        title="Otrygg gångtunnel",
    )
    Cause.objects.create(problem=other, description="Trasig belysning")
    page.get_by_role("link", name="Ny åtgärd för det här problemet").click()
    offered = page.locator("#id_cause option:not([hidden])")
    # trygg.js (deferred) narrows the options once it has run: wait for that, not a guess.
    page.locator("#id_cause option[hidden]").first.wait_for(state="attached")
    assert offered.all_inner_texts() == ["Välj …", "Få vuxna ute kvällstid"]
    page.locator("#id_problem").select_option(label="Otrygg gångtunnel")
    assert offered.all_inner_texts() == ["Välj …", "Trasig belysning"]
    page.locator("#id_problem").select_option(label="Skadegörelse i Bro centrum")
    page.locator("#id_cause").select_option(label="Få vuxna ute kvällstid")
    page.locator("#id_title").fill("Fältverksamhet kvällar och helger")
    page.get_by_label(re.compile("^Operativt mål")).fill("Vuxennärvaro fyra kvällar i veckan")
    page.locator("#id_sensitivity").select_option("public")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Fältverksamhet kvällar och helger").wait_for()

    indicator = page.locator("form", has=page.get_by_role("heading", name="Ny indikator"))
    page.locator("#id_indicator-name").fill("Handläggningstid")
    page.locator("#id_indicator-kind").select_option("manual")
    page.locator("#id_indicator-baseline").fill("28")
    page.locator("#id_indicator-target").fill("14")
    indicator.get_by_role("button", name="Lägg till indikatorn").click()
    page.get_by_text("Indikatorn lades till.").wait_for()
    record = page.locator("form", has=page.get_by_role("button", name="Spara värdet"))
    page.locator("#id_measurement-period_start").fill("2026-01-01")
    page.locator("#id_measurement-period_end").fill("2026-06-30")
    page.locator("#id_measurement-value").fill("21")
    record.get_by_role("button", name="Spara värdet").click()
    page.get_by_text("Värdet sparades.").wait_for()
    assert page.locator("meter").first.get_attribute("value") == "50.0"
    status = page.locator("form", has=page.get_by_role("heading", name="Uppföljning: status"))
    page.locator("#id_status-status").select_option("yellow")
    status.get_by_role("button", name="Spara").click()
    page.get_by_text("Statusen uppdaterades.").wait_for()
    assert violations(page) == []
    page.screenshot(path=str(artifacts / "plan-measure.png"), full_page=True)

    page.goto(f"{site}/plan/")
    page.locator("#id_decided_by").fill("Kommunstyrelsen")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Markera som beslutad").click()
    page.get_by_text("Version 1 är beslutad och låst.").wait_for()
    assert ActionPlan.objects.get().versions.count() == 1

    public = page.context.browser.new_page()
    public.goto(f"{site}/atgardsplan/")
    public.get_by_role("heading", name="Fältverksamhet kvällar och helger").wait_for()
    public.get_by_text("Risk för avvikelse").first.wait_for()
    assert public.locator("meter").first.get_attribute("value") == "50.0"
    assert violations(public) == []
    public.screenshot(path=str(artifacts / "plan-public.png"), full_page=True)
    public.close()
    assert page.js_errors == []

"""The public transparency page suppresses small counts; partners-only measures stay
internal; the plan exports as XLSX and as a PDF that is not blank."""

import datetime as dt
import io
from io import StringIO

import pypdfium2
from django.core.management import call_command
from openpyxl import load_workbook

from trygg.core.models import Sensitivity
from trygg.plan import exports, services
from trygg.plan.models import Pledge, PledgeFollowUp
from trygg.plan.tests.conftest import make_indicator, make_measure


def test_suppress():
    # One rule for every public output (core.disclosure): every count below 5, zero too.
    assert [services.suppress(n) for n in (0, 1, 4, 5, 478, None)] == [
        "<5",
        "<5",
        "<5",
        "5",
        "478",
        "–",
    ]


def test_the_public_page_shows_the_decided_plan_with_small_counts_suppressed(pw, client):
    public = make_measure(pw, title="Fältverksamhet")
    make_indicator(public, name="Skadegörelse i Bro", baseline=3, target=2)
    services.record_manual(
        public.indicators.get(), pw.coordinator, dt.date(2026, 1, 1), dt.date(2026, 6, 30), 4
    )
    make_measure(pw, title="Intern samordning", sensitivity=Sensitivity.PARTNERS)
    pledge = Pledge.objects.create(
        municipality=pw.municipality, year=2026, title="Tryggare kvällar", problem="Otrygghet",
        police_promise="Mer närvaro", municipality_promise="Bättre belysning",
    )  # fmt: skip
    PledgeFollowUp.objects.create(pledge=pledge, half=1, status="green", public_text="Klart.")
    assert "Fältverksamhet" not in client.get("/atgardsplan/").content.decode()  # not decided
    services.decide(
        pw.plan, pw.coordinator, decided_by="Kommunstyrelsen", decided_on=dt.date(2026, 2, 1)
    )
    page = client.get("/atgardsplan/").content.decode()
    assert "Fältverksamhet" in page and "Intern samordning" not in page
    assert "Tryggare kvällar" in page and "Klart." in page
    # Incident-count indicator values below 5 are never shown as numbers; the target is
    # the plan's own figure, and so is the number of measures per status.
    assert "&lt;5" in page
    for n in ("utgångsvärde 3", "senast 4"):
        assert n not in page
    assert "målvärde 2" in page
    counts = page[page.index('<ul class="status-counts">') :]
    counts = counts[: counts.index("</ul>")]
    assert "&lt;5" not in counts and "</span> 1</li>" in counts
    assert page.count("2026–2027") <= 1 or "Åtgärdsplan 2026–2027, 2026–2027" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/atgardsplan/"})
    assert "the action plan" in client.get("/atgardsplan/").content.decode()


def test_xlsx_and_pdf_exports(pw, artifacts_dir, client):
    for k in range(3):
        m = make_measure(pw, title=f"Åtgärd {k + 1}", status=["green", "yellow", "red"][k])
        indicator = make_indicator(m, kind="manual")
        services.record_manual(
            indicator, pw.coordinator, dt.date(2026, 1, 1), dt.date(2026, 6, 30), 15 - k
        )
    workbook = load_workbook(io.BytesIO(exports.plan_xlsx(pw.plan)))
    sheet = workbook.worksheets[0]
    assert sheet["C1"].value == "Åtgärd" and sheet["C2"].value == "Åtgärd 1"
    assert sheet.max_row == 4
    pdf = exports.plan_pdf(pw.plan)
    document = pypdfium2.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    assert "Åtgärd 1" in text and "Operativt mål" in text and "Enligt plan" in text
    image = document[0].render(scale=1).to_pil().convert("L")
    image.save(artifacts_dir / "plan-page-1.png")
    lo, hi = image.getextrema()
    assert hi - lo > 100  # not blank
    assert len(image.getcolors(maxcolors=256) or []) > 10
    client.force_login(pw.police_member.user)
    assert client.get(f"/plan/{pw.plan.pk}/plan.pdf")["Content-Type"] == "application/pdf"
    assert client.get(f"/plan/{pw.plan.pk}/plan.xlsx").status_code == 200


def test_export_plan_command(pw, tmp_path):
    make_measure(pw)
    out = tmp_path / "plan.pdf"
    call_command(
        "export_plan",
        "--municipality",
        "0139",
        "--format",
        "pdf",
        "--out",
        str(out),
        stdout=StringIO(),
    )
    assert out.read_bytes().startswith(b"%PDF")
    out = tmp_path / "plan.xlsx"
    call_command(
        "export_plan",
        "--municipality",
        "0139",
        "--format",
        "xlsx",
        "--out",
        str(out),
        stdout=StringIO(),
    )
    assert load_workbook(out).worksheets[0].max_row == 2


def test_the_public_quarterly_series_counts_only_sources_covering_every_quarter(bro):
    from django.utils import timezone

    from trygg.assessment.tests.conftest import make_rows
    from trygg.core.models import Organisation
    from trygg.incidents.models import Source
    from trygg.incidents.services import write_incidents

    housing = Organisation.objects.get(municipality=bro, name="Upplands-Brohus")

    def public_source(slug, name):
        return Source.objects.create(
            municipality=bro, slug=slug, name=name, kind="partner_log",
            owner_organisation=housing, default_sensitivity=Sensitivity.PUBLIC,
        )  # fmt: skip

    today = timezone.localdate()
    old, new = public_source("old", "Felanmälan"), public_source("new", "Nytt flöde")
    two_years = today - dt.timedelta(days=3 * 365)
    weekly = [(f"o{i}", "vandalism", f"{today - dt.timedelta(days=7 * i)} 12:00", 59.51, 17.63)
              for i in range(150)]  # fmt: skip
    write_incidents(old, make_rows(weekly), covers=(two_years, today))
    recent = today - dt.timedelta(days=100)
    daily = [(f"n{i}", "fire", f"{recent + dt.timedelta(days=i)} 12:00", 59.51, 17.63)
             for i in range(90)]  # fmt: skip
    write_incidents(new, make_rows(daily), covers=(recent, today))
    data = exports._public_trend(bro)
    assert len(data["quarters"]) == 8
    counts = [q["count"] for q in data["quarters"]]
    assert all(c in ("12", "13", "14") for c in counts), counts  # one a week: no jump
    assert "Nytt flöde" in data["quarters_note"] and "Felanmälan" not in data["quarters_note"]


def _pdf_text(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    return [" ".join(page.split()) for page in pages]  # table cells wrap lines


def test_a_decided_version_exports_as_frozen_and_the_working_plan_as_a_draft(pw, client):
    first = make_measure(pw, title="Fältverksamhet kvällstid", goal="Närvaro fyra kvällar")
    make_indicator(first, name="Skadegörelse i Bro", baseline=40, target=30)
    services.decide(
        pw.plan, pw.coordinator, decided_by="Kommunstyrelsen", decided_on=dt.date(2026, 2, 1),
        minute_ref="KS § 23",
    )  # fmt: skip
    # After the decision: one measure changed, one added — the working plan, not version 1.
    first.goal = "Närvaro sju kvällar"
    first.save()
    make_measure(pw, title="Ny belysning i gångtunneln")
    version = pw.plan.versions.get(number=1)

    decided = _pdf_text(exports.plan_pdf(pw.plan, pw.coordinator, version=version))
    text = " ".join(decided)
    assert "Version 1, beslutad av Kommunstyrelsen" in text and "KS § 23" in text
    assert "Närvaro fyra kvällar" in text and "Närvaro sju kvällar" not in text
    assert "Ny belysning i gångtunneln" not in text
    assert "UTKAST" not in text.upper()

    draft = _pdf_text(exports.plan_pdf(pw.plan, pw.coordinator))
    assert all("UTKAST — EJ BESLUTAT" in page for page in draft), "every page says draft"
    text = " ".join(draft)
    assert "Närvaro sju kvällar" in text and "Ny belysning i gångtunneln" in text
    assert "beslutad av Kommunstyrelsen" not in text
    assert "ändringar sedan version 1" in text

    client.force_login(pw.police_member.user)
    response = client.get(f"/plan/{pw.plan.pk}/versions/1/plan.pdf")
    assert response.status_code == 200 and "version-1" in response["Content-Disposition"]
    assert "Närvaro fyra kvällar" in " ".join(_pdf_text(response.content))


def test_a_restricted_measure_stays_out_of_a_version_for_those_who_may_not_see_it(pw, client):
    make_measure(pw, title="Öppen åtgärd")
    make_measure(pw, title="Hemlig åtgärd", sensitivity=Sensitivity.RESTRICTED)
    version = services.decide(
        pw.plan, pw.coordinator, decided_by="KS", decided_on=dt.date(2026, 2, 1)
    )
    titles = [m["title"] for m in services.frozen_measures(version, pw.reader)]
    assert titles == ["Öppen åtgärd"]
    client.force_login(pw.reader.user)
    page = client.get(f"/plan/{pw.plan.pk}/versions/1/").content.decode()
    assert "Öppen åtgärd" in page and "Hemlig åtgärd" not in page


def test_the_public_page_shows_only_decided_measures(pw, client):
    make_measure(pw, title="Beslutad åtgärd")
    services.decide(pw.plan, pw.coordinator, decided_by="KS", decided_on=dt.date(2026, 2, 1))
    make_measure(pw, title="Tillagd efter beslutet")
    page = client.get("/atgardsplan/").content.decode()
    assert "Beslutad åtgärd" in page and "Tillagd efter beslutet" not in page


def test_no_progress_share_is_computed_from_a_suppressed_count(pw, client):
    measure = make_measure(pw, title="Lovaktiviteter")
    make_indicator(measure, kind="activities", name="Aktiviteter", baseline=2, target=8)
    services.decide(pw.plan, pw.coordinator, decided_by="KS", decided_on=dt.date(2026, 2, 1))
    data = exports.public_data(pw.municipality, pw.plan)
    indicator = data["rows"][0]["indicators"][0]
    assert indicator["baseline"] == "<5" and indicator["percent"] is None


def test_survey_questions_are_offered_under_the_surveys_name_not_its_key(pw):
    from trygg.plan.forms import IndicatorForm

    html = str(IndicatorForm(municipality=pw.municipality)["survey_question"])
    assert "polisen:" not in html.split('value="')[0] and ">polisen: " not in html
    assert '<optgroup label="Polisens' in html or "<optgroup label=" in html
    assert 'value="polisen:' in html  # the stored value keeps the key


def test_the_plan_pdf_groups_measures_under_their_problems(pw):
    from trygg.plan.models import Problem

    def problem(title):
        return Problem.objects.create(
            municipality=pw.municipality, owner_organisation=pw.fritid, title=title,
            sensitivity=Sensitivity.PUBLIC,
        )  # fmt: skip

    dark, young = problem("Mörka gångvägar"), problem("Unga i riskzonen")
    make_measure(pw, title="Ny belysning", problem=dark, order=1)
    make_measure(pw, title="Fältvandring", problem=young, order=2)
    make_measure(pw, title="Röjning av buskar", problem=dark, order=3)
    make_measure(pw, title="Informationsmöte", order=4)
    text = " ".join(_pdf_text(exports.plan_pdf(pw.plan)))
    order = [
        text.index(s)
        for s in (
            "Problem: Mörka gångvägar", "Ny belysning", "Röjning av buskar",
            "Problem: Unga i riskzonen", "Fältvandring",
            "Åtgärder som inte hör till ett problem", "Informationsmöte",
        )
    ]  # fmt: skip
    assert order == sorted(order)

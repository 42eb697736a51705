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
    # Incident-count indicator values below 5 are never shown as numbers.
    assert "&lt;5" in page
    for n in ("utgångsvärde 3", "målvärde 2", "senast 4"):
        assert n not in page
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

"""Formula injection: text a partner or a resident typed is never run as a formula when
an export is opened in a spreadsheet — every export, CSV and XLSX."""

import io

from openpyxl import load_workbook

from trygg.core.spreadsheets import safe_cell

PAYLOADS = ['=HYPERLINK("http://evil.example","klicka")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)", "\t=1+1"]  # fmt: skip


def test_the_rule():
    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload
    assert safe_cell(-5) == -5 and safe_cell("Krossad ruta") == "Krossad ruta"
    assert safe_cell(None) is None


def test_the_plan_export_neutralises_formulas(bro):
    import datetime as dt

    from trygg.core.models import Organisation
    from trygg.plan import exports
    from trygg.plan.models import ActionPlan, Measure

    plan = ActionPlan.objects.create(
        municipality=bro, title="Plan", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )  # fmt: skip
    Measure.objects.create(
        municipality=bro, plan=plan, title=PAYLOADS[0], goal=PAYLOADS[3],
        owner_organisation=Organisation.objects.filter(municipality=bro).first(),
        start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
    )  # fmt: skip
    sheet = load_workbook(io.BytesIO(exports.plan_xlsx(plan))).worksheets[0]
    values = [c.value for c in sheet[2]]
    assert "'" + PAYLOADS[0] in values and "'" + PAYLOADS[3] in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

"""Formula injection in the incident exports (CSV and XLSX): what a partner typed is
never run as a formula in a spreadsheet."""

import csv
import io

from openpyxl import load_workbook

from trygg.core.tests.test_spreadsheet_injection import PAYLOADS


def test_the_incident_exports_neutralise_formulas(bro, sources):
    from trygg.assessment import exports
    from trygg.assessment.tests.conftest import make_rows
    from trygg.incidents.models import Incident
    from trygg.incidents.services import write_incidents

    rows = make_rows([(f"r{k}", "vandalism", "2026-03-02 21:40", 59.5117, 17.6365)
                      for k in range(len(PAYLOADS))])  # fmt: skip
    for row, payload in zip(rows, PAYLOADS, strict=True):
        row.description = payload
        row.source_type = payload
    write_incidents(sources["housing"], rows)
    qs = Incident.objects.all()
    text = "".join(exports.csv_stream(qs)).lstrip("\ufeff")
    records = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["description"] for r in records) == sorted("'" + p for p in PAYLOADS)
    assert sorted(r["source_type"] for r in records) == sorted("'" + p for p in PAYLOADS)
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(qs))).worksheets[0]
    cells = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    for payload in PAYLOADS:
        assert payload not in cells and "'" + payload in cells
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

"""The table reader every importer shares: RFC 4180 quoting, the delimiter from the
header, a clear refusal for a workbook it cannot read."""

import io

import pytest
from openpyxl import Workbook

from trygg.core.importing import ImportRefused, read_table


def test_doubled_quotes_are_one_quote():
    data = 'ref;beskrivning\n1;"Skylt: ""Ingen genomfart"" nedriven; stolpe böjd"\n'.encode()
    header, rows = read_table(data, "log.csv")
    assert header == ["ref", "beskrivning"]
    assert rows == [["1", 'Skylt: "Ingen genomfart" nedriven; stolpe böjd']]


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_the_delimiter_comes_from_the_header(sep):
    data = f'ref{sep}"typ{sep} och mer"{sep}område\n1{sep}Brand{sep}Bro\n'.encode()
    header, rows = read_table(data, "log.csv")
    assert header == ["ref", f"typ{sep} och mer", "område"] and rows == [["1", "Brand", "Bro"]]


def test_a_workbook_without_sheets_or_cut_short_is_refused():
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.save(buffer)
    with pytest.raises(ImportRefused, match="not a readable XLSX"):
        read_table(buffer.getvalue()[:300], "cut.xlsx")

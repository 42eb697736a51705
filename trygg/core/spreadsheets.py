"""Cells for spreadsheets Trygg writes (CSV and XLSX exports): text that a spreadsheet
would run as a formula is neutralised — one rule for every export.

A value typed by a partner or a resident ("=HYPERLINK(...)", "+1+cmd|…", "@SUM(…)",
"-2+3") would otherwise run when a coordinator opens the export in Excel (CSV/formula
injection, OWASP). Text starting with = + - @, a tab or a carriage return gets a leading
apostrophe, which spreadsheets show as text and do not evaluate. Numbers, dates and empty
values are written as they are.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet cell that is never evaluated as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[object]) -> list[object]:
    return [safe_cell(v) for v in values]

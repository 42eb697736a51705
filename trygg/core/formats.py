"""Numbers, percentages, p-values and dates as a Swedish reader expects them — the one
place every page, chart, PDF and spreadsheet header formats a figure.

Swedish (the default): decimal comma, a narrow no-break space between thousands
("12 345"), a no-break space before the per cent sign ("41 %"), a real minus sign
("−3"), month names in lower case ("nov", "november"). English: "12,345", "41%",
"Nov". The language is the active one (``django.utils.translation``).
"""

from __future__ import annotations

import datetime as dt
import math

from django.utils import translation
from django.utils.dates import MONTHS, MONTHS_3

THIN = "\u202f"  # narrow no-break space: thousands, and between a number and its unit
NBSP = "\u00a0"
MINUS = "\u2212"


def _swedish() -> bool:
    return (translation.get_language() or "sv").split("-")[0] == "sv"


def number(value: float | int, decimals: int = 0, *, signed: bool = False) -> str:
    """``1234.5`` → "1 234,5" (Swedish) or "1,234.5" (English); ``signed`` adds "+"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    text = f"{abs(value):,.{decimals}f}"
    if _swedish():
        text = text.replace(",", THIN).replace(".", ",")
    rounded_zero = float(f"{abs(value):.{decimals}f}") == 0
    if value < 0 and not rounded_zero:
        return MINUS + text
    if signed and not rounded_zero:
        return "+" + text
    return text


def percent(value: float, decimals: int = 0, *, signed: bool = False) -> str:
    """``41.3`` (already in per cent) → "41 %" / "+41 %"; English "41%"."""
    text = number(value, decimals, signed=signed)
    if text == "–":
        return text
    return f"{text}{NBSP}%" if _swedish() else f"{text}%"


def share(fraction: float, decimals: int = 0) -> str:
    """``0.41`` → "41 %"."""
    return percent(100 * fraction, decimals)


def p_value(p: float) -> str:
    """ "p = 0,002" / "p < 0,001"."""
    if p < 0.001:
        return f"p < {number(0.001, 3)}"
    return f"p = {number(p, 3)}"


def month_name(month: int, *, short: bool = False) -> str:
    """The month's name as the language writes it: "nov" / "november" in Swedish (lower
    case), "Nov" / "November" in English."""
    name = str((MONTHS_3 if short else MONTHS)[month])
    return name.lower() if _swedish() else name.capitalize()


def month(day: dt.date, *, short: bool = True, year: bool = True) -> str:
    """ "nov 2026" / "november 2026"; English "Nov 2026"."""
    name = month_name(day.month, short=short)
    return f"{name} {day.year}" if year else name


def day_month(day: dt.date) -> str:
    """ "30 nov" / English "30 Nov"."""
    return f"{day.day} {month_name(day.month, short=True)}"


def date(day: dt.date) -> str:
    """ "30 nov 2026" / "30 Nov 2026"."""
    return f"{day.day} {month_name(day.month, short=True)} {day.year}"


def span(start: dt.date, end: dt.date) -> str:
    """ "1 aug – 30 nov 2026" (the year once when both ends share it)."""
    if start.year == end.year:
        return f"{day_month(start)} – {date(end)}"
    return f"{date(start)} – {date(end)}"


def figure(value: float | int | None, decimals: int = 1) -> str:
    """A measured value: whole numbers without decimals ("265"), others with up to
    ``decimals`` ("1,8")."""
    if value is None:
        return "–"
    return number(value, 0 if float(value).is_integer() else decimals)

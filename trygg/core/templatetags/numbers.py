"""Template filters for figures, Swedish-style (trygg.core.formats):
``{{ n|number }}`` "12 345", ``{{ x|number:1 }}`` "1,8", ``{{ d|signed }}`` "+3" / "−3",
``{{ p|percent }}`` "41 %", ``{{ day|fdate }}`` "3 nov 2026", ``{{ when|when:"j M H:i" }}``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django import template
from django.utils import dateformat

from trygg.core import formats

register = template.Library()


Figure = float | int | str | None


def _shown(value: Figure, render: Callable[[float], str]) -> str:
    """``render(value)``; a value already written as text (a suppressed "<5") as it is,
    nothing as "–"."""
    if value is None or isinstance(value, str):
        return value or "–"
    return render(value)


@register.filter
def number(value: Figure, decimals: int = 0) -> str:
    return _shown(value, lambda v: formats.number(v, int(decimals)))


@register.filter
def signed(value: Figure, decimals: int = 0) -> str:
    return _shown(value, lambda v: formats.number(v, int(decimals), signed=True))


@register.filter
def percent(value: Figure, decimals: int = 0) -> str:
    return _shown(value, lambda v: formats.percent(v, int(decimals)))


@register.filter
def percent_signed(value: Figure, decimals: int = 0) -> str:
    """ "+41 %" / "−3 %"."""
    return _shown(value, lambda v: formats.percent(v, int(decimals), signed=True))


@register.filter(name="fdate")
def fdate(value: dt.date | None) -> str:
    """ "30 nov 2026"."""
    return formats.date(value) if value else ""


@register.filter(expects_localtime=True)
def when(value: dt.date | dt.datetime | None, fmt: str = "j M Y") -> str:
    """Django's ``date`` filter, but "M" is the month as the language writes it ("30 nov
    2026", English "30 Nov 2026") — Django's own "M" capitalises the Swedish month."""
    if not value:
        return ""
    name = formats.month_name(value.month, short=True)
    literal = "".join("\\" + ch for ch in name)
    return dateformat.format(value, re.sub(r"(?<!\\)M", lambda _m: literal, fmt))


@register.filter(name="figure")
def figure_filter(value: Figure, decimals: int = 1) -> str:
    """A measured value: "265", "1,8" (whole numbers without decimals)."""
    return _shown(value, lambda v: formats.figure(v, int(decimals)))


@register.filter
def p_value(value: float | None) -> str:
    """ "p = 0,002" / "p < 0,001"."""
    return "–" if value is None else formats.p_value(value)


@register.filter(name="share")
def share_filter(value: float | None) -> str:
    """A fraction as a percentage: 0.41 → "41 %"."""
    return "–" if value is None else formats.share(value)

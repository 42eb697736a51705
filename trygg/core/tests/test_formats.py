"""Figures the Swedish way (and the English way when English is chosen)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from trygg.core import formats

THIN, NBSP, MINUS = formats.THIN, formats.NBSP, formats.MINUS


@pytest.fixture(autouse=True)
def swedish():
    with translation.override("sv"):
        yield


def test_numbers_have_a_decimal_comma_and_thin_thousands():
    assert formats.number(1234567) == f"1{THIN}234{THIN}567"
    assert formats.number(1.8, 1) == "1,8"
    assert formats.number(2.6, 1, signed=True) == "+2,6"
    assert formats.number(-2.6, 1) == f"{MINUS}2,6"
    assert formats.number(-0.04, 1) == "0,0"  # no "−0,0"
    assert formats.number(0, signed=True) == "0"
    assert formats.number(float("nan")) == "–"


def test_percentages_and_p_values():
    assert formats.percent(41.3) == f"41{NBSP}%"
    assert formats.percent(73.2, signed=True) == f"+73{NBSP}%"
    assert formats.percent(-86, signed=True) == f"{MINUS}86{NBSP}%"
    assert formats.share(0.41) == f"41{NBSP}%"
    assert formats.p_value(0.0021) == "p = 0,002"
    assert formats.p_value(0.0004) == "p < 0,001"


def test_month_names_are_swedish_and_lower_case():
    day = dt.date(2026, 11, 30)
    assert formats.day_month(day) == "30 nov"
    assert formats.month(dt.date(2026, 5, 1)) == "maj 2026"
    assert formats.month(dt.date(2026, 10, 1), short=False) == "oktober 2026"
    assert formats.date(day) == "30 nov 2026"
    assert formats.span(dt.date(2026, 8, 3), day) == "3 aug – 30 nov 2026"
    assert formats.span(dt.date(2025, 12, 1), day) == "1 dec 2025 – 30 nov 2026"


def test_english_when_english_is_chosen():
    with translation.override("en"):
        assert formats.number(1234.5, 1) == "1,234.5"
        assert formats.percent(41) == "41%"
        assert formats.day_month(dt.date(2026, 11, 30)) == "30 Nov"


def test_template_filters():
    html = Template(
        "{% load numbers %}{{ n|number }} {{ x|number:1 }} {{ d|signed }} {{ p|percent }}"
        " {{ day|fdate }}"
    ).render(Context({"n": 12345, "x": 1.25, "d": -3, "p": 41, "day": dt.date(2026, 5, 4)}))
    assert html == f"12{THIN}345 1,2 {MINUS}3 41{NBSP}% 4 maj 2026"

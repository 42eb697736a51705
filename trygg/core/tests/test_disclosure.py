"""The public small-count rule is one function: changing the setting changes every
public output that uses it."""

import datetime as dt

from trygg.core import disclosure
from trygg.plan import services as plan_services


def test_counts_below_the_threshold_are_suppressed():
    assert [disclosure.shown(n) for n in (0, 1, 4, 5, 12)] == ["<5", "<5", "<5", 5, 12]
    assert disclosure.shown(3, public=False) == 3


def test_the_setting_moves_every_output(settings):
    settings.TRYGG = {**settings.TRYGG, "PUBLIC_MIN_COUNT": 10}
    assert disclosure.shown(7) == "<10" and disclosure.shown(10) == 10
    assert plan_services.suppress(7) == "<10"
    from trygg.assessment.document import _n, _reading_cells

    assert _n(9, True) == "<10" and _n(9, False) == "9"
    assert _reading_cells(12, 9, public=True) == ["–", ""]  # a change from a suppressed count
    assert _reading_cells(20, 10, public=True)[0] == "+100\u00a0%"


def test_the_public_lagesbild_sections_read_public_records_only(bro):
    from trygg.assessment.sections import SectionRequest

    request = SectionRequest(bro, dt.date(2026, 1, 1), dt.date(2026, 1, 31), public=True)
    assert request.reader.public_only
    assert not SectionRequest(bro, request.date_from, request.date_to, False).reader.public_only


def test_parts_that_add_up_get_secondary_suppression():
    # One small count beside a total: the next smallest is hidden too.
    assert disclosure.parts([12, 3, 6]) == ["12", "<5", "<5"]
    assert disclosure.parts([12, 3, 2]) == ["12", "<5", "<5"]
    assert disclosure.parts([12, 7, 6]) == ["12", "7", "6"]
    assert disclosure.parts([3, 6], public=False) == ["3", "6"]

"""Survey indices against hand-worked values."""

import math

import pytest

from trygg.analysis.surveys import mean_change_p, mean_estimate, share_change_p, share_estimate


def test_mean_and_t_interval_by_hand():
    # values 0, 2, 2, 4, 6: mean 2.8, s² = (7.84+0.64+0.64+1.44+10.24)/4 = 5.2
    e = mean_estimate([0, 2, 2, 4, 6])
    assert e.value == pytest.approx(2.8)
    assert e.sd == pytest.approx(math.sqrt(5.2))
    half = 2.7764451051977987 * math.sqrt(5.2) / math.sqrt(5)  # t(0.975, 4)
    assert (e.ci_low, e.ci_high) == (pytest.approx(2.8 - half), pytest.approx(2.8 + half))


def test_wilson_interval_by_hand():
    # 30 of 100: centre = (0.3 + 1.96²/200)/(1 + 1.96²/100), the classic 0.219–0.396
    e = share_estimate(30, 100)
    assert e.value == 0.3
    assert e.ci_low == pytest.approx(0.2189, abs=1e-4)
    assert e.ci_high == pytest.approx(0.3958, abs=1e-4)
    zero = share_estimate(0, 40)
    assert zero.ci_low == pytest.approx(0.0, abs=1e-12) and zero.ci_high > 0


def test_changes():
    a = share_estimate(150, 500)
    b = share_estimate(110, 500)
    assert share_change_p(a, b) < 0.01
    same = share_estimate(150, 500)
    assert share_change_p(a, same) == pytest.approx(1.0)
    m1 = mean_estimate([2, 3, 2, 3, 2, 3, 2, 3] * 10)
    m2 = mean_estimate([1, 2, 1, 2, 1, 2, 1, 2] * 10)
    assert mean_change_p(m1, m2) < 0.001
    assert mean_change_p(m1, m1) == pytest.approx(1.0)


def test_bad_input():
    with pytest.raises(ValueError):
        share_estimate(5, 0)
    with pytest.raises(ValueError):
        mean_estimate([])

import numpy as np
import pytest

from trygg.analysis.evaluation import (
    difference_in_differences,
    predictive_accuracy,
    weighted_displacement_quotient,
)


def test_wdq_hand_worked_example():
    # Target 100 → 60, buffer 80 → 70, control 200 → 200 (no change in the control area).
    r = weighted_displacement_quotient(Ra=60, Rb=100, Da=70, Db=80, Ca=200, Cb=200)
    assert r.success_measure == pytest.approx(60 / 200 - 100 / 200)  # −0.2
    assert r.buffer_measure == pytest.approx(70 / 200 - 80 / 200)  # −0.05
    assert r.wdq == pytest.approx(0.25)
    assert r.total_net_effect == pytest.approx((100 - 60) + (80 - 70))  # 50 prevented
    assert r.interpretation.startswith("diffusion of benefits")


def test_wdq_displacement_and_no_success():
    displaced = weighted_displacement_quotient(Ra=60, Rb=100, Da=100, Db=80, Ca=200, Cb=200)
    assert displaced.wdq == pytest.approx(-0.5)
    assert displaced.interpretation.startswith("some displacement")
    worse = weighted_displacement_quotient(Ra=90, Rb=100, Da=120, Db=80, Ca=200, Cb=200)
    assert worse.wdq == pytest.approx(-4.0)
    assert worse.interpretation.startswith("displacement larger")
    none = weighted_displacement_quotient(Ra=110, Rb=100, Da=80, Db=80, Ca=200, Cb=200)
    assert none.wdq is None


def test_did_recovers_a_planted_effect():
    rng = np.random.default_rng(0)
    weeks = 52
    target_before = rng.poisson(20, weeks)
    target_after = rng.poisson(20 * 0.7 * 1.1, weeks)  # measure −30 %, general trend +10 %
    comparison_before = rng.poisson(30, weeks)
    comparison_after = rng.poisson(30 * 1.1, weeks)
    r = difference_in_differences(target_before, target_after, comparison_before, comparison_after)
    assert r.ci_low < 0.7 < r.ci_high
    assert r.ci_high < 1
    assert r.p < 0.001
    assert r.percent_change == pytest.approx(-30, abs=8)


def test_did_equals_the_ratio_of_ratios_and_its_poisson_interval():
    r = difference_in_differences([50], [40], [100], [100])
    assert r.rate_ratio == pytest.approx(0.8)
    se = np.sqrt(1 / 50 + 1 / 40 + 1 / 100 + 1 / 100)
    assert r.ci_low == pytest.approx(0.8 * np.exp(-1.959964 * se), rel=1e-5)


def test_did_widens_for_overdispersed_counts():
    calm = difference_in_differences(
        [10, 10, 10, 10], [8, 8, 8, 8], [10, 10, 10, 10], [10, 10, 10, 10]
    )
    wild = difference_in_differences(
        [0, 20, 2, 18], [0, 16, 1, 15], [10, 10, 10, 10], [10, 10, 10, 10]
    )
    assert wild.dispersion > 1
    assert (wild.ci_high - wild.ci_low) > (calm.ci_high - calm.ci_low)


def test_did_refuses_empty_groups():
    with pytest.raises(ValueError):
        difference_in_differences([0, 0], [1], [1], [1])


def test_predictive_accuracy_index():
    surface = np.zeros((10, 10))
    surface[0, :5] = [5, 4, 3, 2, 1]  # the 5 top cells (5 % of 100)
    later = np.zeros((10, 10))
    later[0, 0] = 6
    later[0, 1] = 2
    later[9, 9] = 2
    r = predictive_accuracy(surface, later, coverage=0.05)
    assert r.cells == 5
    assert r.hit_rate == pytest.approx(0.8)
    assert r.pai == pytest.approx(0.8 / 0.05)

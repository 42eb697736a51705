import numpy as np
import pytest

from trygg.analysis.emerging import _pattern, emerging_hotspots
from trygg.analysis.kde import default_bandwidth, density, quartic_kernel
from trygg.analysis.trends import exceedance_alerts, rate_change, seasonal_baseline


def test_quartic_kernel_integrates_to_one():
    cell = 10.0
    kernel = quartic_kernel(300.0, cell)
    assert kernel.sum() * cell * cell == pytest.approx(1.0, rel=0.01)


def test_density_of_one_event_peaks_at_it_and_sums_to_one():
    counts = np.zeros((61, 61))
    counts[30, 30] = 1
    surface = density(counts, cell=25.0, bandwidth=400.0)
    assert np.unravel_index(surface.argmax(), surface.shape) == (30, 30)
    assert surface.sum() * 25 * 25 == pytest.approx(1.0, rel=0.01)


def test_default_bandwidth_rule():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1000, 500), rng.normal(0, 1000, 500)
    h = default_bandwidth(x, y, cell=100)
    assert h == pytest.approx(1000 * 500 ** (-1 / 6), rel=0.1)
    assert default_bandwidth([0, 1], [0, 1], cell=250) == 500  # at least two cells


def test_rate_change_exact_test():
    up = rate_change(count=60, exposure=28, baseline_count=90, baseline_exposure=84)
    assert up.rate_ratio == pytest.approx(2.0)
    assert up.p < 0.001 and up.significant_increase
    assert up.ci_low < 2.0 < up.ci_high
    same = rate_change(count=30, exposure=28, baseline_count=90, baseline_exposure=84)
    assert same.p > 0.5 and not same.significant_increase and not same.significant_decrease


def test_seasonal_baseline_and_alerts():
    weeks = np.tile(np.array([5.0, 5.0, 20.0, 5.0]), 4)  # a seasonal peak in week 3
    base = seasonal_baseline(weeks, period=4, years=3)
    assert base.tolist() == [5, 5, 20, 5]
    observed = np.array([5, 14, 21, 6])
    alerts = exceedance_alerts(observed, base, alpha=0.01)
    assert [a.index for a in alerts] == [1]  # 14 where 5 was usual; 21 in the peak week is not
    with pytest.raises(ValueError):
        seasonal_baseline(weeks[:5], period=4, years=3)
    # One event where none was usual is improbable but no alarm.
    assert exceedance_alerts(np.array([1, 3]), np.array([0.0, 0.0])) == exceedance_alerts(
        np.array([0, 3]), np.array([0.0, 0.0])
    )
    assert [a.index for a in exceedance_alerts(np.array([1, 3]), np.array([0.0, 0.0]))] == [1]


@pytest.mark.parametrize(
    ("hot", "cold", "expected"),
    [
        ([0, 0, 0, 0, 1], [0, 0, 0, 0, 0], "new"),
        ([0, 0, 1, 1, 1], [0, 0, 0, 0, 0], "consecutive"),
        ([1] * 10, [0] * 10, "persistent"),
        ([1, 0, 1, 0, 1], [0, 0, 0, 0, 0], "sporadic"),
        ([1, 0, 0, 1, 1], [0, 1, 0, 0, 0], "oscillating"),
        ([1] * 10 + [0], [0] * 11, "historical"),
        ([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], ""),
    ],
)
def test_pattern_rules(hot, cold, expected):
    hot, cold = np.array(hot, dtype=bool), np.array(cold, dtype=bool)
    assert _pattern(hot, cold, np.where(hot, 3.0, 0.0)) == expected


def test_intensifying_and_diminishing_follow_the_trend_of_z():
    hot = np.ones(12, dtype=bool)
    assert _pattern(hot, ~hot, np.linspace(2, 8, 12)) == "intensifying"
    assert _pattern(hot, ~hot, np.linspace(8, 2, 12)) == "diminishing"


def test_emerging_hotspots_finds_a_new_hotspot():
    rng = np.random.default_rng(4)
    cube = rng.poisson(2, (8, 20, 20)).astype(float)
    cube[-1, 5:7, 5:7] += 25  # appears in the last slice only
    patterns, signs = emerging_hotspots(cube)
    assert patterns[5, 5] == "new"
    assert signs[5, 5] == 1

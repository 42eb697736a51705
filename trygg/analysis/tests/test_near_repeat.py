"""The Knox test: exact pair counts, a planted near-repeat pattern, Poisson data, and
invariants (hypothesis)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trygg.analysis.near_repeat import knox


def brute_force_counts(x, y, t, s_bounds, t_bounds):
    table = np.zeros((len(s_bounds) + 1, len(t_bounds) + 1), dtype=int)
    for a, b in itertools.combinations(range(len(x)), 2):
        d = np.hypot(x[a] - x[b], y[a] - y[b])
        dt = abs(t[a] - t[b])
        table[np.searchsorted(s_bounds, d), np.searchsorted(t_bounds, dt)] += 1
    return table


def test_observed_counts_equal_a_brute_force_count():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1000, 60), rng.uniform(0, 1000, 60)
    t = rng.integers(0, 100, 60).astype(float)
    s_bounds, t_bounds = [0, 100, 200, 400], [7, 14, 28]
    result = knox(x, y, t, s_bounds, t_bounds, permutations=9)
    np.testing.assert_array_equal(result.observed, brute_force_counts(x, y, t, s_bounds, t_bounds))
    assert result.observed.sum() == 60 * 59 // 2
    assert np.allclose(result.expected.sum(), 60 * 59 // 2)


def planted(rng, n_seeds=150, area=5000.0, days=365.0):
    """Burglaries where each first event is followed by repeats within 100 m and 7 days."""
    xs, ys, ts = [], [], []
    for _ in range(n_seeds):
        x0, y0, t0 = rng.uniform(0, area), rng.uniform(0, area), rng.uniform(0, days)
        xs.append(x0)
        ys.append(y0)
        ts.append(t0)
        for _ in range(rng.poisson(1.5)):
            xs.append(x0 + rng.normal(0, 40))
            ys.append(y0 + rng.normal(0, 40))
            ts.append(t0 + rng.uniform(0, 7))
    return np.array(xs), np.array(ys), np.array(ts)


def test_detects_a_planted_near_repeat_pattern():
    x, y, t = planted(np.random.default_rng(1))
    result = knox(x, y, t, [100, 200, 400], [7, 14, 28], permutations=99, seed=1)
    assert result.ratio[0, 0] > 3
    assert result.p[0, 0] == pytest.approx(0.01)
    assert result.significant()[0, 0]
    risk = result.heightened_risk()
    assert risk is not None
    # Repeats lie ~40 m from their first event, so two repeats can be up to ~150 m apart.
    assert risk.distance_m in (100, 200) and risk.days == 7


def test_pure_poisson_data_is_significant_at_about_the_nominal_rate():
    rng = np.random.default_rng(2)
    hits = cells = 0
    for seed in range(12):
        n = 300
        x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
        t = rng.uniform(0, 365, n)
        result = knox(x, y, t, [100, 200, 400], [7, 14, 28], permutations=99, seed=seed)
        p = result.p[:-1, :-1]
        hits += int((p <= 0.05).sum())
        cells += p.size
    assert hits / cells < 0.15  # nominal 5 %; generous for 108 correlated cells


@settings(max_examples=25, deadline=None)
@given(
    dx=st.floats(-1e6, 1e6),
    dy=st.floats(-1e6, 1e6),
    dt=st.floats(-1e4, 1e4),
    seed=st.integers(0, 2**16),
)
def test_translating_everything_leaves_the_counts_unchanged(dx, dy, dt, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.integers(0, 2000, 80).astype(float), rng.integers(0, 2000, 80).astype(float)
    t = rng.integers(0, 200, 80).astype(float)
    a = knox(x, y, t, [100, 300], [7, 30], permutations=5, seed=3)
    b = knox(
        x + round(dx), y + round(dy), t + round(dt), [100, 300], [7, 30], permutations=5, seed=3
    )
    np.testing.assert_array_equal(a.observed, b.observed)
    np.testing.assert_array_equal(a.p, b.p)


def test_same_location_band():
    x = np.array([0.0, 0.0, 50.0, 500.0])
    y = np.zeros(4)
    t = np.array([0.0, 1.0, 2.0, 3.0])
    result = knox(x, y, t, [0, 100], [7], permutations=3)
    assert result.observed[0].sum() == 1  # the two events at the same place
    assert result.observed[1].sum() == 2  # 50 m apart from each of them


@pytest.mark.parametrize(
    "kwargs",
    [
        {"space_bands": [100, 50], "time_bands": [7]},
        {"space_bands": [], "time_bands": [7]},
        {"space_bands": [100], "time_bands": [-1]},
        {"space_bands": [100], "time_bands": [7], "permutations": 0},
    ],
)
def test_rejects_bad_bands(kwargs):
    with pytest.raises(ValueError):
        knox([0.0, 1.0], [0.0, 1.0], [0.0, 1.0], **kwargs)


def test_window_check_compares_the_window_with_the_zones_own_rate():
    from scipy.stats import poisson

    from trygg.analysis.near_repeat import window_check

    # 3 events in the year before; a 14-day window: 3/365*14 ≈ 0.115 expected.
    check = window_check(
        observed=2, baseline_events=3, baseline_days=365, window_days=14, ratio=2.5
    )
    assert check.expected_base == pytest.approx(3 / 365 * 14)
    assert check.expected_raised == pytest.approx(2.5 * 3 / 365 * 14)
    assert check.p_base == pytest.approx(poisson.sf(1, 3 / 365 * 14))
    assert check.p_base < 0.01
    # A quiet zone keeps a finite expectation (half an event a year); nothing seen: p = 1.
    quiet = window_check(
        observed=0, baseline_events=0, baseline_days=365, window_days=14, ratio=1.0
    )
    assert quiet.expected_base == pytest.approx(0.5 / 365 * 14) and quiet.p_base == 1.0
    with pytest.raises(ValueError):
        window_check(observed=1, baseline_events=1, baseline_days=0, window_days=14, ratio=1)

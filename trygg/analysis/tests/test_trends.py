"""Mann–Kendall against pymannkendall.original_test (the oracle)."""

import numpy as np
import pymannkendall
import pytest

from trygg.analysis.trends import mann_kendall


@pytest.mark.parametrize(
    "series",
    [
        np.arange(20) + np.random.default_rng(0).normal(0, 2, 20),
        np.random.default_rng(1).poisson(5, 52).astype(float),
        np.array([3, 3, 3, 4, 4, 2, 2, 5, 5, 5, 6, 6], dtype=float),  # ties
        -np.arange(30, dtype=float) + np.random.default_rng(2).normal(0, 5, 30),
        np.array([1.0, np.nan, 3.0, 2.0, np.nan, 5.0, 6.0, 4.0, 8.0]),  # gaps
        np.array([2.0, 2.0, 2.0, 2.0]),  # no change at all
    ],
)
def test_matches_pymannkendall(series):
    ours = mann_kendall(series)
    theirs = pymannkendall.original_test(series)
    assert ours.trend == theirs.trend
    assert ours.h == bool(theirs.h)
    for field in ("p", "z", "Tau", "s", "var_s", "slope", "intercept"):
        assert getattr(ours, field) == pytest.approx(getattr(theirs, field), abs=1e-12), field


def test_detects_a_rising_series():
    result = mann_kendall([2, 3, 3, 5, 6, 6, 8, 9, 12, 11, 14, 15])
    assert result.trend == "increasing"
    assert result.p < 0.001
    assert result.slope > 0


def test_needs_two_values():
    with pytest.raises(ValueError):
        mann_kendall([1.0])

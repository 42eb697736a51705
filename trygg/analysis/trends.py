"""Trend tests for a series of counts (per week, month, year).

Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13; Kendall, M. G.
(1975). Rank Correlation Methods; Gilbert, R. O. (1987). Statistical Methods for
Environmental Pollution Monitoring; Sen, P. K. (1968). Estimates of the regression
coefficient based on Kendall's tau. JASA 63.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class MannKendallResult:
    trend: str  # "increasing", "decreasing" or "no trend"
    h: bool  # is there a trend at ``alpha``
    p: float  # two-sided p-value
    z: float
    Tau: float
    s: float
    var_s: float
    slope: float  # Sen's slope, per step
    intercept: float  # of the Kendall–Theil line (Conover 1980)


def mann_kendall(x, alpha: float = 0.05) -> MannKendallResult:
    """The original Mann–Kendall test with tie correction and continuity correction, as
    ``pymannkendall.original_test``. NaN values are dropped."""
    x = np.asarray(x, dtype=float).ravel()
    positions = np.arange(x.size, dtype=float)
    keep = ~np.isnan(x)
    x, positions = x[keep], positions[keep]
    n = x.size
    if n < 2:
        raise ValueError("Mann–Kendall needs at least two values")
    i, j = np.triu_indices(n, k=1)
    s = float(np.sign(x[j] - x[i]).sum())
    _, ties = np.unique(x, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(ties * (ties - 1) * (2 * ties + 5))) / 18
    if s > 0:
        z = (s - 1) / np.sqrt(var_s)
    elif s < 0:
        z = (s + 1) / np.sqrt(var_s)
    else:
        z = 0.0
    p = float(2 * (1 - stats.norm.cdf(abs(z))))
    h = bool(abs(z) > stats.norm.ppf(1 - alpha / 2))
    trend = "increasing" if h and z > 0 else "decreasing" if h and z < 0 else "no trend"
    # Sen's slope over the original time positions (gaps from NaN kept).
    slopes = (x[j] - x[i]) / (positions[j] - positions[i])
    slope = float(np.median(slopes))
    intercept = float(np.median(x) - np.median(positions) * slope)
    tau = s / (0.5 * n * (n - 1))
    return MannKendallResult(trend, h, p, float(z), float(tau), s, float(var_s), slope, intercept)

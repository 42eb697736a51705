"""Trend tests for a series of counts (per week, month, year).

Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13; Kendall, M. G.
(1975). Rank Correlation Methods; Gilbert, R. O. (1987). Statistical Methods for
Environmental Pollution Monitoring; Sen, P. K. (1968). Estimates of the regression
coefficient based on Kendall's tau. JASA 63.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
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


def mann_kendall(x: npt.ArrayLike, alpha: float = 0.05) -> MannKendallResult:
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


@dataclass(frozen=True)
class RateChange:
    """This period against a baseline: counts, exposures (e.g. days), the rate ratio and
    an exact two-sided p-value (conditional binomial test of two Poisson rates)."""

    count: int
    baseline_count: int
    exposure: float
    baseline_exposure: float
    rate_ratio: float
    p: float
    ci_low: float
    ci_high: float

    @property
    def significant_increase(self) -> bool:
        return self.rate_ratio > 1 and self.p < 0.05

    @property
    def significant_decrease(self) -> bool:
        return self.rate_ratio < 1 and self.p < 0.05


def rate_change(
    count: int, exposure: float, baseline_count: int, baseline_exposure: float
) -> RateChange:
    """Is the rate in this period different from the baseline's? Given both totals, the
    current count is Binomial(total, e/(e+e0)) under no change — an exact test (Przyborowski
    & Wilenski 1940). The rate ratio's 95 % interval comes from the Clopper–Pearson interval
    of that proportion."""
    if exposure <= 0 or baseline_exposure <= 0:
        raise ValueError("exposures must be > 0")
    total = int(count) + int(baseline_count)
    share = exposure / (exposure + baseline_exposure)
    odds = baseline_exposure / exposure
    if total == 0:
        return RateChange(0, 0, exposure, baseline_exposure, float("nan"), 1.0, 0.0, float("inf"))
    test = stats.binomtest(int(count), total, share)
    ci = test.proportion_ci(confidence_level=0.95, method="exact")

    def ratio(p_hat: float) -> float:
        return float("inf") if p_hat >= 1 else p_hat / (1 - p_hat) * odds

    rr = (
        (count / exposure) / (baseline_count / baseline_exposure)
        if baseline_count
        else float("inf")
    )
    return RateChange(
        int(count),
        int(baseline_count),
        exposure,
        baseline_exposure,
        float(rr),
        float(test.pvalue),
        ratio(ci.low),
        ratio(ci.high),
    )


def seasonal_baseline(series: npt.ArrayLike, period: int, years: int) -> np.ndarray:
    """For each of the last ``period`` values (e.g. the last 52 weeks), the mean of the same
    position in the ``years`` periods before — a baseline that knows the season."""
    x = np.asarray(series, dtype=float)
    if x.size < period * (years + 1):
        raise ValueError("the series is shorter than the seasonal baseline needs")
    past = np.stack(
        [x[x.size - period * (k + 1) : x.size - period * k] for k in range(1, years + 1)]
    )
    return np.asarray(past.mean(axis=0), dtype=float)


@dataclass(frozen=True)
class ExceedanceAlert:
    index: int  # position in the series (e.g. week)
    observed: int
    expected: float
    p: float  # P(X ≥ observed) under Poisson(expected)


def exceedance_alerts(
    observed: npt.ArrayLike, expected: npt.ArrayLike, alpha: float = 0.01, min_count: int = 3
) -> list[ExceedanceAlert]:
    """Weeks with unusually many events: observed at or above the Poisson upper control
    limit, i.e. P(X ≥ observed | expected) < alpha (one-sided: only increases alert), and
    at least ``min_count`` events (one event where none was usual is no alarm)."""
    observed = np.asarray(observed, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if observed.shape != expected.shape:
        raise ValueError("observed and expected must have the same shape")
    p = stats.poisson.sf(observed - 1, np.maximum(expected, 1e-9))
    return [
        ExceedanceAlert(int(i), int(observed[i]), float(expected[i]), float(p[i]))
        for i in np.flatnonzero((p < alpha) & (observed >= min_count))
    ]


# The fewest events (both periods together) for which a change is worth a figure: below
# this, a percentage says more about chance than about the place.
MIN_EVENTS_FOR_CHANGE = 10


@dataclass(frozen=True)
class ChangeReading:
    """What a change between two periods means — the one reading every headline,
    summary sentence and analysis section of a change is written from.

    ``kind``: "too_few" (fewer than ``MIN_EVENTS_FOR_CHANGE`` events: no percentage),
    "increase" / "decrease" (statistically distinguishable at 5 %), "no_change" (within
    chance: the percentage may be shown, never as a finding)."""

    kind: str
    percent: float | None  # change in the rate (per exposure), in per cent
    test: RateChange | None

    @property
    def significant(self) -> bool:
        return self.kind in ("increase", "decrease")

    @property
    def direction(self) -> int:
        """+1 / −1 / 0: the sign of a statistically distinguishable change, else 0."""
        return {"increase": 1, "decrease": -1}.get(self.kind, 0)


def read_change(
    count: int,
    baseline_count: float,
    exposure: float = 1.0,
    baseline_exposure: float = 1.0,
    min_events: int = MIN_EVENTS_FOR_CHANGE,
) -> ChangeReading:
    """Read this period's ``count`` against a baseline (``baseline_count`` over
    ``baseline_exposure``, e.g. three years of the same weeks): the exact Poisson rate test
    decides whether the change is distinguishable from chance."""
    if count + baseline_count < min_events:
        return ChangeReading("too_few", None, None)
    test = rate_change(int(count), exposure, round(baseline_count), baseline_exposure)
    # From none there is no percentage, but still a test.
    percent = 100 * (test.rate_ratio - 1) if baseline_count > 0 else None
    if test.significant_increase:
        kind = "increase"
    elif test.significant_decrease:
        kind = "decrease"
    else:
        kind = "no_change"
    return ChangeReading(kind, None if percent is None else float(percent), test)

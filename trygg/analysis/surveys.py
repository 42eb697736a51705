"""Survey statistics from summary numbers: indices with 95 % confidence intervals and the
test of change between two survey rounds.

* means (e.g. the police's problem index, 0–6): mean ± t(0.975, n−1) · s/√n; change by
  Welch's t-test;
* shares (e.g. the share feeling unsafe): Wilson's score interval (Wilson, E. B. (1927).
  JASA 22); change by the two-proportion z-test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

MIN_N = 30  # cells with fewer respondents are not shown (docs/privacy.md §3)


@dataclass(frozen=True)
class Estimate:
    value: float
    n: int
    sd: float | None
    ci_low: float
    ci_high: float


def mean_estimate(values: npt.ArrayLike) -> Estimate:
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        raise ValueError("no answers")
    mean = float(x.mean())
    if n == 1:
        return Estimate(mean, 1, None, float("nan"), float("nan"))
    sd = float(x.std(ddof=1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return Estimate(mean, n, sd, mean - half, mean + half)


def share_estimate(successes: int, n: int) -> Estimate:
    """Share (0–1) with Wilson's 95 % interval."""
    if n <= 0:
        raise ValueError("no answers")
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z = stats.norm.ppf(0.975)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Estimate(p, n, None, centre - half, centre + half)


def mean_change_p(a: Estimate, b: Estimate) -> float:
    """Welch's t-test of two means from their summaries (two-sided p)."""
    if a.sd is None or b.sd is None or a.n < 2 or b.n < 2:
        return float("nan")
    va, vb = a.sd**2 / a.n, b.sd**2 / b.n
    if va + vb == 0:
        return 1.0 if a.value == b.value else 0.0
    t = (b.value - a.value) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    return float(2 * stats.t.sf(abs(t), df))


def share_change_p(a: Estimate, b: Estimate) -> float:
    """Two-proportion z-test (pooled), two-sided p."""
    pooled = (a.value * a.n + b.value * b.n) / (a.n + b.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    if se == 0:
        return 1.0 if a.value == b.value else 0.0
    return float(2 * stats.norm.sf(abs(b.value - a.value) / se))

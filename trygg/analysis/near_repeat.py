"""Near-repeat analysis: the Knox test, as in Ratcliffe's Near Repeat Calculator.

Knox, E. G. (1964). The detection of space-time interactions. Journal of the Royal
Statistical Society C 13(1); Ratcliffe, J. H. (2009). Near Repeat Calculator (version 1.3).
Temple University and the National Institute of Justice; Johnson, S. D. et al. (2007).
Space–time patterns of risk: a cross national assessment of residential burglary
victimization. Journal of Quantitative Criminology 23.

Every pair of events falls in one (distance band, time band) cell. The observed pair
counts are compared with the counts after randomly permuting the events' times among
their places (which keeps the spatial and the temporal distribution, and breaks only their
interaction): Knox ratio = observed / mean simulated, p = (1 + #simulations ≥ observed) /
(1 + permutations).

Bands are upper bounds: distance band k holds pairs with ``space_bands[k−1] < d ≤
space_bands[k]`` (the first from 0, so a first bound of 0 means "same location"), and the
same for days. Pairs beyond the last bound form a last "beyond" band in each dimension.

Vectorised: only pairs closer than the last distance bound are enumerated (k-d tree); the
"beyond" distance row follows from the time-difference distribution of all pairs, which
permuting times does not change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree
from scipy.stats import poisson


@dataclass
class HeightenedRisk:
    """After an event, risk is significantly elevated within ``distance_m`` for
    ``days`` days (the significant cells contiguous from same place, same time)."""

    distance_m: float
    days: float


@dataclass
class KnoxResult:
    space_bands: np.ndarray  # upper bounds, metres (+ inf for "beyond")
    time_bands: np.ndarray  # upper bounds, days (+ inf for "beyond")
    observed: np.ndarray  # pairs per (distance band, time band)
    expected: np.ndarray  # mean over the simulations
    ratio: np.ndarray  # observed / expected (NaN where expected is 0)
    p: np.ndarray  # (1 + #simulations ≥ observed) / (1 + permutations)
    permutations: int

    def significant(self, alpha: float = 0.05, min_ratio: float = 1.0) -> np.ndarray:
        """Cells with more pairs than chance, significantly."""
        with np.errstate(invalid="ignore"):
            return (self.p <= alpha) & (self.ratio > min_ratio)

    def heightened_risk(self, alpha: float = 0.05, min_ratio: float = 1.2) -> HeightenedRisk | None:
        """The zone and duration of significantly raised risk after an event: the
        largest distance and time bands such that every cell from the first distance band
        and the first time band up to them is significant (ratio ≥ ``min_ratio``, Ratcliffe's
        convention of a 20 % rise). None when even the closest cell is not."""
        sig = self.significant(alpha) & (self.ratio >= min_ratio)
        sig = sig[:-1, :-1]  # never "beyond"
        if sig.size == 0 or not sig[0, 0]:
            return None
        days = 0
        while days + 1 < sig.shape[1] and sig[0, days + 1]:
            days += 1
        rows = 0
        while rows + 1 < sig.shape[0] and sig[rows + 1, : days + 1].all():
            rows += 1
        return HeightenedRisk(float(self.space_bands[rows]), float(self.time_bands[days]))


def _band(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Index of the band of each value (len(bounds) = beyond)."""
    return np.searchsorted(bounds, values, side="left")


def _pairs_per_time_band(t: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Number of pairs (i < j) with |t_i − t_j| in each time band, for all pairs."""
    ts = np.sort(t)
    n = ts.size
    within: list[int] = []
    for bound in bounds:
        # pairs with difference ≤ bound: for each i, events j > i with t_j ≤ t_i + bound
        upto = np.searchsorted(ts, ts + bound, side="right")
        within.append(int((upto - np.arange(1, n + 1)).sum()))
    total = n * (n - 1) // 2
    cumulative = np.array([*within, total], dtype=np.int64)
    return np.diff(np.concatenate([[0], cumulative]))


def knox(
    x_m: npt.ArrayLike,
    y_m: npt.ArrayLike,
    t_days: npt.ArrayLike,
    space_bands: npt.ArrayLike,
    time_bands: npt.ArrayLike,
    permutations: int = 999,
    seed: int = 0,
) -> KnoxResult:
    """The Knox test for events at (x_m, y_m) metres and times t_days (days, any origin)."""
    x = np.asarray(x_m, dtype=float)
    y = np.asarray(y_m, dtype=float)
    t = np.asarray(t_days, dtype=float)
    if not (x.shape == y.shape == t.shape) or x.ndim != 1:
        raise ValueError("x_m, y_m and t_days must be 1-D arrays of the same length")
    if x.size < 2:
        raise ValueError("the Knox test needs at least two events")
    if not (np.isfinite(x).all() and np.isfinite(y).all() and np.isfinite(t).all()):
        raise ValueError("coordinates and times must be finite")
    s_bounds = np.asarray(space_bands, dtype=float)
    t_bounds = np.asarray(time_bands, dtype=float)
    for name, bounds in (("space_bands", s_bounds), ("time_bands", t_bounds)):
        if bounds.ndim != 1 or bounds.size == 0 or np.any(np.diff(bounds) <= 0) or bounds[0] < 0:
            raise ValueError(f"{name} must be increasing upper bounds ≥ 0")
    if permutations < 1:
        raise ValueError("permutations must be ≥ 1")

    n_s, n_t = s_bounds.size + 1, t_bounds.size + 1
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(r=float(s_bounds[-1]), output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    distance = np.hypot(x[i] - x[j], y[i] - y[j])
    s_band = _band(distance, s_bounds)
    close = s_band < s_bounds.size  # query_pairs' r is inclusive; keep exactly ≤ last bound
    i, j, s_band = i[close], j[close], s_band[close]
    all_pairs_by_time = _pairs_per_time_band(t, t_bounds)

    def table(times: np.ndarray) -> np.ndarray:
        t_band = _band(np.abs(times[i] - times[j]), t_bounds)
        counts = np.bincount(s_band * n_t + t_band, minlength=(n_s - 1) * n_t)
        counts = counts.reshape(n_s - 1, n_t)
        beyond = all_pairs_by_time - counts.sum(axis=0)
        return np.vstack([counts, beyond])

    observed = table(t)
    rng = np.random.default_rng(seed)
    simulated_sum = np.zeros(observed.shape, dtype=np.float64)
    at_least = np.zeros(observed.shape, dtype=np.int64)
    for _ in range(permutations):
        sim = table(rng.permutation(t))
        simulated_sum += sim
        at_least += sim >= observed
    expected = simulated_sum / permutations
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    p = (1 + at_least) / (1 + permutations)
    return KnoxResult(
        space_bands=np.append(s_bounds, np.inf),
        time_bands=np.append(t_bounds, np.inf),
        observed=observed,
        expected=expected,
        ratio=ratio,
        p=p,
        permutations=permutations,
    )


@dataclass
class WindowCheck:
    """What happened in a risk zone during its window, against expectation: the zone's
    own rate of such events before (``expected_base``), and that rate raised by the
    near-repeat model (``expected_raised``); ``p_base``: the chance of at least
    ``observed`` events if the rate had not been raised at all (Poisson)."""

    observed: int
    expected_base: float
    expected_raised: float
    p_base: float


def window_check(
    observed: int,
    baseline_events: int,
    baseline_days: float,
    window_days: float,
    ratio: float,
) -> WindowCheck:
    """Compare the events seen in a zone during its risk window with the zone's baseline
    rate (``baseline_events`` in ``baseline_days`` before the event, the triggering event
    not counted) and with that rate multiplied by the near-repeat ``ratio``.

    With no baseline events the rate is taken as half an event over the baseline period
    (a standard continuity correction), so that a zone that has been quiet still has a
    small, finite expectation."""
    if observed < 0 or baseline_events < 0:
        raise ValueError("counts must be ≥ 0")
    if baseline_days <= 0 or window_days <= 0:
        raise ValueError("periods must be longer than 0 days")
    rate = max(float(baseline_events), 0.5) / baseline_days
    base = rate * window_days
    raised = base * max(ratio, 1.0)
    p = float(poisson.sf(observed - 1, base)) if observed > 0 else 1.0
    return WindowCheck(observed, base, raised, p)

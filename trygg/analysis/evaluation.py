"""Did a measure work? Before/after against a comparison area, displacement, and whether a
hotspot map predicts.

* ``difference_in_differences`` — a Poisson (quasi-Poisson when over-dispersed) log-linear
  model of period counts in the target and comparison areas before and after: the
  measure's effect as a rate ratio with a 95 % confidence interval.
* ``weighted_displacement_quotient`` — Bowers, K. J. & Johnson, S. D. (2003). Measuring
  the geographical displacement and diffusion of benefit effects of crime prevention
  activity. Journal of Quantitative Criminology 19(3).
* ``predictive_accuracy`` — hit rate and the Predictive Accuracy Index, PAI = (n/N)/(a/A)
  (Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
  predicting spatial patterns of crime. Security Journal 21).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats


@dataclass(frozen=True)
class DiDResult:
    rate_ratio: float  # (target after / before) / (comparison after / before)
    ci_low: float
    ci_high: float
    p: float
    dispersion: float  # Pearson χ² / df; > 1 widens the interval (quasi-Poisson)

    @property
    def percent_change(self) -> float:
        """The measure's effect in per cent (−25 = a quarter fewer than expected)."""
        return 100 * (self.rate_ratio - 1)


def difference_in_differences(
    target_before: npt.ArrayLike,
    target_after: npt.ArrayLike,
    comparison_before: npt.ArrayLike,
    comparison_after: npt.ArrayLike,
    confidence: float = 0.95,
) -> DiDResult:
    """Each argument: counts per period (e.g. per week), all periods of equal length.

    The model log E[y] = a + b·after + c·target + d·after·target fits each of the four
    groups' mean exactly, so exp(d) is the ratio of the ratios of the group means and its
    standard error is √(Σ 1/total of each group), scaled by √dispersion when the period
    counts vary more than a Poisson's."""
    groups = [
        np.asarray(g, dtype=float)
        for g in (target_before, target_after, comparison_before, comparison_after)
    ]
    if any(g.size == 0 for g in groups):
        raise ValueError("every group needs at least one period")
    totals = np.array([g.sum() for g in groups])
    if np.any(totals == 0):
        raise ValueError("a group has no events at all: the rate ratio is undefined")
    means = totals / np.array([g.size for g in groups])
    rate_ratio = (means[1] / means[0]) / (means[3] / means[2])
    residual_df = sum(g.size for g in groups) - 4
    pearson = sum(((g - m) ** 2 / m).sum() for g, m in zip(groups, means, strict=True))
    dispersion = pearson / residual_df if residual_df > 0 else 1.0
    se = np.sqrt((1 / totals).sum() * max(1.0, dispersion))
    log_rr = np.log(rate_ratio)
    zq = stats.norm.ppf(0.5 + confidence / 2)
    p = float(2 * stats.norm.sf(abs(log_rr) / se))
    return DiDResult(
        float(rate_ratio),
        float(np.exp(log_rr - zq * se)),
        float(np.exp(log_rr + zq * se)),
        p,
        float(dispersion),
    )


@dataclass(frozen=True)
class WDQResult:
    success_measure: float  # Ra/Ca − Rb/Cb: < 0 means the target area improved
    buffer_measure: float  # Da/Ca − Db/Cb
    wdq: float | None  # buffer_measure / success_measure (None when there was no success)
    total_net_effect: float  # crimes prevented in target + buffer (positive = prevented)
    interpretation: str


def weighted_displacement_quotient(
    Ra: float, Rb: float, Da: float, Db: float, Ca: float, Cb: float
) -> WDQResult:
    """Counts after (a) and before (b) in the target area R, the buffer D around it and
    the control area C.

    WDQ > 0: diffusion of benefits into the buffer (it improved too); WDQ < 0:
    displacement into the buffer; WDQ < −1: displacement exceeds the direct effect; about 0:
    neither. The WDQ is only meaningful when the target improved (success measure < 0)."""
    if min(Ca, Cb) <= 0:
        raise ValueError("the control area needs events before and after")
    success = Ra / Ca - Rb / Cb
    buffer = Da / Ca - Db / Cb
    tne = (Rb * (Ca / Cb) - Ra) + (Db * (Ca / Cb) - Da)
    if success >= 0:
        return WDQResult(
            success, buffer, None, tne, "no success in the target area relative to the control area"
        )
    wdq = buffer / success
    if wdq > 0:
        text = "diffusion of benefits: the buffer improved as well"
    elif wdq < -1:
        text = "displacement larger than the direct effect: the measure made things worse overall"
    elif wdq < 0:
        text = "some displacement into the buffer, smaller than the direct effect"
    else:
        text = "no change in the buffer relative to the control area"
    return WDQResult(success, buffer, float(wdq), float(tne), text)


@dataclass(frozen=True)
class PredictiveAccuracy:
    hit_rate: float  # n / N
    pai: float  # (n / N) / (a / A)
    cells: int  # a: the cells flagged
    coverage: float  # a / A


def predictive_accuracy(
    surface: npt.ArrayLike, later_counts: npt.ArrayLike, coverage: float = 0.05
) -> PredictiveAccuracy:
    """How much of a later period's crime falls in the top ``coverage`` share of cells of a
    hotspot surface (any score: Gi* z, KDE, last period's counts)."""
    surface = np.asarray(surface, dtype=float).ravel()
    later = np.asarray(later_counts, dtype=float).ravel()
    if surface.shape != later.shape:
        raise ValueError("the surface and the later counts must have the same cells")
    if not 0 < coverage <= 1:
        raise ValueError("coverage must be in (0, 1]")
    total = later.sum()
    a = max(1, round(coverage * surface.size))
    # Highest scores first; ties broken by cell order so the result is deterministic.
    order = np.lexsort((np.arange(surface.size), -np.nan_to_num(surface, nan=-np.inf)))
    hits = later[order[:a]].sum()
    hit_rate = float(hits / total) if total else 0.0
    return PredictiveAccuracy(hit_rate, hit_rate / (a / surface.size), a, a / surface.size)

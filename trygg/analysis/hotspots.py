"""Getis-Ord Gi* hotspots on a grid of counts, in closed form.

Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. Geographical Analysis 24(3); Ord, J. K. & Getis, A. (1995). Local spatial
autocorrelation statistics: distributional issues and an application. Geographical
Analysis 27(4).

With binary weights w_ij = 1 when the centres of cells i and j lie within ``distance``
cell widths of each other (the cell itself included), n cells, values x:

    G*_i = Σ_j w_ij x_j / Σ_j x_j,     W_i = Σ_j w_ij
    E[G*_i] = W_i / n
    Var[G*_i] = W_i (n − W_i) / (n − 1) / n² · s² / x̄²,   x̄ = Σx/n, s² = Σx²/n − x̄²
    z_i = (G*_i − E[G*_i]) / √Var[G*_i]

which is what PySAL's ``esda.G_Local(y, w, transform='B', star=True).Zs`` computes with
``w = libpysal.weights.DistanceBand(centres, threshold=distance, binary=True)``. The
neighbour sums Σ_j w_ij x_j and W_i are one convolution each with the disk of radius
``distance`` (zero outside the grid, so border cells have fewer neighbours), so there is
no loop over cells.

Degenerate grids — all zeros, or every cell the same — have no variation to test: z = 0
and p = 1 everywhere (PySAL returns NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage, stats

CONFIDENCE_LEVELS = (0.90, 0.95, 0.99)


def disk(distance: float) -> np.ndarray:
    """The binary kernel of offsets (dx, dy) with dx² + dy² ≤ distance² (in cell widths)."""
    if distance < 0:
        raise ValueError("distance must be ≥ 0")
    r = int(np.floor(distance))
    offsets = np.arange(-r, r + 1)
    dx, dy = np.meshgrid(offsets, offsets)
    # A small tolerance, as a distance band of exactly 1.0 must include the 4 neighbours.
    return (dx * dx + dy * dy <= distance * distance * (1 + 1e-12)).astype(float)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values), same shape as ``p``; NaN kept."""
    p = np.asarray(p, dtype=float)
    flat = p.ravel()
    valid = ~np.isnan(flat)
    q = np.full(flat.shape, np.nan)
    pv = flat[valid]
    m = pv.size
    if m:
        order = np.argsort(pv)
        ranked = pv[order] * m / np.arange(1, m + 1)
        ranked = np.minimum.accumulate(ranked[::-1])[::-1]
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(ranked, 1.0)
        q[valid] = adjusted
    return q.reshape(p.shape)


@dataclass
class GiStarResult:
    """Gi* for every cell: ``z`` (z-scores), ``p`` (two-sided normal p-values),
    ``neighbours`` (W_i, the number of cells in each cell's band, itself included)."""

    z: np.ndarray
    p: np.ndarray
    neighbours: np.ndarray
    distance: float

    def classify(self, fdr: bool = True) -> np.ndarray:
        """Hot (+) and cold (−) cells by confidence: ±3 at 99 %, ±2 at 95 %, ±1 at 90 %,
        0 not significant. With ``fdr`` (the default) the p-values are first adjusted by
        Benjamini–Hochberg, which controls the share of false hotspots among all cells
        called hot or cold at each level."""
        p = benjamini_hochberg(self.p) if fdr else self.p
        levels = np.zeros(self.z.shape, dtype=np.int8)
        for rank, confidence in enumerate(CONFIDENCE_LEVELS, start=1):
            significant = p <= 1 - confidence
            levels[significant] = rank
        return np.where(self.z < 0, -levels, levels).astype(np.int8)


def gi_star(counts: npt.ArrayLike, distance: float = 1.5) -> GiStarResult:
    """Getis-Ord Gi* z-scores and two-sided p-values for a 2-D array of cell counts;
    neighbours are the cells whose centres lie within ``distance`` cell widths."""
    x = np.asarray(counts, dtype=float)
    if x.ndim != 2:
        raise ValueError("counts must be a 2-D array")
    if not np.isfinite(x).all():
        raise ValueError("counts must be finite")
    kernel = disk(distance)
    n = x.size
    local_sum = ndimage.convolve(x, kernel, mode="constant", cval=0.0)
    neighbours = ndimage.convolve(np.ones_like(x), kernel, mode="constant", cval=0.0)
    total = x.sum()
    mean = total / n
    variance = (x * x).sum() / n - mean * mean
    if total == 0 or variance <= 0 or n < 2:
        zeros = np.zeros_like(x)
        return GiStarResult(zeros, np.ones_like(x), neighbours, distance)
    statistic = local_sum / total
    expected = neighbours / n
    expected_variance = neighbours * (n - neighbours) / (n - 1) / n**2 * variance / mean**2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (statistic - expected) / np.sqrt(expected_variance)
    # A band covering every cell has no variance: no evidence either way.
    z = np.where(expected_variance > 0, z, 0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    return GiStarResult(z, p, neighbours, distance)

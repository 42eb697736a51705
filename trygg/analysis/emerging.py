"""Emerging hotspots: Gi* in every time slice, then a Mann–Kendall trend on each cell's
z-scores, and a pattern per cell — the categories of Esri's Emerging Hot Spot Analysis.

Rules (for hot spots; cold spots mirror them with the signs swapped). A slice is "hot"
when the cell's Gi* is significant at 95 % after Benjamini–Hochberg and z > 0; "most" means
at least 90 % of the slices:

* new           — hot in the last slice only, never before;
* consecutive   — one uninterrupted run of ≥ 2 hot slices ending with the last, never hot
                  before the run, not most slices;
* intensifying  — hot in most slices including the last, z rising significantly (MK);
* persistent    — hot in most slices including the last, no significant trend in z;
* diminishing   — hot in most slices including the last, z falling significantly;
* sporadic      — hot in the last slice, on and off before, not most, never cold;
* oscillating   — hot in the last slice, cold in some earlier slice, not most;
* historical    — not hot in the last slice, but hot in most earlier ones;
* ""            — no pattern.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from trygg.analysis.hotspots import gi_star
from trygg.analysis.trends import mann_kendall

PATTERNS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
MOST = 0.9


def _runs_ending_at_last(flags: np.ndarray) -> int:
    n = 0
    for flag in flags[::-1]:
        if not flag:
            break
        n += 1
    return n


def _pattern(hot: np.ndarray, cold: np.ndarray, z: np.ndarray) -> str:
    slices = hot.size
    if hot.sum() == 0:
        return ""
    most = hot.sum() >= MOST * slices
    last = bool(hot[-1])
    if not last:
        return "historical" if hot[:-1].sum() >= MOST * (slices - 1) and slices > 1 else ""
    if hot[:-1].sum() == 0:
        return "new"
    if most:
        if slices >= 3:
            trend = mann_kendall(z)
            if trend.trend == "increasing":
                return "intensifying"
            if trend.trend == "decreasing":
                return "diminishing"
        return "persistent"
    run = _runs_ending_at_last(hot)
    if run >= 2 and hot[: slices - run].sum() == 0:
        return "consecutive"
    if cold[:-1].any():
        return "oscillating"
    return "sporadic"


def emerging_hotspots(cube: npt.ArrayLike, distance: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """``cube``: counts of shape (time slices, ny, nx). Returns (patterns, signs): for each
    cell the pattern name (see the module docstring) and +1 for a hot, −1 for a cold,
    0 for no pattern."""
    cube = np.asarray(cube, dtype=float)
    if cube.ndim != 3:
        raise ValueError("cube must have the shape (time slices, ny, nx)")
    results = [gi_star(s, distance) for s in cube]
    z = np.stack([r.z for r in results])
    classes = np.stack([r.classify() for r in results])
    hot = classes >= 2
    cold = classes <= -2
    ny, nx = cube.shape[1:]
    patterns = np.full((ny, nx), "", dtype=object)
    signs = np.zeros((ny, nx), dtype=np.int8)
    for iy in range(ny):
        for ix in range(nx):
            h, c, zz = hot[:, iy, ix], cold[:, iy, ix], z[:, iy, ix]
            if h.any():
                name = _pattern(h, c, zz)
                if name:
                    patterns[iy, ix], signs[iy, ix] = name, 1
                    continue
            if c.any():
                name = _pattern(c, h, -zz)
                if name:
                    patterns[iy, ix], signs[iy, ix] = name, -1
    return patterns, signs

"""Kernel density of events on a grid, with the quartic (biweight) kernel used in crime
mapping (Chainey, S. & Ratcliffe, J. (2005). GIS and Crime Mapping, ch. 6).

    K(d) = 3 / (π h²) · (1 − d²/h²)²  for d < h, else 0

Each event's kernel is summed at every cell centre, so the surface is events per square
metre (× 1e6 for per km²). Events are taken at their cell's centre (the grid's resolution
is the map's), which makes the sum one convolution of the count grid.

Default bandwidth (documented rule): Scott's rule for two dimensions on the events' own
spread, h = σ · n^(−1/6) with σ = √((σx² + σy²)/2), but at least two cell widths (a
smaller h only paints the cells themselves) and at most 2 km (a larger one smooths a
municipality into one blob).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import ndimage

MIN_CELLS = 2.0
MAX_BANDWIDTH_M = 2000.0


def default_bandwidth(x: npt.ArrayLike, y: npt.ArrayLike, cell: float) -> float:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = x.size
    if n < 2:
        return MIN_CELLS * cell
    sigma = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
    h = sigma * n ** (-1 / 6)
    return float(min(max(h, MIN_CELLS * cell), max(MAX_BANDWIDTH_M, MIN_CELLS * cell)))


def quartic_kernel(bandwidth: float, cell: float) -> np.ndarray:
    """The kernel's weight at each cell-centre offset (per m²)."""
    r = int(np.ceil(bandwidth / cell))
    offsets = np.arange(-r, r + 1) * cell
    dx, dy = np.meshgrid(offsets, offsets)
    u2 = (dx * dx + dy * dy) / (bandwidth * bandwidth)
    return np.where(u2 < 1, 3 / (np.pi * bandwidth * bandwidth) * (1 - u2) ** 2, 0.0)


def density(counts: npt.ArrayLike, cell: float, bandwidth: float) -> np.ndarray:
    """Events per square metre at every cell centre of a count grid."""
    counts = np.asarray(counts, dtype=float)
    if bandwidth <= 0 or cell <= 0:
        raise ValueError("bandwidth and cell must be > 0")
    kernel = quartic_kernel(bandwidth, cell)
    return np.asarray(ndimage.convolve(counts, kernel, mode="constant", cval=0.0), dtype=float)

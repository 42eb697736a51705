"""Projection and grids: points in WGS84 to SWEREF 99 TM (EPSG:3006, metres), counted in
square cells of a chosen size (default 250 m), or per area.

Cell (ix, iy) covers x in [x0 + ix·cell, x0 + (ix+1)·cell) and likewise for y; count
arrays are indexed ``counts[iy, ix]`` (rows = northing, south first).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from pyproj import Transformer

DEFAULT_CELL_M = 250.0


@lru_cache(maxsize=4)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def to_sweref(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """(easting, northing) in metres, SWEREF 99 TM, for WGS84 longitudes and latitudes."""
    x, y = _transformer("EPSG:4326", "EPSG:3006").transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_wgs84(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """(longitude, latitude) for SWEREF 99 TM eastings and northings."""
    lon, lat = _transformer("EPSG:3006", "EPSG:4326").transform(
        np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    )
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


@dataclass(frozen=True)
class Grid:
    """A square grid in SWEREF 99 TM whose origin is a multiple of the cell size (so the
    cells of two grids of the same size line up)."""

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int

    @classmethod
    def covering(
        cls, x: npt.ArrayLike, y: npt.ArrayLike, cell: float = DEFAULT_CELL_M, pad: int = 0
    ) -> Grid:
        """The smallest grid covering the points, ``pad`` empty cells on every side."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.size == 0:
            raise ValueError("no points to cover")
        ix0 = int(np.floor(x.min() / cell)) - pad
        iy0 = int(np.floor(y.min() / cell)) - pad
        ix1 = int(np.floor(x.max() / cell)) + pad
        iy1 = int(np.floor(y.max() / cell)) + pad
        return cls(ix0 * cell, iy0 * cell, cell, ix1 - ix0 + 1, iy1 - iy0 + 1)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.ny, self.nx)

    def cell_index(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """(ix, iy) of each point; points outside the grid get −1."""
        ix = np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell).astype(np.int64)
        iy = np.floor((np.asarray(y, dtype=float) - self.y0) / self.cell).astype(np.int64)
        outside = (ix < 0) | (iy < 0) | (ix >= self.nx) | (iy >= self.ny)
        ix[outside] = -1
        iy[outside] = -1
        return ix, iy

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """x and y of every cell centre, each of shape ``self.shape``."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell
        ys = self.y0 + (np.arange(self.ny) + 0.5) * self.cell
        grid_x, grid_y = np.meshgrid(xs, ys)
        return grid_x, grid_y

    def aggregate(
        self, x: npt.ArrayLike, y: npt.ArrayLike, weights: npt.ArrayLike | None = None
    ) -> np.ndarray:
        """Counts (or summed weights) per cell, shape ``self.shape``; points outside the
        grid are ignored."""
        ix, iy = self.cell_index(x, y)
        inside = ix >= 0
        flat = iy[inside] * self.nx + ix[inside]
        w = None if weights is None else np.asarray(weights, dtype=float)[inside]
        counts = np.bincount(flat, weights=w, minlength=self.nx * self.ny)
        return counts.reshape(self.shape)


def aggregate_to_areas(
    area_index: npt.ArrayLike, n_areas: int, weights: npt.ArrayLike | None = None
) -> np.ndarray:
    """Counts per area from each point's area index (0 … n_areas−1; −1 = in no area)."""
    area_index = np.asarray(area_index, dtype=np.int64)
    inside = area_index >= 0
    w = None if weights is None else np.asarray(weights, dtype=float)[inside]
    return np.bincount(area_index[inside], weights=w, minlength=n_areas)[:n_areas]

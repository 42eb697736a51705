"""Hotspot benchmark: Getis-Ord Gi* — PySAL's esda (``G_Local``, star, binary,
permutations=0, including building its ``DistanceBand`` weights, as a user of esda would)
against ``trygg.analysis.hotspots.gi_star`` on the same grids, in the same run: both
times, the speed ratio and max |Δz|.

Target (issue 5): ≥ 500× faster with max |Δz| ≤ 1e-9; 1000 × 1000 in ≤ 100 ms.

    python benchmarks/hotspots.py [--esda-max 300]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

from trygg.analysis.hotspots import gi_star


def esda_z(counts: np.ndarray, distance: float) -> np.ndarray:
    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand

    ny, nx = counts.shape
    iy, ix = np.mgrid[0:ny, 0:nx]
    centres = np.column_stack([ix.ravel(), iy.ravel()]).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = DistanceBand(centres, threshold=distance, binary=True, silence_warnings=True)
        return np.asarray(
            G_Local(counts.ravel(), w, transform="B", star=True, permutations=0).Zs
        ).reshape(counts.shape)


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--esda-max", type=int, default=300, help="largest side esda is run on")
    parser.add_argument("--distance", type=float, default=1.5)
    args = parser.parse_args()
    print(f"Gi* benchmark (distance {args.distance} cells) — {_setup.machine()}")
    rng = np.random.default_rng(0)
    for side in (100, 300, 1000):
        counts = rng.poisson(1.5, (side, side)).astype(float)
        ours_s, ours = best_of(lambda c=counts: gi_star(c, args.distance), 5)
        if side <= args.esda_max:
            esda_s, theirs = best_of(lambda c=counts: esda_z(c, args.distance), 1)
            delta = float(np.nanmax(np.abs(ours.z - theirs)))
            print(
                f"  {side:>4}×{side:<4} esda {esda_s * 1000:9.1f} ms"
                f"   gi_star {ours_s * 1000:7.2f} ms"
                f"   {esda_s / ours_s:8.0f}× faster   max|Δz| {delta:.1e}"
            )
        else:
            largest = f"{args.esda_max}×{args.esda_max}"
            print(
                f"  {side:>4}×{side:<4} esda not run (largest size run: {largest})"
                f"   gi_star {ours_s * 1000:7.2f} ms"
            )


if __name__ == "__main__":
    main()

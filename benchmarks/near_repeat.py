"""Near-repeat benchmark: the Knox test on clustered synthetic events (a municipality of
20 × 15 km with clusters around centres), events/s.

Target (issue 5): 20 000 events with 99 permutations in under a minute.

    python benchmarks/near_repeat.py [--n 20000] [--permutations 99]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

from trygg.analysis.near_repeat import knox


def events(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform([0, 0], [20_000, 15_000], (12, 2))
    which = rng.integers(0, len(centres), n)
    clustered = rng.random(n) < 0.6
    x = np.where(clustered, centres[which, 0] + rng.normal(0, 400, n), rng.uniform(0, 20_000, n))
    y = np.where(clustered, centres[which, 1] + rng.normal(0, 400, n), rng.uniform(0, 15_000, n))
    t = rng.uniform(0, 3 * 365, n)
    return x, y, t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--permutations", type=int, default=99)
    args = parser.parse_args()
    print(f"near-repeat benchmark — {_setup.machine()}")
    for n in sorted({5_000, args.n}):
        x, y, t = events(n)
        started = time.perf_counter()
        result = knox(
            x, y, t, [100, 200, 300, 400, 500], [7, 14, 21, 28, 35, 42], args.permutations
        )
        elapsed = time.perf_counter() - started
        close_pairs = int(result.observed[:-1].sum())
        print(
            f"  {n:>7,} events, {args.permutations} permutations: {elapsed:6.2f} s "
            f"({n / elapsed:,.0f} events/s; {close_pairs:,} pairs within 500 m)"
        )


if __name__ == "__main__":
    main()

"""Ingest benchmark: generate N synthetic incident rows as CSV, import them with
``manage.py import_incidents``, then import the same file again (which must change
nothing). Prints rows/s for both runs on both databases, and the importing process's peak
memory (issue #17: it may not grow with the file).

Target (issue 4): each import of 1 000 000 rows ≤ 60 s on the 2-core machine.

    python benchmarks/ingest.py --n 1000000 [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import csv
import datetime as dt
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

TYPES = ["Skadegörelse", "Klotter", "Brand", "Inbrott", "Stöld", "Bråk", "Misshandel",
         "Olaga hot", "Narkotika", "Rån", "Trafik", "Övrigt"]  # fmt: skip


def generate_csv(path: Path, n: int, seed: int = 1, years: int = 3) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    start = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(days=years * 365 + 1)
    minutes = rng.integers(0, years * 365 * 24 * 60, n)
    # Upplands-Bro's built-up areas, roughly: a spread of points around its districts.
    centres = np.array([[59.4786, 17.7510], [59.5120, 17.6340], [59.5070, 17.7950],
                        [59.5420, 17.7000], [59.5850, 17.5900]])  # fmt: skip
    which = rng.integers(0, len(centres), n)
    lat = centres[which, 0] + rng.normal(0, 0.008, n)
    lon = centres[which, 1] + rng.normal(0, 0.015, n)
    types = rng.integers(0, len(TYPES), n)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["id", "datum", "typ", "lat", "lon", "beskrivning"])
        for i in range(n):
            when = start + dt.timedelta(minutes=int(minutes[i]))
            writer.writerow(
                [f"B{i:07d}", when.strftime("%Y-%m-%d %H:%M"), TYPES[types[i]],
                 f"{lat[i]:.6f}".replace(".", ","), f"{lon[i]:.6f}".replace(".", ","),
                 "Syntetisk händelse"]
            )  # fmt: skip


def child(path: str, label: str) -> None:
    _setup.django_setup()
    from io import StringIO

    from django.core.management import call_command

    from trygg.incidents.models import Incident

    _setup.bench_source()
    results = []
    for run in ("first import", "same file again"):
        out = StringIO()
        started = time.perf_counter()
        call_command(
            "import_incidents",
            path,
            "--source",
            "bench",
            stdout=out,
            stderr=StringIO(),
            verbosity=0,
        )
        elapsed = time.perf_counter() - started
        results.append((run, elapsed, out.getvalue().strip()))
    n = Incident.objects.filter(source__slug="bench").count()
    for run, elapsed, message in results:
        outcome = message.split(": ", 1)[-1]
        print(f"  {label:<10} {run:<16} {elapsed:7.1f} s  {n / elapsed:>9,.0f} rows/s  | {outcome}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {label:<10} peak memory of the importing process: {peak:,.0f} MB")


def generate_and_report(path: Path, n: int) -> None:
    started = time.perf_counter()
    generate_csv(path, n)
    size_mb = path.stat().st_size / 1e6
    print(f"  generated {size_mb:.0f} MB of CSV in {time.perf_counter() - started:.1f} s")


def main() -> None:
    _setup.csv_benchmark_main(__doc__, __file__, "ingest benchmark", child, generate_and_report)


if __name__ == "__main__":
    main()

"""Lägesbild document benchmark: the statutory lägesbild (PDF) for a municipality with N
incidents over five years, for the last year and for all five, on both databases.

Target (issue 8): ≤ 10 s with 1 000 000 incidents over 5 years.

    python benchmarks/lagesbild.py --n 1000000 [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup
import ingest


def child(path: str, label: str) -> None:
    _setup.django_setup()
    from io import StringIO

    from django.core.management import call_command

    from trygg.assessment.document import LagesbildRequest, generate
    from trygg.incidents.models import Incident

    # Public incidents: both versions of the document count them.
    municipality = _setup.bench_source("public")
    started = time.perf_counter()
    call_command(
        "import_incidents",
        path,
        "--source",
        "bench",
        stdout=StringIO(),
        stderr=StringIO(),
        verbosity=0,
    )
    loaded = time.perf_counter() - started
    print(f"  {label:<10} loaded {Incident.objects.count():,} incidents in {loaded:.0f} s")
    today = dt.date.today()
    for name, start, public in (
        ("last 12 months, partners", today - dt.timedelta(days=364), False),
        ("last 12 months, public", today - dt.timedelta(days=364), True),
        ("five years, partners", today - dt.timedelta(days=5 * 365), False),
    ):
        started = time.perf_counter()
        pdf = generate(LagesbildRequest(municipality, start, today, public=public))
        elapsed = time.perf_counter() - started
        print(f"  {label:<10} {name:<26} {elapsed:6.2f} s  ({len(pdf) / 1024:.0f} kB PDF)")


def generate_five_years(path: Path, n: int) -> None:
    ingest.generate_csv(path, n, years=5)


def main() -> None:
    _setup.csv_benchmark_main(
        __doc__, __file__, "lägesbild benchmark (five years)", child, generate_five_years
    )


if __name__ == "__main__":
    main()

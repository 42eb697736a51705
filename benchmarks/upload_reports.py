"""A partner's file of reports (the weekly picture's upload) of N rows (default 15 000):
how long reading and checking every row takes — outside any transaction, so it holds
nobody up — and how long the one write transaction is, on each database; then the same
file again (nothing stored twice). Target (issue #17): the write transaction well under a
second for 15 000 rows.

    python benchmarks/upload_reports.py [--rows 15000] [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup


def child(n: int, label: str) -> None:
    _setup.django_setup()
    from tests.support.live import partner_report_file
    from trygg.core import demo
    from trygg.core.models import Membership
    from trygg.core.permissions import Principal
    from trygg.est import demo as est_demo
    from trygg.est import services
    from trygg.est.importers import prepare
    from trygg.est.models import Observation
    from trygg.est.services import reporting

    demo.load()
    est_demo.load()
    housing = Membership.objects.filter(organisation__name="Upplands-Brohus").first()
    principal = Principal(user=housing.user, membership=housing)
    data = partner_report_file(n)

    spans: list[float] = []
    real_atomic = reporting.transaction.atomic

    @contextlib.contextmanager
    def timed_atomic(*args, **kwargs):
        started = time.perf_counter()
        with real_atomic(*args, **kwargs):
            yield
        spans.append(time.perf_counter() - started)

    reporting.transaction = SimpleNamespace(atomic=timed_atomic)
    for run in ("first", "again"):
        spans.clear()
        started = time.perf_counter()
        lookups = services.Lookups(principal.municipality)
        reports = prepare(principal, data, "vecka.csv", lookups)
        checked = time.perf_counter()
        created, unchanged = services.report_many(principal, reports, lookups)
        done = time.perf_counter()
        print(
            f"  {label:<10} {run:<5} read and check {checked - started:6.2f} s, store "
            f"{done - checked:5.2f} s of which the write transaction {spans[-1]:5.3f} s "
            f"({created:,} new, {unchanged:,} unchanged)"
        )
    assert Observation.objects.filter(source="upload").count() == n


if __name__ == "__main__":
    _setup.sized_benchmark_main(
        __doc__, __file__, "upload of partner reports", child, "rows", 15_000
    )

"""The weekly joint picture's PDF (``manage.py weekly_report``) for a busy week: the demo
municipality's three years of incidents, plus N synthetic partner reports (default
5 000) spread over the last twelve weeks. Target (issue #9): ≤ 5 s.

    python benchmarks/weekly_report.py [--reports 5000] [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup


def child(n: int, label: str) -> None:
    _setup.django_setup()
    import numpy as np
    from django.utils import timezone

    from trygg.core import demo
    from trygg.core.models import Area, Membership, Organisation
    from trygg.core.permissions import Principal
    from trygg.est import demo as est_demo
    from trygg.est import report
    from trygg.est.models import Observation, ObservationCategory
    from trygg.est.weeks import Week
    from trygg.incidents import demo as incidents_demo

    started = time.perf_counter()
    municipality = demo.load()
    incidents_demo.load()
    est_demo.load()
    orgs = list(Organisation.objects.filter(municipality=municipality))
    categories = list(
        ObservationCategory.objects.filter(municipality=municipality, parent__isnull=False)
    )
    areas = list(Area.objects.filter(municipality=municipality, kind="district"))
    rng = np.random.default_rng(1)
    now = timezone.now()
    Observation.objects.bulk_create(
        [
            Observation(
                municipality=municipality, owner_organisation=orgs[k % len(orgs)],
                sensitivity="partners", category=categories[k % len(categories)],
                area=(area := areas[int(rng.integers(len(areas)))]),
                lat=area.min_lat + (area.max_lat - area.min_lat) * rng.uniform(0.3, 0.7),
                lon=area.min_lon + (area.max_lon - area.min_lon) * rng.uniform(0.3, 0.7),
                occurred_at=now - dt.timedelta(hours=float(rng.uniform(1, 24 * 84))),
                severity=1, status="info",
            )
            for k in range(n)
        ],
        batch_size=2000,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    print(f"  {label:<10} set-up {elapsed:.0f} s ({Observation.objects.count():,} reports)")
    membership = (
        Membership.objects.filter(user__username="samordnare")
        .select_related("user", "organisation__municipality")
        .first()
    )
    principal = Principal(user=membership.user, membership=membership)
    week = Week.of(timezone.localdate()).shift(-1)
    report.render(principal, week)  # warm-up
    timings = []
    for _ in range(3):
        t = time.perf_counter()
        pdf = report.render(principal, week)
        timings.append(time.perf_counter() - t)
    best, worst = min(timings), max(timings)
    print(
        f"  {label:<10} weekly report {week}: best {best:.2f} s, worst {worst:.2f} s "
        f"({len(pdf):,} bytes)"
    )


def main() -> None:
    _setup.sized_benchmark_main(
        __doc__, __file__, "weekly report benchmark", child, "reports", 5000
    )


if __name__ == "__main__":
    main()

"""Assessment API benchmark: ``GET /api/v1/assessment/summary`` for 20 realistic filter
combinations over N incidents, on SQLite and PostgreSQL, against a naive ORM baseline
(``Incident.objects.filter(...).values(...).annotate(Count(...))``) measured in the same run.

Target (issue 4): p50 ≤ 100 ms and p95 ≤ 300 ms at 1 000 000 incidents.

    python benchmarks/assessment_api.py --n 1000000 [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup
import ingest

REPEAT = 5


def combinations(areas: list[int], today: dt.date) -> list[dict]:
    """20 filter sets a coordinator would use."""
    periods = {
        "last 30 days": (today - dt.timedelta(days=29), today),
        "last 90 days": (today - dt.timedelta(days=89), today),
        "last 12 months": (today - dt.timedelta(days=364), today),
        "this year": (today.replace(month=1, day=1), today),
        "three years": (today - dt.timedelta(days=3 * 365), today),
    }
    filters = [
        {},
        {"category": ["vandalism"]},
        {"category": ["burglary", "theft"], "area": areas[:1]},
        {"category": ["violence", "threats", "weapons"], "area": areas[:2]},
    ]
    out = []
    for name, (start, end) in periods.items():
        for extra in filters:
            out.append(
                {"name": f"{name} {extra or ''}", "date_from": start, "date_to": end, **extra}
            )
    return out


def _query(combo: dict) -> str:
    from urllib.parse import urlencode

    params = [("date_from", combo["date_from"]), ("date_to", combo["date_to"])]
    params += [("category", c) for c in combo.get("category", [])]
    params += [("area", a) for a in combo.get("area", [])]
    return urlencode(params)


def naive(municipality, combo: dict) -> dict:
    """The baseline: the same numbers straight from the incidents with the ORM."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from trygg.incidents.models import Incident

    qs = Incident.objects.filter(
        municipality=municipality,
        occurred_date__gte=combo["date_from"],
        occurred_date__lte=combo["date_to"],
        counts_in_statistics=True,
    )
    if combo.get("category"):
        qs = qs.filter(category__in=combo["category"])
    if combo.get("area"):
        qs = qs.filter(area_id__in=combo["area"])
    return {
        "by_category": list(qs.values("category").annotate(n=Count("id")).order_by()),
        "by_area": list(qs.values("area_id").annotate(n=Count("id")).order_by()),
        "by_period": list(
            qs.annotate(m=TruncMonth("occurred_date"))
            .values("m")
            .annotate(n=Count("id"))
            .order_by()
        ),
        "total": qs.count(),
    }


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def child(path: str, label: str) -> None:
    _setup.django_setup()
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from trygg.core.models import Area
    from trygg.incidents.models import Incident

    municipality = _setup.bench_source()
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
    n = Incident.objects.count()
    print(f"  {label:<10} loaded {n:,} incidents in {time.perf_counter() - started:.0f} s")

    client = Client()
    client.force_login(get_user_model().objects.get(username="samordnare"))
    areas = list(
        Area.objects.filter(municipality=municipality).order_by("name").values_list("id", flat=True)
    )
    combos = combinations(areas, dt.date.today())
    api, base = [], []
    for combo in combos:
        url = f"/api/v1/assessment/summary?{_query(combo)}"
        response = client.get(url)  # warm-up, and a check that it answers right
        assert response.status_code == 200, response.content
        t = time.perf_counter()
        expected = naive(municipality, combo)
        base.append(time.perf_counter() - t)  # the baseline is slow: measured once a set
        assert response.json()["total"] == expected["total"], combo["name"]
        for _ in range(REPEAT):
            t = time.perf_counter()
            client.get(url)
            api.append(time.perf_counter() - t)
    p50, p95 = percentiles(api)
    b50, b95 = percentiles(base)
    print(
        f"  {label:<10} summary endpoint  p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"
        f"   ({len(api)} requests over {len(combos)} filter sets)"
    )
    print(
        f"  {label:<10} naive ORM         p50 {b50 * 1000:7.1f} ms  p95 {b95 * 1000:7.1f} ms"
        f"   ({len(base)} runs, once per filter set)"
    )
    print(
        f"  {label:<10} → the endpoint is {b50 / p50:.1f}× faster at p50, {b95 / p95:.1f}× at p95"
    )


def main() -> None:
    _setup.csv_benchmark_main(
        __doc__, __file__, "assessment API benchmark", child, ingest.generate_csv
    )


if __name__ == "__main__":
    main()

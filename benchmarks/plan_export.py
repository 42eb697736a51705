"""The action plan's exports for a plan with N measures (default 100), each with two
indicators and their measurements: the PDF (Typst, Brå's layout, a chart per indicator)
and the XLSX, from a fresh database of each kind. Target (issue #7): ≤ 10 s.

    python benchmarks/plan_export.py [--measures 100] [--database sqlite|postgresql|both]
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
    from trygg.core import demo
    from trygg.core.models import Organisation, Sensitivity
    from trygg.plan import exports
    from trygg.plan.models import ActionPlan, Indicator, Measure, Measurement

    municipality = demo.load()
    orgs = list(Organisation.objects.filter(municipality=municipality))
    plan = ActionPlan.objects.create(
        municipality=municipality, title="Åtgärdsplan (benchmark)",
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2027, 12, 31),
    )  # fmt: skip
    for k in range(n):
        measure = Measure.objects.create(
            municipality=municipality, owner_organisation=orgs[k % len(orgs)],
            sensitivity=Sensitivity.PUBLIC, plan=plan, title=f"Åtgärd {k + 1}: förebyggande insats",
            description="Fältverksamhet, föreningssamverkan och uppföljning i styrgruppen.",
            goal="Färre anmälda händelser och ökad trygghet i området", start=plan.period_start,
            end=plan.period_end, follow_up="Halvårsvis",
            status=["green", "yellow", "red", "done"][k % 4],
        )  # fmt: skip
        measure.partners.set(orgs[(k + 1) % len(orgs) : (k + 3) % len(orgs) or None][:2])
        for j in range(2):
            indicator = Indicator.objects.create(
                measure=measure, name=f"Indikator {j + 1}", kind="manual", baseline=40, target=30,
            )  # fmt: skip
            for h in range(4):
                start = dt.date(2026 + h // 2, 1 + 6 * (h % 2), 1)
                Measurement.objects.create(
                    indicator=indicator, period_start=start,
                    period_end=start + dt.timedelta(days=180), value=40 - 2 * h - j,
                )  # fmt: skip
    for fmt, render in (("PDF", exports.plan_pdf), ("XLSX", exports.plan_xlsx)):
        render(plan)  # warm-up (fonts, templates)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            content = render(plan)
            timings.append(time.perf_counter() - started)
        print(
            f"  {label:<10} {fmt:<4} {n} measures: best {min(timings):.2f} s, "
            f"worst {max(timings):.2f} s ({len(content):,} bytes)"
        )


def main() -> None:
    _setup.sized_benchmark_main(__doc__, __file__, "plan export benchmark", child, "measures", 100)


if __name__ == "__main__":
    main()

"""Server-rendered SVG charts: no JavaScript needed, no inline styles (the CSP forbids
them), a title and description for screen readers, and the numbers in a table beside."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from trygg.assessment import comparison, services
from trygg.assessment.comparison import Comparison
from trygg.assessment.filters import IncidentFilter
from trygg.assessment.services import SeriesPoint
from trygg.core import disclosure, formats


def tick_label(day, granularity: str) -> str:
    """A period's label on the time axis: "3 nov" (day, week) or "nov 2026" (month)."""
    if granularity == "month":
        return formats.month(day, short=True)
    return formats.day_month(day)


def line_chart(
    points: list[SeriesPoint],
    *,
    title: str,
    description: str,
    label_now: str,
    label_last_year: str,
    granularity: str,
    gap_note: str = "",
    width: int = 720,
    height: int = 240,
) -> str:
    """This period's counts as a line, last year's dashed beside it (when comparable).
    A partial period (cut by the filter or not yet over) is drawn as a hollow point on a
    dotted line: its count is not comparable with a whole period's."""
    pad_left, pad_right, pad_bottom = 44, 36, 34
    # Room for the legend's band (one line, two when a note or a partial period adds to it).
    pad_top = 30 if len(label_now) + len(label_last_year) + len(gap_note) < 70 else 46
    inner_w, inner_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    has_last_year = any(p.last_year is not None for p in points)
    top = max([1] + [max(p.count or 0, p.last_year or 0) for p in points])
    step = max(1, _nice(top))
    top = step * -(-top // step)
    n = max(1, len(points) - 1)

    def x_of(i: int) -> float:
        return pad_left + inner_w * i / n

    def y_of(value: float) -> float:
        return pad_top + inner_h * (1 - value / top)

    def xy(i: int, value: int) -> str:
        return f"{x_of(i):.1f},{y_of(value):.1f}"

    # The solid line joins consecutive complete periods; every partial one hangs on a
    # dotted segment from its neighbour. A suppressed count (None: the public version's
    # "<5") is a gap in the line.
    runs = _runs(i for i, p in enumerate(points) if not p.partial and p.count is not None)
    now_lines = format_html_join(
        "",
        '<polyline points="{}" class="chart-line chart-line--now" fill="none"'
        ' stroke="#12355b" stroke-width="2.5"/>',
        ((" ".join(xy(i, points[i].count) for i in run),) for run in runs if len(run) > 1),
    )
    partial_marks = format_html_join(
        "",
        '<polyline points="{}" class="chart-line chart-line--partial" fill="none"'
        ' stroke="#12355b" stroke-width="2" stroke-dasharray="2 3"/>'
        '<circle cx="{}" cy="{}" r="4" class="chart-point--partial" fill="#ffffff"'
        ' stroke="#12355b" stroke-width="2"/>',
        (
            (
                " ".join(
                    xy(j, points[j].count or 0)
                    for j in (i - 1, i, i + 1)
                    if 0 <= j < len(points) and points[j].count is not None
                ),
                f"{x_of(i):.1f}",
                f"{y_of(points[i].count or 0):.1f}",
            )
            for i, p in enumerate(points)
            if p.partial and p.count is not None
        ),
    )
    before_runs = _runs(i for i, p in enumerate(points) if p.last_year is not None)
    before = format_html_join(
        "",
        '<polyline points="{}" class="chart-line chart-line--last-year" fill="none"'
        ' stroke="#8a4b00" stroke-width="2.5" stroke-dasharray="6 4"/>',
        (
            (" ".join(xy(i, points[i].last_year or 0) for i in run),)
            for run in before_runs
            if len(run) > 1
        ),
    )
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid" stroke="#d5dbe3"/>'
        '<text x="{}" y="{}" class="chart-axis" text-anchor="end" font-size="11"'
        ' fill="#4a5361">{}</text>',
        (
            (
                pad_left,
                width - pad_right,
                f"{y_of(v):.1f}",
                f"{y_of(v):.1f}",
                pad_left - 6,
                f"{y_of(v) + 4:.1f}",
                formats.number(v),
            )
            for v in range(0, top + 1, step)
        ),
    )
    every = max(1, -(-len(points) // 8))
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" class="chart-axis" text-anchor="middle" font-size="11"'
        ' fill="#4a5361">{}</text>',
        (
            (f"{x_of(i):.1f}", height - 10, tick_label(p.period, granularity))
            for i, p in enumerate(points)
            if i % every == 0
        ),
    )
    # The legend sits in its own band above the plot (never over the data), its items
    # side by side, wrapping to a second line when they do not fit.
    keys = [("now", label_now)]
    if has_last_year:
        keys.append(("last_year", label_last_year))
    if gap_note:
        keys.append(("note", gap_note))
    if any(p.partial for p in points):
        keys.append(("partial", _("Partial period")))
    legend, lx, ly = [], pad_left, 10
    for kind, label in keys:
        item_w = (0 if kind == "note" else 26) + int(6.6 * len(str(label))) + 18
        if lx + item_w > width - pad_right and lx > pad_left:
            lx, ly = pad_left, ly + 16
        mark = {
            "now": format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-line chart-line--now"'
                ' stroke="#12355b" stroke-width="2.5"/>',
                lx,
                lx + 20,
                ly,
                ly,
            ),
            "last_year": format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-line chart-line--last-year"'
                ' stroke="#8a4b00" stroke-width="2.5" stroke-dasharray="6 4"/>',
                lx,
                lx + 20,
                ly,
                ly,
            ),
            "partial": format_html(
                '<circle cx="{}" cy="{}" r="4" fill="#ffffff" stroke="#12355b" stroke-width="2"/>',
                lx + 10,
                ly,
            ),
            "note": "",
        }[kind]
        text_x = lx if kind == "note" else lx + 26
        legend.append(
            format_html(
                '{}<text x="{}" y="{}" font-size="12" fill="#1b1f24">{}</text>',
                mark,
                text_x,
                ly + 4,
                label,
            )
        )
        lx += item_w
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}"'
        ' role="img"'
        ' aria-labelledby="chart-title chart-desc">'
        '<title id="chart-title">{title}</title><desc id="chart-desc">{desc}</desc>'
        "{grid}{ticks}{before}{now}{partial}"
        '<g class="chart-legend">{legend}</g></svg>',
        w=width,
        h=height,
        title=title,
        desc=description,
        grid=grid,
        ticks=ticks,
        before=before,
        now=now_lines,
        partial=partial_marks,
        legend=mark_safe("".join(legend)),  # noqa: S308 - each part built by format_html
    )


def comparison_chart(
    f: IncidentFilter,
    vs: Comparison,
    granularity: str,
    day_counts: Callable[[IncidentFilter], Counter[tuple[dt.date]]],
    *,
    label_now: str,
    suppress: bool = False,
) -> tuple[str, list[SeriesPoint]]:
    """Incidents per day/week/month against the same period last year, both counted from
    the sources that cover both years (all sources, and no last-year line, when none
    does); partial periods marked. ``suppress`` (a public output): a period with fewer
    than the threshold is a gap in its line, never a point."""
    partial = services.partial_periods(f, granularity, comparison.last_complete_day())
    if vs.sources.possible:
        now = services.bucket(day_counts(vs.now), vs.now, granularity)
        before = services.bucket(day_counts(vs.then), vs.then, granularity)
    else:
        now, before = services.bucket(day_counts(f), f, granularity), None
    points = services.with_last_year(now, before, granularity, partial)
    gaps = False
    if suppress:
        for p in points:
            if p.count is not None and disclosure.is_suppressed(p.count):
                p.count, gaps = None, True
            if p.last_year is not None and disclosure.is_suppressed(p.last_year):
                p.last_year, gaps = None, True
    total = sum(p.count or 0 for p in points)
    description = _("%(n)s from %(from)s to %(to)s.") % {
        "n": comparison.incidents_text(total),
        "from": formats.date(f.date_from),
        "to": formats.date(f.date_to),
    }
    if before is not None:
        description += " " + _("Last year: %(n)s.") % {
            "n": formats.number(sum(p.last_year or 0 for p in points))
        }
    svg = line_chart(
        points,
        title=_("Incidents per %(period)s") % {"period": _(granularity)},
        description=description,
        label_now=label_now,
        label_last_year=_("Last year"),
        granularity=granularity,
        gap_note=_("Gaps: fewer than %(n)s") % {"n": disclosure.threshold()} if gaps else "",
    )
    return svg, points


def _runs(indices: Iterable[int]) -> list[list[int]]:
    """Consecutive indices grouped: [0, 1, 2, 5, 6] → [[0, 1, 2], [5, 6]] (a line is drawn
    through each group; the gaps stay gaps)."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _nice(top: int) -> int:
    """A round grid step giving about four lines."""
    raw = top / 4
    for step in (
        1,
        2,
        5,
        10,
        20,
        25,
        50,
        100,
        200,
        250,
        500,
        1000,
        2000,
        5000,
        10_000,
        20_000,
        50_000,
    ):
        if step >= raw:
            return step
    return 100_000


def heat_class(value: int, maximum: int) -> str:
    """CSS class heat-0 … heat-5 for a heatmap cell."""
    if value == 0 or maximum == 0:
        return "heat-0"
    return f"heat-{min(5, 1 + int(5 * value / (maximum + 1)))}"

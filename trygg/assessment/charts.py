"""Server-rendered SVG charts: no JavaScript needed, no inline styles (the CSP forbids
them), a title and description for screen readers, and the numbers in a table beside."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join

from trygg.assessment.services import SeriesPoint


def line_chart(
    points: list[SeriesPoint],
    *,
    title: str,
    description: str,
    label_now: str,
    label_last_year: str,
    date_format: str,
    width: int = 720,
    height: int = 240,
) -> str:
    pad_left, pad_right, pad_top, pad_bottom = 44, 12, 12, 34
    inner_w, inner_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    top = max([1] + [max(p.count, p.last_year) for p in points])
    step = max(1, _nice(top))
    top = step * -(-top // step)
    n = max(1, len(points) - 1)

    def xy(i: int, value: int) -> str:
        x = pad_left + inner_w * i / n
        y = pad_top + inner_h * (1 - value / top)
        return f"{x:.1f},{y:.1f}"

    now = " ".join(xy(i, p.count) for i, p in enumerate(points))
    before = " ".join(xy(i, p.last_year) for i, p in enumerate(points))
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid" stroke="#d5dbe3"/>'
        '<text x="{}" y="{}" class="chart-axis" text-anchor="end" font-size="11"'
        ' fill="#4a5361">{}</text>',
        (
            (
                pad_left,
                width - pad_right,
                f"{pad_top + inner_h * (1 - v / top):.1f}",
                f"{pad_top + inner_h * (1 - v / top):.1f}",
                pad_left - 6,
                f"{pad_top + inner_h * (1 - v / top) + 4:.1f}",
                v,
            )
            for v in range(0, top + 1, step)
        ),
    )
    every = max(1, len(points) // 8)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" class="chart-axis" text-anchor="middle" font-size="11"'
        ' fill="#4a5361">{}</text>',
        (
            (f"{pad_left + inner_w * i / n:.1f}", height - 10, p.period.strftime(date_format))
            for i, p in enumerate(points)
            if i % every == 0
        ),
    )
    legend_y = pad_top + 4
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}"'
        ' role="img"'
        ' aria-labelledby="chart-title chart-desc">'
        '<title id="chart-title">{title}</title><desc id="chart-desc">{desc}</desc>'
        "{grid}{ticks}"
        '<polyline points="{before}" class="chart-line chart-line--last-year" fill="none"'
        ' stroke="#8a4b00" stroke-width="2.5" stroke-dasharray="6 4"/>'
        '<polyline points="{now}" class="chart-line chart-line--now" fill="none"'
        ' stroke="#12355b" stroke-width="2.5"/>'
        '<g class="chart-legend">'
        '<line x1="{lx}" x2="{lx2}" y1="{ly}" y2="{ly}" class="chart-line chart-line--now"'
        ' stroke="#12355b" stroke-width="2.5"/>'
        '<text x="{lt}" y="{lty}" font-size="12" fill="#1b1f24">{label_now}</text>'
        '<line x1="{lx}" x2="{lx2}" y1="{ly2}" y2="{ly2}"'
        ' class="chart-line chart-line--last-year" stroke="#8a4b00" stroke-width="2.5"'
        ' stroke-dasharray="6 4"/>'
        '<text x="{lt}" y="{lty2}" font-size="12" fill="#1b1f24">{label_before}</text>'
        "</g></svg>",
        w=width,
        h=height,
        title=title,
        desc=description,
        grid=grid,
        ticks=ticks,
        before=before,
        now=now,
        lx=width - 170,
        lx2=width - 150,
        lt=width - 144,
        ly=legend_y,
        lty=legend_y + 4,
        ly2=legend_y + 16,
        lty2=legend_y + 20,
        label_now=label_now,
        label_before=label_last_year,
    )


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

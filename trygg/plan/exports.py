"""The plan as XLSX and as a PDF (Typst, Brå's table layout: cause – measure –
operational goal – when – who – follow-up, with status colours and indicator charts),
and the data of the public transparency page (small counts suppressed)."""

from __future__ import annotations

import datetime as dt
import io
from html import escape

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from trygg.assessment import comparison
from trygg.assessment import services as assessment
from trygg.assessment.filters import IncidentFilter
from trygg.cases.models import Case, Origin, State
from trygg.core import disclosure
from trygg.core import formats as figures
from trygg.core.models import Sensitivity
from trygg.core.permissions import Principal
from trygg.core.spreadsheets import safe_row
from trygg.documents.rendering import render_pdf
from trygg.incidents import coverage
from trygg.incidents.models import Source
from trygg.plan import services
from trygg.plan.models import (
    ActionPlan,
    Indicator,
    Measure,
    MeasureStatus,
    PlanVersion,
    Pledge,
)

STATUS_COLOURS = {
    MeasureStatus.GREEN: "#2e7d32",
    MeasureStatus.YELLOW: "#b7860b",
    MeasureStatus.RED: "#b3261e",
    MeasureStatus.DONE: "#12355b",
    MeasureStatus.CANCELLED: "#6b7280",
}


def _measures(plan: ActionPlan, principal: Principal | None):
    qs = Measure.objects.filter(plan=plan) if principal is None else (
        Measure.objects.visible_to(principal).filter(plan=plan)
    )  # fmt: skip
    return list(
        qs.select_related("owner_organisation", "problem", "cause")
        .prefetch_related("partners", "indicators__measurements", "target_areas")
        .order_by("order", "id")
    )


def _number(value) -> str:
    if value is None:
        return "–"
    return figures.figure(value)


def _indicator_text(indicator: Indicator) -> str:
    p = services.progress(indicator, services.latest_value(indicator))
    unit = f" {indicator.unit}" if indicator.unit else ""
    return (
        f"{indicator.name}: {_('baseline')} {_number(indicator.baseline)}{unit}, "
        f"{_('target')} {_number(indicator.target)}{unit}, {_('latest')} {_number(p.latest)}{unit}"
    )


# --- XLSX ---------------------------------------------------------------------------


def plan_xlsx(plan: ActionPlan, principal: Principal | None = None, lang: str = "sv") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    with translation.override(lang):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Measures")[:31]
        header = [
            _("Problem"), _("Cause"), _("Measure"), _("Operational goal"), _("When"),
            _("Responsible"), _("Partners"), _("Follow-up"), _("Status"), _("Indicators"),
        ]  # fmt: skip
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for m in _measures(plan, principal):
            sheet.append(
                safe_row(
                    [
                        m.problem.title if m.problem else "",
                        m.cause.description if m.cause else "",
                        m.title,
                        m.goal,
                        f"{m.start:%Y-%m-%d} – {m.end:%Y-%m-%d}",
                        m.owner_organisation.name,
                        ", ".join(p.name for p in m.partners.all()),
                        m.follow_up,
                        m.get_status_display(),
                        "\n".join(_indicator_text(i) for i in m.indicators.all()),
                    ]
                )
            )
            status_cell = sheet.cell(row=sheet.max_row, column=9)
            status_cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[m.status].lstrip("#"))
            status_cell.font = Font(color="FFFFFF", bold=True)
        for column, width in zip(
            "ABCDEFGHIJ", (30, 30, 34, 34, 22, 28, 30, 28, 12, 60), strict=True
        ):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        indicators = workbook.create_sheet(_("Indicators")[:31])
        indicators.append([_("Measure"), _("Indicator"), _("From"), _("To"), _("Value"),
                           _("Baseline"), _("Target")])  # fmt: skip
        for m in _measures(plan, principal):
            for i in m.indicators.all():
                for value in i.measurements.all():
                    indicators.append(safe_row([m.title, i.name, value.period_start,
                                                value.period_end, value.value, i.baseline,
                                                i.target]))  # fmt: skip
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


# --- PDF ----------------------------------------------------------------------------


def indicator_chart(indicator: Indicator, width: int = 320, height: int = 90) -> str:
    """Bars of the measured values with the baseline (grey) and target (green) lines."""
    values = [(m.period_end, m.value) for m in indicator.measurements.all() if m.value is not None]
    top = max([v for _, v in values] + [indicator.target or 0, indicator.baseline or 0, 1]) * 1.15
    left, bottom = 4, height - 14
    bar_w = (width - 2 * left) / max(1, len(values)) * 0.7
    step = (width - 2 * left) / max(1, len(values))

    def y(v: float) -> float:
        return bottom - (bottom - 6) * v / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">']
    parts.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    for k, (day, value) in enumerate(values):
        x = left + k * step + (step - bar_w) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
            f'height="{bottom - y(value):.1f}" fill="#6baed6"/>'
            f'<text x="{x + bar_w / 2:.1f}" y="{height - 3}" font-size="8" text-anchor="middle" '
            f'fill="#1b1f24">{escape(day.strftime("%Y-%m"))}</text>'
        )
    for value, colour in ((indicator.baseline, "#6b7280"), (indicator.target, "#2e7d32")):
        if value is not None:
            parts.append(
                f'<line x1="{left}" x2="{width - left}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - left}" y1="{bottom}" y2="{bottom}" stroke="#1b1f24"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _live_rows(plan: ActionPlan, principal: Principal | None, files: dict[str, str]) -> list:
    """The working plan's measures, with their indicators' follow-up charts."""
    rows = []
    for m in _measures(plan, principal):
        charts = []
        for i in m.indicators.all():
            name = f"ind-{i.pk}.svg"
            files[name] = indicator_chart(i)
            charts.append({"file": name, "text": _indicator_text(i)})
        rows.append(
            {
                "problem": m.problem.title if m.problem else "",
                "cause": m.cause.description if m.cause else "",
                "measure": m.title,
                "description": m.description,
                "goal": m.goal,
                "when": f"{m.start:%Y-%m-%d} – {m.end:%Y-%m-%d}",
                "who": _who(m.owner_organisation.name, [p.name for p in m.partners.all()]),
                "follow_up": m.follow_up,
                "status": m.get_status_display(),
                "colour": STATUS_COLOURS[m.status],
                "indicators": charts,
            }
        )
    return rows


def _frozen_rows(version: PlanVersion, principal: Principal | None) -> list:
    """A decided version's measures exactly as its snapshot froze them (texts, dates,
    indicators with baseline and target), as far as the reader may see them."""
    statuses = dict(MeasureStatus.choices)

    def unit(i: dict) -> str:
        return f" {i['unit']}" if i.get("unit") else ""

    return [
        {
            "problem": m.get("problem", ""),
            "cause": m.get("cause", ""),
            "measure": m["title"],
            "description": m.get("description", ""),
            "goal": m.get("goal", ""),
            "when": f"{m['start']} – {m['end']}",
            "who": _who(m["responsible"], m.get("partners") or []),
            "follow_up": m.get("follow_up", ""),
            "status": str(statuses.get(m["status"], m["status"])),
            "colour": STATUS_COLOURS.get(m["status"], "#6b7280"),
            "indicators": [
                {
                    "file": "",
                    "text": f"{i['name']}: {_('baseline')} {_number(i['baseline'])}{unit(i)}, "
                    f"{_('target')} {_number(i['target'])}{unit(i)}",
                }
                for i in m.get("indicators", [])
            ],
        }
        for m in services.frozen_measures(version, principal)
    ]


def plan_pdf(
    plan: ActionPlan,
    principal: Principal | None = None,
    lang: str = "sv",
    version: PlanVersion | None = None,
) -> bytes:
    """The plan as a PDF: a decided ``version`` exactly as it was frozen, with its
    decision; otherwise the working plan, marked "Draft — not decided" on every page."""
    files: dict[str, str] = {}
    with translation.override(lang):
        if version is not None:
            if version.plan_id != plan.pk:
                raise ValueError("the version belongs to another plan")
            rows = _frozen_rows(version, principal)
            title = version.snapshot.get("title", plan.title)
            start, end = version.snapshot.get("period", [None, None])
            period = f"{start} – {end}" if start else ""
            version_line = _("Version %(n)s, decided by %(body)s on %(date)s %(ref)s") % {
                "n": version.number,
                "body": version.decided_by,
                "date": formats.date_format(version.decided_on, "j F Y"),
                "ref": f"({version.minute_ref})" if version.minute_ref else "",
            }
        else:
            rows = _live_rows(plan, principal, files)
            title = plan.title
            period = f"{plan.period_start:%Y-%m-%d} – {plan.period_end:%Y-%m-%d}"
            last = plan.versions.order_by("-number").first()
            version_line = (
                _("The working plan, with changes since version %(n)s (decided %(date)s)")
                % {"n": last.number, "date": formats.date_format(last.decided_on, "j F Y")}
                if last
                else _("The working plan: no version has been decided yet")
            )
        data = {
            "lang": lang,
            "title": title,
            "municipality": plan.municipality.name,
            "period": period,
            "version": version_line,
            "draft": _("Draft — not decided") if version is None else "",
            "generated": formats.date_format(timezone.localtime(), "j F Y H:i"),
            "rows": rows,
            "groups": _by_problem(rows),
            "labels": {
                "kicker": _("Action plan – crime prevention (lag 2023:196)"),
                "problem": _("Problem"),
                "cause": _("Cause"),
                "measure": _("Measure"),
                "goal": _("Operational goal"),
                "when": _("When"),
                "who": _("Who"),
                "follow_up": _("Follow-up"),
                "status": _("Status"),
                "indicators": _("Indicators"),
                "legend": _("Dashed lines: baseline (grey) and target (green)."),
                "generated": _("Generated by Trygg"),
                "no_measures": _("The plan has no measures yet."),
                "no_problem": _("Measures not tied to a problem"),
            },
        }
        return render_pdf("plan", data, files)


def _who(owner: str, partners: list[str]) -> str:
    """ "Owner. With: A, B." — names have their own parentheses ("Polisen (lokalpolisområde
    …)"), so partners are not put in more."""
    if not partners:
        return owner
    return f"{owner}. " + _("With: %(partners)s") % {"partners": ", ".join(partners)}


def _by_problem(rows: list[dict]) -> list[dict]:
    """The measures grouped under their problems, as Brå's template lays a plan out: the
    problems in the order their first measure has, measures without one last."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["problem"], []).append(row)
    ordered = [k for k in groups if k] + ([""] if "" in groups else [])
    return [{"problem": k, "rows": groups[k]} for k in ordered]


# --- The public page ----------------------------------------------------------------


def public_data(municipality, plan: ActionPlan) -> dict:
    """What the public transparency page shows: public measures with their status and
    indicator progress, the pledges and their follow-up, fixed walk findings, the trend
    of reported incidents — every count below the threshold as "<5"."""
    # The decided plan's measures (a measure added since is not decided yet), each with
    # how it goes now.
    version = plan.versions.order_by("-number").first()
    decided = {m["id"] for m in (version.snapshot.get("measures", []) if version else [])}
    measures = [
        m for m in _measures(plan, None) if m.sensitivity == Sensitivity.PUBLIC and m.pk in decided
    ]
    rows = []
    for m in measures:
        indicators = []
        for i in m.indicators.all():
            p = services.progress(i, services.latest_value(i))
            counts = i.kind in ("incidents", "activities")
            # A progress share computed from a suppressed count would give it away. The
            # target is the plan's own figure, not a count of anyone: never suppressed.
            hidden = counts and any(
                v is not None and disclosure.is_suppressed(v) for v in (i.baseline, p.latest)
            )
            indicators.append(
                {
                    "name": i.name,
                    "unit": i.unit,
                    "baseline": services.suppress(i.baseline) if counts else _number(i.baseline),
                    "target": _number(i.target),
                    "latest": services.suppress(p.latest) if counts else _number(p.latest),
                    "percent": None if hidden else p.percent,
                    "reached": False if hidden else p.reached,
                }
            )
        rows.append({"measure": m, "indicators": indicators})
    by_status = {s: sum(1 for m in measures if m.status == s) for s in MeasureStatus.values}
    walk_cases = Case.objects.filter(municipality=municipality, origin=Origin.WALK)
    return {
        "plan": plan,
        "version": version,
        "rows": rows,
        # The municipality's own measures, counted: no one to protect, shown as they are.
        "by_status": [(MeasureStatus(s), str(n)) for s, n in by_status.items()],
        "lead_title": _title_with_period(plan),
        "pledges": Pledge.objects.filter(municipality=municipality).prefetch_related("follow_ups")[
            :6
        ],
        "walk_findings_fixed": services.suppress(walk_cases.filter(state=State.FIXED).count()),
        "walk_findings_total": services.suppress(walk_cases.exclude(state=State.HIDDEN).count()),
        **_public_trend(municipality),
    }


def _title_with_period(plan) -> str:
    """ "Åtgärdsplan 2026–2027" as it is; "Åtgärdsplan, 2026–2027" when the title does
    not already say its years."""
    start, end = plan.period_start.year, plan.period_end.year
    period = str(start) if start == end else f"{start}–{end}"
    if period in plan.title or (str(start) in plan.title and str(end) in plan.title):
        return plan.title
    return f"{plan.title}, {period}"


def _public_trend(municipality) -> dict:
    """Public incidents per quarter over the last eight whole quarters (the current one is
    not over), counted only from the public sources that cover all eight — a source that
    joined later would read as a rise — with a note of those left out; counts below the
    threshold suppressed."""
    today = timezone.localdate()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarters = []
    for k in range(8, 0, -1):
        start = services.add_months(quarter_start, -3 * k)
        quarters.append((start, services.add_months(start, 3) - dt.timedelta(days=1)))
    public_sources = tuple(
        Source.objects.filter(
            municipality=municipality, default_sensitivity=Sensitivity.PUBLIC
        ).values_list("pk", flat=True)
    )
    sources = coverage.comparable(municipality.pk, quarters, public_sources or (0,))
    out = []
    if sources.possible:
        for start, end in quarters:
            f = IncidentFilter(
                municipality_id=municipality.pk,
                date_from=start,
                date_to=end,
                sources=sources.source_ids,
            )
            n = sum(assessment.summary_counts(f, "category", sensitivities=("public",)).values())
            label = f"{start.year} K{(start.month - 1) // 3 + 1}"
            out.append({"label": label, "count": services.suppress(n)})
    return {
        "quarters": out,
        "quarters_note": comparison.exclusion_note(sources, _("the quarters shown")),
    }

"""The statutory lägesbild (lag 2023:196) as a PDF: mapping of crime, its extent and
consequences; other relevant information; analysis; sources and method; definitions.

Only aggregates enter the document, never restricted incidents. The public version counts
only public sources and shows every count below 5 as "<5" (docs/privacy.md §3); the
partners' version also counts the partners' own sources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trygg.assessment import analysis, charts, sections, services
from trygg.assessment.filters import IncidentFilter
from trygg.core import disclosure
from trygg.core import services as core_services
from trygg.core.models import Area, Municipality, Sensitivity
from trygg.core.permissions import Principal
from trygg.documents.rendering import render_pdf
from trygg.documents.svgmap import area_map
from trygg.incidents.models import FieldReport, Incident, Source
from trygg.incidents.taxonomy import Category
from trygg.surveys.models import SurveyResult
from trygg.surveys.questions import QUESTION_SETS


@dataclass
class LagesbildRequest:
    municipality: Municipality
    date_from: dt.date
    date_to: dt.date
    public: bool = False
    language: str = "sv"
    version: int = 1
    texts: dict = field(default_factory=dict)  # "summary", "analysis": the coordinator's


_n = disclosure.shown  # a count as printed: "<5" where the public version must suppress it


def _rate(count: int, population, public: bool):
    if not population or (public and disclosure.is_suppressed(count)):
        return "–"
    return formats.number_format(1000 * count / population, 1)


def _pct(now: int, before: int) -> str:
    if before == 0:
        return "–"
    return f"{100 * (now - before) / before:+.0f} %"


def _change(now: int, before: int, public: bool) -> str:
    """The change in per cent; in the public version only where both counts are at least
    the threshold (a percentage of a suppressed count would reveal it)."""
    if public and min(now, before) < disclosure.threshold():
        return "–"
    return _pct(now, before)


def build(request: LagesbildRequest) -> tuple[dict, dict[str, str]]:
    """The document's data (for the Typst template) and its image files."""
    m = request.municipality
    public = request.public
    sens = (Sensitivity.PUBLIC,) if public else (Sensitivity.PUBLIC, Sensitivity.PARTNERS)
    f = IncidentFilter(m.pk, request.date_from, request.date_to)
    previous, last_year = f.previous_period(), f.last_year()

    def counts(flt, *fields):
        return services.summary_counts(flt, *fields, sensitivities=sens)

    total = sum(counts(f, "category").values())
    total_prev = sum(counts(previous, "category").values())
    total_ly = sum(counts(last_year, "category").values())
    areas = list(Area.objects.filter(municipality=m).order_by("name"))
    by_area = counts(f, "area_id")
    by_area_ly = counts(last_year, "area_id")
    by_cat = counts(f, "category")
    by_cat_prev = counts(previous, "category")
    by_cat_ly = counts(last_year, "category")
    labels = dict(Category.choices)

    # Time series chart
    granularity = services.granularity_for(f)
    points = services.with_last_year(
        services.bucket(counts(f, "day"), f, granularity),
        services.bucket(counts(last_year, "day"), last_year, granularity),
        granularity,
    )
    chart = charts.line_chart(
        points,
        title=_("Incidents per %(period)s") % {"period": _(granularity)},
        description="",
        label_now=_("This period"),
        label_last_year=_("Last year"),
        date_format={"day": "%d/%m", "week": "%d/%m", "month": "%b %y"}[granularity],
    )

    # Map: areas shaded by count, hot cells (Gi*, 95 %+) on top
    geo = core_services.areas_geojson(m)
    map_areas = [
        {"id": feat["id"], "name": feat["properties"]["name"], "geometry": feat["geometry"]}
        for feat in geo["features"]
    ]
    hot_cells = []
    hotspot_sentence = ""
    if not public:
        colours = {3: "#b2182b", 2: "#ef8a62"}
        layers = analysis.spatial_layers(Principal.partners_view(m), f)
        if layers["events"]:
            hotspot_sentence = _(
                "%(hot)s squares of 250 m are significant hotspots and %(cold)s cold spots "
                "(Getis-Ord Gi*, 90 %% confidence or more after correction for multiple tests); "
                "the map shows those at 95 %% and 99 %%."
            ) % {"hot": layers.get("hot_cells", 0), "cold": layers.get("cold_cells", 0)}
        hot_cells = [
            {"geometry": feat["geometry"], "fill": colours[feat["properties"]["class"]]}
            for feat in layers["hotspots"]["features"]
            if feat["properties"]["class"] in colours
        ]
    map_svg = area_map(map_areas, {a.pk: by_area.get((a.pk,), 0) for a in areas}, hot_cells)

    areas_table = {
        "header": [
            _("Area"),
            _("Incidents"),
            _("Per 1 000 residents"),
            _("Last year"),
            _("Change"),
        ],
        "rows": [
            [
                a.name,
                _n(by_area.get((a.pk,), 0), public),
                _rate(by_area.get((a.pk,), 0), a.population, public),
                _n(by_area_ly.get((a.pk,), 0), public),
                _change(by_area.get((a.pk,), 0), by_area_ly.get((a.pk,), 0), public),
            ]
            for a in areas
        ]
        + [
            [
                _("Somewhere in the municipality"),
                _n(by_area.get((None,), 0), public),
                "–",
                _n(by_area_ly.get((None,), 0), public),
                "–",
            ]
        ],
    }
    categories_table = {
        "header": [_("Category"), _("Incidents"), _("Previous period"), _("Last year")],
        "rows": [
            [
                str(labels[c]),
                _n(by_cat.get((c,), 0), public),
                _n(by_cat_prev.get((c,), 0), public),
                _n(by_cat_ly.get((c,), 0), public),
            ]
            for c in Category.values
        ]
        + [[_("Total"), _n(total, public), _n(total_prev, public), _n(total_ly, public)]],
    }
    changes = sorted(
        Category.values, key=lambda c: -abs(by_cat.get((c,), 0) - by_cat_ly.get((c,), 0))
    )[:5]
    changes_table = {
        "header": [_("Category"), _("Now"), _("Last year"), _("Change")],
        "rows": [
            [
                str(labels[c]),
                _n(by_cat.get((c,), 0), public),
                _n(by_cat_ly.get((c,), 0), public),
                _change(by_cat.get((c,), 0), by_cat_ly.get((c,), 0), public),
            ]
            for c in changes
        ],
    }

    # Other relevant information
    surveys_table = _surveys_table(m)
    observations_table = None
    if not public:
        reports = FieldReport.objects.filter(
            municipality=m, date__gte=f.date_from, date__lte=f.date_to
        ).exclude(sensitivity=Sensitivity.RESTRICTED)
        per_area: dict[str, list[int]] = {}
        for r in reports.select_related("area"):
            entry = per_area.setdefault(r.area.name, [0, 0])
            entry[0] += 1
            entry[1] += r.young_people_met
        if per_area:
            observations_table = {
                "header": [_("Area"), _("Rounds"), _("Young people met")],
                "rows": [[name, v[0], v[1]] for name, v in sorted(per_area.items())],
            }
    contributed = sections.build_all(
        sections.SectionRequest(m, request.date_from, request.date_to, public)
    )
    sources = Source.objects.filter(municipality=m, default_sensitivity__in=sens).select_related(
        "owner_organisation"
    )
    sources_table = {
        "header": [_("Source"), _("Organisation"), _("Incidents in the period")],
        "rows": [
            [
                s.name,
                s.owner_organisation.name,
                _n(
                    Incident.objects.filter(
                        source=s,
                        occurred_date__gte=f.date_from,
                        occurred_date__lte=f.date_to,
                        counts_in_statistics=True,
                        sensitivity__in=sens,
                    ).count(),
                    public,
                ),
            ]
            for s in sources
        ],
    }

    # Analysis (partners' version: the engine's statements; public: only totals-based ones)
    findings = []
    if not public:
        system = Principal.partners_view(m)
        if hotspot_sentence:
            findings.append(hotspot_sentence)
        findings += [t.sentence for t in analysis.trend_findings(system, f)]
        findings += [t.sentence for t in analysis.monthly_trends(system, f)]
        # The document states the near-repeat pattern of the period's last year.
        findings.append(
            analysis.near_repeat_finding(system, f, max_events=5000, last_days=365).sentence
        )
    summary = [
        _(
            "From %(from)s to %(to)s, %(n)s incidents were recorded in %(municipality)s: "
            "%(prev)s in the previous period of the same length and %(ly)s in the same period "
            "last year."
        )
        % {
            "from": f.date_from,
            "to": f.date_to,
            "n": _n(total, public),
            "municipality": m.name,
            "prev": _n(total_prev, public),
            "ly": _n(total_ly, public),
        }
    ]
    if request.texts.get("summary"):
        summary.append(request.texts["summary"])
    kpis = {
        "header": [_("Key figure"), _("Value")],
        "rows": [
            [_("Incidents in the period"), _n(total, public)],
            [_("Change from the same period last year"), _pct(total, total_ly)],
            [_("Incidents per 1 000 residents"), _rate(total, m.population, public)],
        ],
    }
    demo = Area.objects.filter(municipality=m, is_demo=True).exists()
    data = {
        "lang": translation.get_language()[:2],
        "title": _("Situation picture"),
        "municipality": f"{m.name} ({m.code})",
        "period": f"{f.date_from} – {f.date_to}",
        "version_line": _("Version %(v)s, generated %(when)s")
        % {"v": request.version, "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        "audience_label": _("Public version") if public else _("Version for the partners"),
        "demo_note": _("The data in this document are synthetic demo data.") if demo else "",
        "summary": summary,
        "kpis": kpis,
        "areas_table": areas_table,
        "categories_table": categories_table,
        "changes_table": changes_table,
        "surveys_table": surveys_table,
        "observations_table": observations_table,
        **contributed,
        "sources_table": sources_table,
        "findings": findings,
        "coordinator_analysis": request.texts.get("analysis", ""),
        # Each method text begins "Title: …": the title is printed in bold.
        "methods": [
            [part.strip() for part in str(text).split(":", 1)]
            for text in [_COUNTS_METHOD, *analysis.METHODS.values()]
        ],
        "definitions_table": {
            "header": [_("Term"), _("Meaning")],
            "rows": [[str(labels[c]), str(_DEFINITIONS.get(c, ""))] for c in Category.values],
        },
        "labels": _labels(),
    }
    return data, {"chart.svg": chart, "map.svg": map_svg}


def _surveys_table(m):

    latest = SurveyResult.objects.filter(
        survey__municipality=m, group="all", area=None
    ).select_related("survey")
    rows = []
    seen = set()
    for r in latest.order_by("-survey__year"):
        if (r.survey.question_set, r.question) in seen or r.value is None:
            continue
        seen.add((r.survey.question_set, r.question))
        q = QUESTION_SETS[r.survey.question_set].get(r.question)
        if q is None:
            continue
        value = f"{100 * r.value:.0f} %" if q.kind == "share" else f"{r.value:.1f}"
        rows.append([str(q.label), r.survey.year, value, r.n])
    if not rows:
        return None
    return {"header": [_("Question"), _("Year"), _("Result"), _("Answers")], "rows": rows}


_COUNTS_METHOD = gettext_lazy(
    "Counts: incidents from the sources listed, by the date they occurred; the police's "
    "daily summaries are not counted. Incidents known only to the municipality (the police "
    "feed's centroids) are counted for the municipality, not for an area. Rates use each "
    "area's population. In the public version, every count below 5 is shown as <5."
)
_DEFINITIONS = {
    Category.VIOLENCE: gettext_lazy(
        "Assault, murder and attempts, sexual violence, unlawful deprivation of liberty."
    ),
    Category.WEAPONS: gettext_lazy(
        "Shootings, explosions and detonations, bomb threats, weapons and knife offences."
    ),
    Category.ROBBERY: gettext_lazy("Robbery of persons and businesses, armed or not."),
    Category.BURGLARY: gettext_lazy(
        "Burglary of homes, cellars, storage rooms and premises, and attempts."
    ),
    Category.THEFT: gettext_lazy(
        "Theft, including of and from vehicles and bicycles, and receiving."
    ),
    Category.VANDALISM: gettext_lazy("Criminal damage, broken glass, graffiti."),
    Category.FIRE: gettext_lazy("Fires and arson: cars, containers, refuse rooms, buildings."),
    Category.DRUGS: gettext_lazy("Drug offences and signs of drug dealing or use (e.g. needles)."),
    Category.DISORDER: gettext_lazy(
        "Fights, drunkenness, disorder by groups, breaches of the peace."
    ),
    Category.THREATS: gettext_lazy(
        "Unlawful threats, harassment, threats and violence against staff."
    ),
    Category.TRAFFIC: gettext_lazy("Traffic accidents and offences such as drink-driving."),
    Category.OTHER: gettext_lazy("Everything else a source reports, and new types not yet mapped."),
}


def _labels() -> dict[str, str]:
    return {
        "cover_kicker": _("Lägesbild according to the crime-prevention act (2023:196)"),
        "summary": _("Summary"),
        "mapping": _("Crime, its extent and consequences"),
        "mapping_intro": _(
            "Reported incidents from the police and the municipality's partners, by time, "
            "place and category, compared with the previous period and with last year."
        ),
        "over_time": _("Over time"),
        "chart_caption": _("Incidents per period, this period and the same period last year."),
        "per_area": _("Per area"),
        "map_caption": _("Incidents per area: darker is more."),
        "per_category": _("Per category"),
        "changes": _("Largest changes from last year"),
        "other": _("Other relevant information"),
        "surveys": _("Perceived safety"),
        "no_surveys": _("No survey results for the municipality yet."),
        "observations": _("Field workers' observations"),
        "no_observations": _("Not included in this version."),
        "cases": _("Places reported to be fixed"),
        "no_cases": _("No places were reported in the period."),
        "partner_observations": _("The partners' weekly observations"),
        "sources": _("Sources"),
        "analysis": _("Analysis"),
        "no_findings": _("No significant changes, trends or near-repeat patterns were found."),
        "coordinator_analysis": _("The coordinator's analysis"),
        "method": _("Sources and method"),
        "appendix": _("Appendix: definitions"),
    }


def generate(request: LagesbildRequest, progress=None) -> bytes:
    """The PDF. ``progress(percent)`` is called as the work advances (for the UI)."""
    with translation.override(request.language):
        data, files = build(request)
        if progress:
            progress(60)
        pdf = render_pdf("lagesbild", data, files)
        if progress:
            progress(95)
        return pdf

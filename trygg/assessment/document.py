"""The statutory lägesbild (lag 2023:196) as a PDF: mapping of crime, its extent and
consequences; other relevant information; analysis; sources and method; definitions.

Only aggregates enter the document, never restricted incidents. The public version counts
only public sources and shows every count below 5 as "<5" (docs/privacy.md §3); the
partners' version also counts the partners' own sources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trygg.analysis import trends
from trygg.assessment import analysis, charts, comparison, sections, services
from trygg.assessment.filters import IncidentFilter
from trygg.core import disclosure, formats
from trygg.core import services as core_services
from trygg.core.models import Area, Municipality, Sensitivity
from trygg.core.permissions import Principal
from trygg.core.services.populations import populations_in
from trygg.documents.rendering import render_pdf
from trygg.documents.svgmap import area_map
from trygg.incidents import coverage as source_coverage
from trygg.incidents.models import FieldReport, Incident, PoliceFeedFollow, Source
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


_n = disclosure.printed  # a count as printed: "<5" where the public version must suppress it


def _rate(count: int, population, public: bool):
    if not population or (public and disclosure.is_suppressed(count)):
        return "–"
    return formats.number(1000 * count / population, 1)


def _reading_cells(now: int, before: int, public: bool) -> list[str]:
    """[change, what the test says] for a row of a changes table: the change in per cent
    only where there are enough incidents to say anything, and in the public version only
    where both counts are at least the threshold (a percentage of a suppressed count
    would reveal it)."""
    if public and min(now, before) < disclosure.threshold():
        return ["–", ""]
    reading = trends.read_change(now, before)
    if reading.kind == "too_few":
        return ["–", _("too few incidents")]
    verdict = {
        "increase": _("significant increase"),
        "decrease": _("significant decrease"),
    }.get(reading.kind, _("within chance"))
    if reading.percent is None:
        return [_("none before"), verdict]
    return [formats.percent(reading.percent, signed=True), verdict]


@dataclass
class _Figures:
    """The period's counts the document is built from, read once from the summary table:
    this period, the previous period of the same length and the same period last year."""

    request: LagesbildRequest
    f: IncidentFilter
    previous: IncidentFilter
    last_year: IncidentFilter
    sensitivities: tuple[str, ...]
    areas: list[Area]
    by_area: dict
    by_cat: dict
    vs_previous: comparison.Comparison
    vs_last_year: comparison.Comparison
    # Residents in the period's year: {area id: population}, and the municipality's.
    area_populations: dict[int, int]
    population: int | None

    @property
    def public(self) -> bool:
        return self.request.public

    def counts(self, flt: IncidentFilter, *fields: str) -> dict:
        return services.summary_counts(flt, *fields, sensitivities=self.sensitivities)

    @property
    def total(self) -> int:
        return sum(self.by_cat.values())


def _figures(request: LagesbildRequest) -> _Figures:
    m = request.municipality
    public_only = (Sensitivity.PUBLIC,)
    sens = public_only if request.public else (Sensitivity.PUBLIC, Sensitivity.PARTNERS)
    f = IncidentFilter(m.pk, request.date_from, request.date_to)
    previous, last_year = f.previous_period(), f.last_year()

    def counts(flt: IncidentFilter, *fields: str) -> dict:
        return services.summary_counts(flt, *fields, sensitivities=sens)

    def total(flt: IncidentFilter) -> int:
        return sum(counts(flt, "category").values())

    area_populations, population = populations_in(m.pk, request.date_to.year)
    return _Figures(
        request=request,
        area_populations=area_populations,
        population=population,
        f=f,
        previous=previous,
        last_year=last_year,
        sensitivities=sens,
        areas=list(Area.objects.filter(municipality=m).order_by("name")),
        by_area=counts(f, "area_id"),
        by_cat=counts(f, "category"),
        vs_previous=comparison.compare(f, previous, _("the previous period"), total),
        vs_last_year=comparison.compare(f, last_year, _("the same period last year"), total),
    )


def _chart(fig: _Figures) -> str:
    """Incidents per day, week or month, against the same period last year (the sources
    that cover both years), partial periods marked."""
    granularity = services.granularity_for(fig.f)
    if fig.public and granularity == "day":
        granularity = "week"  # a public chart of single days would be mostly gaps
    svg, _points = charts.comparison_chart(
        fig.f,
        fig.vs_last_year,
        granularity,
        lambda flt: fig.counts(flt, "day"),
        label_now=_("This period"),
        suppress=fig.public,
    )
    return svg


def _map(fig: _Figures) -> tuple[str, str]:
    """(the map: areas shaded by count, hot cells of Gi* at 95 %+ on top; the hotspot
    statement). The public version has no hot cells."""
    m = fig.request.municipality
    geo = core_services.areas_geojson(m)
    map_areas = [
        {"id": feat["id"], "name": feat["properties"]["name"], "geometry": feat["geometry"]}
        for feat in geo["features"]
    ]
    hot_cells = []
    hotspot_sentence = ""
    if not fig.public:
        colours = {3: "#b2182b", 2: "#ef8a62"}
        layers = analysis.spatial_layers(Principal.partners_view(m), fig.f)
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
    shading = {a.pk: fig.by_area.get((a.pk,), 0) for a in fig.areas}
    keys = (
        []
        if fig.public
        else [
            ("#b2182b", _("Hotspot, %(level)s %% confidence (Gi*)") % {"level": 99}),
            ("#ef8a62", _("Hotspot, %(level)s %% confidence (Gi*)") % {"level": 95}),
        ]
    )
    svg = area_map(
        map_areas,
        shading,
        hot_cells,
        shading=(_("Fewer incidents"), _("More incidents")),
        keys=keys,
    )
    return svg, hotspot_sentence


def _areas_table(fig: _Figures) -> dict:
    public = fig.public
    return {
        "header": [_("Area"), _("Incidents"), _("Per 1 000 residents")],
        "rows": [
            [
                a.name,
                _n(fig.by_area.get((a.pk,), 0), public),
                _rate(fig.by_area.get((a.pk,), 0), fig.area_populations.get(a.pk), public),
            ]
            for a in fig.areas
        ]
        + [
            [
                _("Somewhere in the municipality"),
                _n(fig.by_area.get((None,), 0), public),
                "–",
            ]
        ],
    }


def _categories_table(fig: _Figures) -> dict:
    public, labels = fig.public, dict(Category.choices)
    return {
        "header": [_("Category"), _("Incidents")],
        "rows": [[str(labels[c]), _n(fig.by_cat.get((c,), 0), public)] for c in Category.values]
        + [[_("Total"), _n(fig.total, public)]],
    }


def _changes_table(fig: _Figures, field: str) -> dict | None:
    """The five categories (or areas) that changed most against the same period last
    year, counted from the sources that cover both years, each with what the test says;
    None when nothing can be compared (the note says why)."""
    vs = fig.vs_last_year
    if not vs.possible:
        return None
    now, before = fig.counts(vs.now, field), fig.counts(vs.then, field)
    if field == "category":
        labels: dict = dict(Category.choices)
        keys: list = list(Category.values)
        header = _("Category")
    else:
        labels = {a.pk: a.name for a in fig.areas}
        keys = [a.pk for a in fig.areas]
        header = _("Area")
    top = sorted(keys, key=lambda k: -abs(now.get((k,), 0) - before.get((k,), 0)))[:5]
    public = fig.public
    return {
        "header": [header, _("Now"), _("Last year"), _("Change"), _("Reading")],
        "rows": [
            [
                str(labels[k]),
                _n(now.get((k,), 0), public),
                _n(before.get((k,), 0), public),
                *_reading_cells(now.get((k,), 0), before.get((k,), 0), public),
            ]
            for k in top
        ],
    }


def _field_rounds_table(fig: _Figures) -> dict | None:
    """Field workers' rounds per area (partners' version only), read as every partner may."""
    if fig.public:
        return None
    reader = Principal.partners_view(fig.request.municipality)
    reports = FieldReport.objects.visible_to(reader).filter(
        date__gte=fig.f.date_from, date__lte=fig.f.date_to
    )
    per_area: dict[str, list[int]] = {}
    for r in reports.select_related("area"):
        entry = per_area.setdefault(r.area.name, [0, 0])
        entry[0] += 1
        entry[1] += r.young_people_met
    if not per_area:
        return None
    return {
        "header": [_("Area"), _("Rounds"), _("Young people met")],
        "rows": [
            [name, formats.number(v[0]), formats.number(v[1])]
            for name, v in sorted(per_area.items())
        ],
    }


def _sources_table(fig: _Figures) -> dict:
    """The sources the version counts: their incidents in the period and the days each
    covers (what was imported), with the gaps inside the period and a year before it."""
    m = fig.request.municipality
    sources = Source.objects.filter(
        municipality=m, default_sensitivity__in=fig.sensitivities
    ).select_related("owner_organisation")
    per_source = dict(
        Incident.objects.filter(
            municipality=m,
            occurred_date__gte=fig.f.date_from,
            occurred_date__lte=fig.f.date_to,
            counts_in_statistics=True,
            sensitivity__in=fig.sensitivities,
        )
        .values_list("source_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    spans = source_coverage.coverage(m.pk)
    window = (fig.last_year.date_from, fig.f.date_to)

    def covered(source_id: int) -> str:
        cov = spans.get(source_id)
        if cov is None or cov.first is None or cov.last is None:
            return _("nothing imported")
        text = formats.span(cov.first, cov.last)
        if gaps := cov.gaps_within([window]):
            text += "; " + comparison.missing_text(gaps)
        return text

    return {
        "header": [_("Source"), _("Organisation"), _("Incidents in the period"), _("Covers")],
        "rows": [
            [
                s.name,
                s.owner_organisation.name,
                _n(per_source.get(s.pk, 0), fig.public),
                covered(s.pk),
            ]
            for s in sources
        ],
    }


def _findings(fig: _Figures, hotspot_sentence: str) -> list[str]:
    """The analysis: the change against last year as the summary reads it (one reading
    for both), then — partners' version — the engine's statements in words."""
    findings = [fig.vs_last_year.sentence]
    if fig.public:
        return findings
    reader = Principal.partners_view(fig.request.municipality)
    findings += [hotspot_sentence] if hotspot_sentence else []
    findings += [t.sentence for t in analysis.trend_findings(reader, fig.f)]
    findings += [t.sentence for t in analysis.monthly_trends(reader, fig.f)]
    # The document states the near-repeat pattern of the period's last year.
    findings.append(
        analysis.near_repeat_finding(reader, fig.f, max_events=5000, last_days=365).sentence
    )
    return findings


def _summary(fig: _Figures) -> tuple[list[str], dict]:
    """The summary's sentences (the coordinator's text after Trygg's) and the key figures.
    The changes are read by the same Comparison the analysis section states."""
    request, public, m = fig.request, fig.public, fig.request.municipality
    summary = [
        _("From %(from)s to %(to)s, %(n)s were recorded in %(municipality)s.")
        % {
            "from": formats.date(fig.f.date_from),
            "to": formats.date(fig.f.date_to),
            "n": _count_text(fig.total, public),
            "municipality": m.name,
        }
    ]
    # A year or longer: the previous period is last year, one comparison not two.
    shown = (
        [fig.vs_last_year] if fig.f.previous_is_last_year else [fig.vs_last_year, fig.vs_previous]
    )
    for vs in shown:
        summary.append(_comparison_text(vs, public))
    if request.texts.get("summary"):
        summary.append(request.texts["summary"])
    kpis = {
        "header": [_("Key figure"), _("Value")],
        "rows": [
            [_("Incidents in the period"), _n(fig.total, public)],
            [
                _("Change from the same period last year"),
                _headline(fig.vs_last_year, public),
            ],
            [_("Incidents per 1 000 residents"), _rate(fig.total, fig.population, public)],
        ],
    }
    return summary, kpis


def _count_text(n: int, public: bool) -> str:
    if public and disclosure.is_suppressed(n):
        return _("fewer than %(n)s incidents") % {"n": disclosure.threshold()}
    return comparison.incidents_text(n)


def _suppressed(vs: comparison.Comparison, public: bool) -> bool:
    return public and min(vs.count, vs.baseline) < disclosure.threshold()


def _headline(vs: comparison.Comparison, public: bool) -> str:
    if _suppressed(vs, public):
        return "–"
    return f"{vs.headline} ({vs.verdict})" if vs.verdict else vs.headline


def _comparison_text(vs: comparison.Comparison, public: bool) -> str:
    if _suppressed(vs, public):
        text = _("Too few incidents to compare with %(label)s.") % {"label": vs.label}
    else:
        text = vs.sentence
    return f"{text} {vs.note}".strip()


def build(request: LagesbildRequest) -> tuple[dict, dict[str, str]]:
    """The document's data (for the Typst template) and its image files."""
    m, public = request.municipality, request.public
    fig = _figures(request)
    chart = _chart(fig)
    map_svg, hotspot_sentence = _map(fig)
    summary, kpis = _summary(fig)
    labels = dict(Category.choices)
    demo = Area.objects.filter(municipality=m, is_demo=True).exists()
    data = {
        "lang": translation.get_language()[:2],
        "title": _("Situation picture"),
        "municipality": f"{m.name} ({m.code})",
        "period": formats.span(fig.f.date_from, fig.f.date_to),
        "version_line": _("Version %(v)s, generated %(when)s")
        % {
            "v": request.version,
            "when": f"{formats.date(timezone.localdate())} {timezone.localtime():%H:%M}",
        },
        # Until a body decides the version, every page says it is a draft.
        "draft": _("Draft — not decided"),
        "audience_label": _("Public version") if public else _("Version for the partners"),
        "demo_note": _("The data in this document are synthetic demo data.") if demo else "",
        "summary": summary,
        "kpis": kpis,
        "areas_table": _areas_table(fig),
        "categories_table": _categories_table(fig),
        "changes_table": _changes_table(fig, "category"),
        "area_changes_table": _changes_table(fig, "area_id"),
        "changes_note": fig.vs_last_year.note,
        "surveys_table": _surveys_table(m),
        "observations_table": _field_rounds_table(fig),
        **sections.build_all(
            sections.SectionRequest(m, request.date_from, request.date_to, public)
        ),
        "sources_table": _sources_table(fig),
        "findings": _findings(fig, hotspot_sentence),
        "coordinator_analysis": request.texts.get("analysis", ""),
        # Each method text begins "Title: …": the title is printed in bold.
        "methods": [
            [part.strip() for part in str(text).split(":", 1)]
            for text in [_COUNTS_METHOD, *analysis.METHODS.values(), *_feed_method(fig)]
        ],
        "definitions_table": {
            "header": [_("Term"), _("Meaning")],
            "rows": [[str(labels[c]), str(_DEFINITIONS.get(c, ""))] for c in Category.values],
        },
        "labels": _labels(),
    }
    return data, {"chart.svg": chart, "map.svg": map_svg}


def _feed_method(fig: _Figures) -> list[str]:
    """How the police feed was followed, and its gaps in the compared periods."""
    m = fig.request.municipality
    follow = PoliceFeedFollow.objects.filter(municipality=m, is_active=True).first()
    note = comparison.feed_gaps_note(m.pk, fig.last_year.date_from, fig.f.date_to)
    if follow is None and not note:
        return []
    parts = []
    if follow is not None:
        since = timezone.localtime(follow.turned_on_at).date()
        parts.append(
            _(
                "Followed continuously (polled every %(n)s minutes) since %(since)s; the feed "
                "holds only the latest events, so a poll that comes too late misses some."
            )
            % {"n": settings.POLICE_FEED_INTERVAL_MINUTES, "since": formats.date(since)}
        )
        if since > fig.last_year.date_from:
            parts.append(
                _(
                    "Before that the feed was imported now and then: the sources table shows "
                    "the days it covers."
                )
            )
    parts.append(note or _("No gaps in the periods compared."))
    return [_("The police's events feed: ") + " ".join(parts)]


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
        value = formats.share(r.value) if q.kind == "share" else formats.number(r.value, 1)
        rows.append([str(q.label), r.survey.year, value, r.n])
    if not rows:
        return None
    return {"header": [_("Question"), _("Year"), _("Result"), _("Answers")], "rows": rows}


_COUNTS_METHOD = gettext_lazy(
    "Counts: incidents from the sources listed, by the date they occurred; the police's "
    "daily summaries are not counted. Incidents known only to the municipality (the police "
    "feed's centroids) are counted for the municipality, not for an area. Rates use each "
    "area's population. In the public version, every count below 5 is shown as <5. "
    "Comparisons with another period count only the sources that cover every day of both "
    "(the sources table shows what each covers); a period that has not ended is not "
    "compared. Each change is tested with the exact test of two Poisson rates: it is "
    "called an increase or a decrease only when p < 0.05, and not given as a percentage at "
    "all when the two periods together have fewer than 10 incidents."
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
        "no_changes": _("No source covers both this period and last year's."),
        "area_changes": _("Largest changes from last year, per area"),
        "coordinator_analysis": _("The coordinator's analysis"),
        "method": _("Sources and method"),
        "appendix": _("Appendix: definitions"),
    }


def compose(request: LagesbildRequest, progress=None) -> dict:
    """The document's content — the data and images the PDF is set from — frozen as it is
    now: what a decided version keeps. ``progress(percent)`` as the work advances."""
    with translation.override(request.language):
        data, files = build(request)
    if progress:
        progress(60)
    return {"data": data, "files": files, "language": request.language}


def render(content: dict, decision: str = "") -> bytes:
    """The PDF of composed ``content``: a draft on every page, or — with the ``decision``
    ("Version 3, decided by … on … (KS § 23)") — the decided version, same content."""
    data = dict(content["data"])
    if decision:
        data["draft"] = ""
        data["version_line"] = decision
    return render_pdf("lagesbild", data, content["files"])


def decision_line(version: int, body: str, day: dt.date, minute: str, language: str) -> str:
    with translation.override(language):
        line = _("Version %(v)s, decided by %(body)s on %(date)s") % {
            "v": version,
            "body": body,
            "date": formats.date(day),
        }
        return f"{line} ({minute})" if minute else line


def generate(request: LagesbildRequest, progress=None) -> bytes:
    """The (draft) PDF in one go. ``progress(percent)`` as the work advances."""
    pdf = render(compose(request, progress))
    if progress:
        progress(95)
    return pdf

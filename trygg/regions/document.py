"""The regional lägesbild document (Typst PDF): the municipalities side by side, the map
across borders with the hotspots, the region's categories, the comparison per 1 000
residents with the national figure. The same numbers as the pages, from the same services."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from trygg.core import formats, sweden
from trygg.core.models import Region
from trygg.core.services.regions import MunicipalityReader
from trygg.documents.rendering import render_pdf
from trygg.documents.svgmap import area_map
from trygg.incidents.taxonomy import Category
from trygg.regions import services

HOT_FILLS = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7"}


def rate(value: float | None) -> str:
    return "–" if value is None else formats.number(value, 1)


def render(
    region: Region, readers: list[MunicipalityReader], year: int, *, language: str = "sv"
) -> bytes:
    with translation.override(language):
        rows = services.municipality_rows(readers, year)
        return render_pdf(
            "region", _data(region, readers, rows, year), {"map.svg": _map(readers, rows, year)}
        )


def _level(reader: MunicipalityReader) -> str:
    return _("partners") if not reader.public else _("public")


def _count(value: int | str) -> str:
    return formats.number(value) if isinstance(value, int) else value


def _data(
    region: Region,
    readers: list[MunicipalityReader],
    rows: list[services.MunicipalityRow],
    year: int,
) -> dict:
    date_from, date_to = services.year_span(year)
    by_category = services.category_totals(readers, date_from, date_to)
    table = services.comparison(readers, None)
    labels = dict(Category.choices)
    change_of = {}
    for row in rows:
        change = row.change
        change_of[row.municipality.pk] = (
            "–" if change is None else formats.percent(change, signed=True)
        )
    municipalities = {
        "header": [
            _("Municipality"),
            _("Level read"),
            _("Incidents"),
            _("Per 1 000 residents"),
            _("Change from %(year)s") % {"year": year - 1},
        ],
        "rows": [
            [
                row.municipality.name,
                _level(row.reader),
                "–" if row.shown_count is None else _count(row.shown_count),
                rate(row.per_1000),
                change_of[row.municipality.pk],
            ]
            for row in rows
        ],
    }
    comparison_rows = [
        [m.name, *[rate(cells[y].per_1000) for y in table.years]] for m, cells in table.rows
    ]
    comparison_rows.append(
        [_("The region"), *[rate(table.region[y].per_1000) for y in table.years]]
    )
    comparison_rows.append(
        [_("The country"), *[rate(table.country[y].per_1000) for y in table.years]]
    )
    partners = sum(1 for r in readers if not r.public)
    return {
        "lang": translation.get_language()[:2],
        "title": _("Regional situation picture: %(region)s") % {"region": region.name},
        "period": formats.span(date_from, date_to),
        "generated": formats.date(dt.date.today()),
        "levels": _(
            "%(partners)s of the region's %(all)s municipalities share their partners' level "
            "with the region; the others are shown at the public level, where a count under "
            "five is not printed."
        )
        % {"partners": partners, "all": len(readers)},
        "municipalities": municipalities,
        "municipalities_note": _(
            "Change: the sources that covered both years only. Residents: SCB's figure "
            "for the year, where imported."
        ),
        "categories": {
            "header": [_("Category"), _("Incidents")],
            "rows": [[labels.get(category, category), _count(n)] for category, n in by_category],
        },
        "comparison": {
            "header": [_("Police events per 1 000 residents"), *[str(y) for y in table.years]],
            "rows": comparison_rows,
        },
        "comparison_note": _(
            "Like with like: the police's events at the public level, complete years, a "
            "municipality's year only when its police source covered every day of it. The "
            "country: every municipality in this installation counted that year."
        ),
        "labels": {
            "kicker": _("Situation picture across municipal borders"),
            "generated": _("made"),
            "municipalities": _("The municipalities"),
            "map": _("Hotspots across municipal borders"),
            "map_caption": _(
                "Municipalities shaded by incidents per 1 000 residents; hotspots (Gi*, "
                "250 m squares) in red, found over the whole region at once."
            ),
            "categories": _("The region's incidents by category"),
            "comparison": _("Comparison per 1 000 residents"),
        },
    }


def _map(readers: list[MunicipalityReader], rows: list[services.MunicipalityRow], year: int) -> str:
    per_1000 = {row.municipality.pk: row.per_1000 for row in rows}
    areas = []
    for reader in readers:
        known = sweden.by_code(reader.municipality.code)
        if known is not None:
            areas.append(
                {"id": reader.municipality.pk, "name": known.name, "geometry": known.geometry}
            )
    layers = services.layers(readers, year)
    cells = [
        {"geometry": f["geometry"], "fill": HOT_FILLS[f["properties"]["class"]]}
        for f in layers["hotspots"]["features"]
        if f["properties"]["class"] > 0
    ]
    return area_map(
        areas,
        per_1000,
        cells,
        shading=(_("fewer per 1 000"), _("more per 1 000")),
        keys=[(HOT_FILLS[3], _("hotspot, 99 %")), (HOT_FILLS[1], _("hotspot, 90 %"))],
    )

"""A region's lägesbild: its municipalities' figures side by side, the comparison table per
1 000 residents with the national figure, hotspots across municipal borders, and the
regional document.

Every figure of a municipality is read through the permission layer as that municipality's
partners' view (where it agreed to share with the region) or public view
(``core.services.regions.RegionalPrincipal.readers``); a figure read at the public level
follows the public small-count rule. Every read is audited by the view that shows it.

**The comparison table compares like with like**: it counts the police's events only (the
one source every municipality has; partners' logs differ from one municipality to the next),
at the public level (what every municipality publishes), in complete calendar years, and a
municipality's year only when its police source covered every day of that year. The region's
and the country's figures are the sums of the municipalities counted that year — counts and
residents alike — so a region's rate is exactly its municipalities' rates weighted by their
residents.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Sum
from django.db.models.functions import ExtractYear, TruncMonth

from trygg.assessment import services as assessment
from trygg.assessment.analysis import spatial_layers_across
from trygg.assessment.filters import IncidentFilter, today
from trygg.core import disclosure
from trygg.core.models import Municipality, Sensitivity
from trygg.core.services.populations import municipal_populations
from trygg.core.services.regions import MunicipalityReader
from trygg.incidents import coverage
from trygg.incidents.models import DailyCount, Source, SourceKind
from trygg.incidents.taxonomy import Category

YEARS_COMPARED = 5


def complete_years(on: dt.date | None = None, count: int = YEARS_COMPARED) -> list[int]:
    """The last ``count`` complete calendar years, oldest first."""
    last = (on or today()).year - 1
    return list(range(last - count + 1, last + 1))


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _by_level(readers: Iterable[MunicipalityReader]) -> dict[tuple[str, ...], list[int]]:
    """Municipality ids grouped by the summary sensitivities their reader may read."""
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for reader in readers:
        levels = assessment.summary_sensitivities(reader.principal)
        if levels:
            groups[levels].append(reader.municipality.pk)
    return groups


def grouped_counts(
    readers: Iterable[MunicipalityReader],
    date_from: dt.date,
    date_to: dt.date,
    *fields: str,
) -> Counter:
    """Counts keyed by (municipality id, *fields) from the daily summary, each
    municipality at its reader's level; one query per level (at most two)."""
    result: Counter = Counter()
    for levels, ids in _by_level(readers).items():
        qs = DailyCount.objects.filter(
            municipality_id__in=ids, day__gte=date_from, day__lte=date_to, sensitivity__in=levels
        )
        if "month" in fields:
            qs = qs.annotate(month=TruncMonth("day"))
        for row in qs.values("municipality_id", *fields).annotate(n=Sum("count")).order_by():
            result[(row["municipality_id"], *(row[k] for k in fields))] += row["n"]
    return result


# --- The regional summary (the API and the dashboard) ----------------------------------


def summary(readers: list[MunicipalityReader], date_from: dt.date, date_to: dt.date) -> dict:
    """Counts for the period by municipality, category and month; a municipality read at
    the public level shows no count under five, nor do the region's sums."""
    by_category = grouped_counts(readers, date_from, date_to, "category")
    by_month = grouped_counts(readers, date_from, date_to, "month")
    totals: Counter = Counter()
    categories: Counter = Counter()
    for (municipality_id, category), n in by_category.items():
        totals[municipality_id] += n
        categories[category] += n
    months: Counter = Counter()
    for (_m, month), n in by_month.items():
        months[month.date() if isinstance(month, dt.datetime) else month] += n
    return {
        "date_from": date_from,
        "date_to": date_to,
        "total": disclosure.shown(sum(totals.values())),
        "by_municipality": [
            {
                "code": r.municipality.code,
                "name": r.municipality.name,
                "level": r.level,
                "count": disclosure.shown(totals[r.municipality.pk], public=r.public),
            }
            for r in readers
        ],
        "by_category": [{"category": c, "count": n} for c, n in by_category_shown(categories)],
        "by_month": [{"month": m, "count": disclosure.shown(n)} for m, n in sorted(months.items())],
    }


def by_category_shown(categories: Counter) -> list[tuple[str, int | str]]:
    """The region's counts per category, largest first, a sum under five suppressed."""
    return [
        (c, disclosure.shown(n))
        for c, n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def category_totals(
    readers: list[MunicipalityReader], date_from: dt.date, date_to: dt.date
) -> list[tuple[str, int | str]]:
    """The region's incidents per category (the dashboard's table): one grouped query
    per level."""
    categories: Counter = Counter()
    for (_m, category), n in grouped_counts(readers, date_from, date_to, "category").items():
        categories[category] += n
    return by_category_shown(categories)


# --- The dashboard's table: each municipality this year and last ------------------------


@dataclass
class MunicipalityRow:
    reader: MunicipalityReader
    count: int
    population: int | None
    comparable_now: int | None = None  # the sources covering both years only
    comparable_before: int | None = None
    left_out: list[str] = field(default_factory=list)
    has_data: bool = True  # any source covered a day of the year

    @property
    def municipality(self) -> Municipality:
        return self.reader.municipality

    @property
    def shown_count(self) -> int | str | None:
        """None ("–") for a municipality with no source reporting that year: no data is
        not zero."""
        if not self.has_data:
            return None
        return disclosure.shown(self.count, public=self.reader.public)

    @property
    def suppressed(self) -> bool:
        return self.reader.public and disclosure.is_suppressed(self.count)

    @property
    def per_1000(self) -> float | None:
        if self.population and self.has_data and not self.suppressed:
            return 1000 * self.count / self.population
        return None

    @property
    def change(self) -> float | None:
        """Per cent change against last year, on the sources covering both years."""
        now, before = self.comparable_now, self.comparable_before
        if now is None or not before or self.suppressed:
            return None
        if self.reader.public and disclosure.is_suppressed(before):
            return None
        return 100 * (now - before) / before


def municipality_rows(readers: list[MunicipalityReader], year: int) -> list[MunicipalityRow]:
    date_from, date_to = year_span(year)
    before_from, before_to = year_span(year - 1)
    now = grouped_counts(readers, date_from, date_to, "source_id")
    before = grouped_counts(readers, before_from, before_to, "source_id")
    populations = municipal_populations([r.municipality.pk for r in readers], [year])
    coverages = coverage.coverage_of_many([r.municipality.pk for r in readers])
    rows = []
    for reader in readers:
        mid = reader.municipality.pk
        row = MunicipalityRow(
            reader=reader,
            count=sum(n for (m, _s), n in now.items() if m == mid),
            population=populations.get((mid, year)),
        )
        covs = coverages.get(mid, {}).values()
        row.has_data = any(
            cov.spans and cov.first <= date_to and cov.last >= date_from for cov in covs
        )
        usable = coverage.comparable_among(covs, [(date_from, date_to), (before_from, before_to)])
        if usable.possible:
            ids = set(usable.source_ids)
            row.comparable_now = sum(n for (m, s), n in now.items() if m == mid and s in ids)
            row.comparable_before = sum(n for (m, s), n in before.items() if m == mid and s in ids)
        row.left_out = [c.name for c in usable.excluded]
        rows.append(row)
    return rows


# --- The comparison table per 1 000 residents --------------------------------------------


@dataclass(frozen=True)
class Cell:
    count: int | None  # None: not counted that year (the police source did not cover it)
    population: int | None
    public: bool = True

    @property
    def counted(self) -> bool:
        return self.count is not None and self.population is not None

    @property
    def suppressed(self) -> bool:
        return self.count is not None and self.public and disclosure.is_suppressed(self.count)

    @property
    def per_1000(self) -> float | None:
        if not self.counted or self.suppressed:
            return None
        assert self.count is not None and self.population
        return 1000 * self.count / self.population


@dataclass
class ComparisonTable:
    years: list[int]
    category: str | None
    rows: list[tuple[Municipality, dict[int, Cell]]]
    region: dict[int, Cell]
    country: dict[int, Cell]
    country_municipalities: dict[int, int]  # year → how many municipalities counted


def _police_years(municipality_ids: list[int], years: list[int]) -> dict[int, dict[int, set[int]]]:
    """{municipality id: {year: police source ids covering every day of that year}}."""
    police = list(
        Source.objects.filter(
            municipality_id__in=municipality_ids, kind=SourceKind.POLICE_FEED
        ).values_list("pk", flat=True)
    )
    found: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    if not police:
        return found
    for municipality_id, covs in coverage.coverage_of_many(municipality_ids, police).items():
        for cov in covs.values():
            for year in years:
                if cov.covers(*year_span(year)):
                    found[municipality_id][year].add(cov.source_id)
    return found


def comparison(
    readers: list[MunicipalityReader], category: str | None, years: list[int] | None = None
) -> ComparisonTable:
    """Police events per 1 000 residents per year (of one category, or all), for each
    municipality of the region, the region and the country (every municipality of this
    installation) — see the module's docstring for what is counted."""
    years = years or complete_years()
    everyone = list(Municipality.objects.values_list("pk", flat=True))
    covered = _police_years(everyone, years)
    police_ids = {s for by_year in covered.values() for ids in by_year.values() for s in ids}
    qs = DailyCount.objects.filter(
        source_id__in=police_ids,
        sensitivity=Sensitivity.PUBLIC,
        day__gte=dt.date(years[0], 1, 1),
        day__lte=dt.date(years[-1], 12, 31),
    )
    if category:
        qs = qs.filter(category=category)
    counts: Counter = Counter()
    for row in (
        qs.annotate(year=ExtractYear("day"))
        .values("municipality_id", "source_id", "year")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        if row["source_id"] in covered[row["municipality_id"]][row["year"]]:
            counts[(row["municipality_id"], row["year"])] += row["n"]
    populations = municipal_populations(everyone, years)

    def cell(municipality_id: int, year: int) -> Cell:
        if not covered[municipality_id][year]:
            return Cell(None, populations.get((municipality_id, year)))
        return Cell(counts[(municipality_id, year)], populations.get((municipality_id, year)))

    def total(ids: Iterable[int], year: int) -> Cell:
        cells = [cell(m, year) for m in ids]
        counted = [c for c in cells if c.counted]
        if not counted:
            return Cell(None, None)
        return Cell(sum(c.count or 0 for c in counted), sum(c.population or 0 for c in counted))

    region_ids = [r.municipality.pk for r in readers]
    rows = [(r.municipality, {y: cell(r.municipality.pk, y) for y in years}) for r in readers]
    return ComparisonTable(
        years=years,
        category=category,
        rows=rows,
        region={y: total(region_ids, y) for y in years},
        country={y: total(everyone, y) for y in years},
        country_municipalities={y: sum(1 for m in everyone if cell(m, y).counted) for y in years},
    )


def category_choices() -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in Category]


# --- The map across borders -----------------------------------------------------------------


def layers(readers: list[MunicipalityReader], year: int) -> dict:
    date_from, date_to = year_span(year)
    return spatial_layers_across(
        [(r.principal, IncidentFilter(r.municipality.pk, date_from, date_to)) for r in readers]
    )

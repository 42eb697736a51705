"""Which days each source covers, and which sources a comparison of periods may use.

A source that did not report in one of two periods makes every comparison between them
wrong: a police feed imported for the last four months doubles "this year" against a last
year without it. Every import records the span of days it covered (``record``); a
source's coverage is the union of those spans, and the days between them are gaps (a
feed that was not polled for a week). ``comparable`` picks the sources that cover every
day of every period compared, and names the others with their coverage, so the page can
say what was left out and why.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trygg.incidents.models import ImportJob, Source, SourceCoverage

Span = tuple[dt.date, dt.date]
ONE_DAY = dt.timedelta(days=1)


def merge(spans: Iterable[Span]) -> list[Span]:
    """The union of day spans (both ends included), sorted; touching spans join."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + ONE_DAY:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class Coverage:
    """The days one source covers: merged spans, earliest first."""

    source_id: int
    name: str
    spans: tuple[Span, ...]

    @property
    def first(self) -> dt.date | None:
        return self.spans[0][0] if self.spans else None

    @property
    def last(self) -> dt.date | None:
        return self.spans[-1][1] if self.spans else None

    @property
    def gaps(self) -> list[Span]:
        """Days between the first and the last covered day that no import covered."""
        return [(a[1] + ONE_DAY, b[0] - ONE_DAY) for a, b in itertools.pairwise(self.spans)]

    def gaps_within(self, periods: Iterable[Span]) -> list[Span]:
        """The gaps that fall (at least partly) inside one of ``periods``."""
        periods = list(periods)
        return [
            g for g in self.gaps if any(g[0] <= end and start <= g[1] for start, end in periods)
        ]

    def covers(self, date_from: dt.date, date_to: dt.date) -> bool:
        """Does the source cover every day of the period?"""
        return any(start <= date_from and date_to <= end for start, end in self.spans)

    def missing(self, date_from: dt.date, date_to: dt.date) -> list[Span]:
        """The days of the period the source does not cover."""
        out: list[Span] = []
        day = date_from
        for start, end in self.spans:
            if end < day:
                continue
            if start > date_to:
                break
            if start > day:
                out.append((day, start - ONE_DAY))
            day = max(day, end + ONE_DAY)
            if day > date_to:
                return out
        if day <= date_to:
            out.append((day, date_to))
        return out


def record(source: Source, date_from: dt.date, date_to: dt.date, job: ImportJob | None) -> None:
    """Note that ``source`` reported completely from ``date_from`` to ``date_to`` (an
    import). Re-recording a span is a no-op: imports are idempotent."""
    if date_from > date_to:
        return
    SourceCoverage.objects.get_or_create(
        source=source, date_from=date_from, date_to=date_to, defaults={"import_job": job}
    )


def coverage(municipality_id: int, source_ids: Sequence[int] = ()) -> dict[int, Coverage]:
    """Every source of the municipality (or the ones named) with its coverage, by id;
    a source with nothing imported has no spans."""
    return coverage_of_many([municipality_id], source_ids).get(municipality_id, {})


def coverage_of_many(
    municipality_ids: Iterable[int], source_ids: Sequence[int] = ()
) -> dict[int, dict[int, Coverage]]:
    """``coverage`` of several municipalities at once (a region's): two queries."""
    sources = Source.objects.filter(municipality_id__in=list(municipality_ids))
    if source_ids:
        sources = sources.filter(pk__in=source_ids)
    found = {
        pk: (mid, name) for pk, mid, name in sources.values_list("id", "municipality_id", "name")
    }
    spans: dict[int, list[Span]] = {pk: [] for pk in found}
    rows = SourceCoverage.objects.filter(source_id__in=found).values_list(
        "source_id", "date_from", "date_to"
    )
    for source_id, start, end in rows:
        spans[source_id].append((start, end))
    result: dict[int, dict[int, Coverage]] = {}
    for pk in sorted(found, key=lambda k: (found[k][1], k)):
        mid, name = found[pk]
        result.setdefault(mid, {})[pk] = Coverage(pk, name, tuple(merge(spans[pk])))
    return result


@dataclass(frozen=True)
class Comparable:
    """The sources a comparison of ``periods`` uses and those it leaves out."""

    periods: tuple[Span, ...]
    included: tuple[Coverage, ...]
    excluded: tuple[Coverage, ...]

    @property
    def source_ids(self) -> tuple[int, ...]:
        return tuple(sorted(c.source_id for c in self.included))

    @property
    def possible(self) -> bool:
        """Is anything left to compare?"""
        return bool(self.included)

    @property
    def complete(self) -> bool:
        """Do all the sources asked about enter the comparison?"""
        return not self.excluded


def comparable(
    municipality_id: int, periods: Iterable[Span], source_ids: Sequence[int] = ()
) -> Comparable:
    """The sources (of ``source_ids``, or all the municipality's) that cover every day of
    every period; the rest, excluded. A source with no incidents at all and no coverage
    is neither: it has nothing to compare."""
    return comparable_among(coverage(municipality_id, source_ids).values(), periods)


def comparable_among(coverages: Iterable[Coverage], periods: Iterable[Span]) -> Comparable:
    """``comparable`` over coverages already read (``coverage_of_many``)."""
    periods = tuple(periods)
    included: list[Coverage] = []
    excluded: list[Coverage] = []
    for cov in coverages:
        if not cov.spans:
            continue
        if all(cov.covers(start, end) for start, end in periods):
            included.append(cov)
        else:
            excluded.append(cov)
    return Comparable(periods, tuple(included), tuple(excluded))

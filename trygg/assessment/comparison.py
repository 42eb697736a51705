"""Comparisons a coordinator can defend: this period against another, like with like.

* Only sources that cover every day of both periods are counted (a source that joined
  later would read as an increase); the others are named with their coverage.
* A period that has not ended is never the basis of a change.
* The change carries its test: ``trygg.analysis.trends.read_change`` decides whether it
  is distinguishable from chance, and every headline, table and sentence about it is
  written from that one reading (``Comparison.headline``/``sentence``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trygg.analysis.trends import ChangeReading, read_change
from trygg.assessment.filters import IncidentFilter, today
from trygg.core import formats
from trygg.incidents import coverage as source_coverage
from trygg.incidents import feed


def last_complete_day() -> dt.date:
    """Yesterday: today's incidents are still coming in."""
    return today() - dt.timedelta(days=1)


def is_partial(date_to: dt.date) -> bool:
    """Does a period ending on ``date_to`` contain a day that has not ended?"""
    return date_to > last_complete_day()


def incidents_text(n: int) -> str:
    return ngettext("%(n)s incident", "%(n)s incidents", n) % {"n": formats.number(n)}


def describe_coverage(
    cov: source_coverage.Coverage, periods: tuple[source_coverage.Span, ...]
) -> str:
    """Why a source is left out: "Polisens händelser (täcker 3 aug – 29 nov 2026)",
    with the gaps inside the compared periods."""
    if cov.first is None or cov.last is None:
        return cov.name
    parts = [_("covers %(span)s") % {"span": formats.span(cov.first, cov.last)}]
    if gaps := cov.gaps_within(periods):
        parts.append(missing_text(gaps))
    return f"{cov.name} ({'; '.join(parts)})"


def missing_text(gaps: list[source_coverage.Span]) -> str:
    """ "saknas 15 okt – 22 okt 2026, …": the days a source did not cover."""
    return _("missing %(spans)s") % {"spans": ", ".join(formats.span(a, b) for a, b in gaps)}


def feed_gaps_note(municipality_id: int, date_from: dt.date, date_to: dt.date) -> str:
    """The gaps of the followed police feed that touch the period, in one sentence:
    "Polisens händelser: händelser publicerade 12 nov 02.10 – 13 nov 08.05 kan saknas …"."""
    gaps = feed.gaps_in(municipality_id, date_from, date_to)
    if not gaps:
        return ""

    def moment(value: dt.datetime) -> str:
        local = timezone.localtime(value)
        return f"{formats.day_month(local.date())} {local:%H.%M}"

    spans = ", ".join(f"{moment(g.start)} – {moment(g.end)}" for g in gaps)
    return ngettext(
        "%(source)s: events published %(spans)s may be missing (the feed had moved past them "
        "before it was polled again).",
        "%(source)s: events published in these periods may be missing: %(spans)s (the feed "
        "had moved past them before it was polled again).",
        len(gaps),
    ) % {"source": gaps[0].source.name, "spans": spans}


@dataclass(frozen=True)
class Comparison:
    """This period (``now``) against another (``then``), each narrowed to the sources that
    cover both; ``reading`` is None when nothing can be compared or the period is not over."""

    label: str  # "the previous period", "the same period last year"
    now: IncidentFilter
    then: IncidentFilter
    sources: source_coverage.Comparable
    partial: bool
    count: int
    baseline: int
    reading: ChangeReading | None

    @property
    def possible(self) -> bool:
        return self.reading is not None

    @property
    def headline(self) -> str:
        """The change as a headline figure: "+23 %", or "–" when there is none (``verdict``
        says why)."""
        if self.reading is None or self.reading.kind == "too_few":
            return "–"
        if self.reading.percent is None:
            return _("none before")
        return formats.percent(self.reading.percent, signed=True)

    @property
    def verdict(self) -> str:
        """What the test says of the headline figure, or why there is none."""
        if self.partial:
            return _("the period has not ended")
        if self.reading is None:
            return _("no source covers both periods")
        if self.reading.test is None:
            return _("too few incidents to say anything")
        test = self.reading.test
        p = formats.p_value(test.p)
        if self.reading.percent is not None and test.ci_high != float("inf"):
            # The change's 95 % interval, from the rate ratio's.
            p += "; " + _("95 %% interval %(low)s to %(high)s") % {
                "low": formats.percent(100 * (test.ci_low - 1), signed=True),
                "high": formats.percent(100 * (test.ci_high - 1), signed=True),
            }
        if self.reading.kind == "increase":
            return _("a statistically significant increase (%(p)s)") % {"p": p}
        if self.reading.kind == "decrease":
            return _("a statistically significant decrease (%(p)s)") % {"p": p}
        return _("within chance variation (%(p)s)") % {"p": p}

    @property
    def sentence(self) -> str:
        """One sentence: the counts, the change and what the test says of it."""
        counts = {
            "n": incidents_text(self.count),
            "m": formats.number(self.baseline),
            "label": self.label,
        }
        if self.partial:
            return (
                _("The period has not ended yet: no change against %(label)s is calculated.")
                % counts
            )
        if self.reading is None:
            return (
                _("No source covers both this period and %(label)s: no change is calculated.")
                % counts
            )
        if self.reading.kind == "too_few":
            return (
                _(
                    "%(n)s against %(m)s %(label)s: too few incidents to say anything about a "
                    "change."
                )
                % counts
            )
        return _("%(n)s against %(m)s %(label)s: %(change)s, %(verdict)s.") % {
            **counts,
            "change": self.headline,
            "verdict": self.verdict,
        }

    @property
    def note(self) -> str:
        """What the comparison leaves out, and why ('' when nothing, or when the period
        has not ended and nothing is compared)."""
        return "" if self.partial else exclusion_note(self.sources, self.label)


def exclusion_note(sources: source_coverage.Comparable, label: str) -> str:
    """ "Not in the comparison with <label> …: <source> (covers …)" ('' when nothing is
    left out)."""
    if not sources.excluded:
        return ""
    names = "; ".join(describe_coverage(c, sources.periods) for c in sources.excluded)
    return ngettext(
        "Not in the comparison with %(label)s, as it does not cover every period compared: "
        "%(sources)s.",
        "Not in the comparison with %(label)s, as they do not cover every period compared: "
        "%(sources)s.",
        len(sources.excluded),
    ) % {"label": label, "sources": names}


def compare(
    f: IncidentFilter,
    then: IncidentFilter,
    label: str,
    count: Callable[[IncidentFilter], int],
) -> Comparison:
    """Compare ``f`` with ``then`` (same length), counting with ``count`` (the caller's
    rule of what is counted: what a principal may read, or a document's sensitivities)."""
    sources = source_coverage.comparable(
        f.municipality_id,
        [(f.date_from, f.date_to), (then.date_from, then.date_to)],
        f.sources,
    )
    partial = is_partial(f.date_to)
    if partial or not sources.possible:
        return Comparison(label, f, then, sources, partial, 0, 0, None)
    now = replace(f, sources=sources.source_ids)
    before = replace(then, sources=sources.source_ids)
    n, m = count(now), count(before)
    reading = None if partial else read_change(n, m, f.days, then.days)
    return Comparison(label, now, before, sources, partial, n, m, reading)

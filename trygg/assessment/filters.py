"""The lägesbild's filters: period, areas, categories, sources — parsed from a query
string (so a filtered view is a shareable URL) and validated against the municipality."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from trygg.core import formats
from trygg.core.dates import local_tz
from trygg.core.models import Area, Municipality
from trygg.core.params import MAX_DATE, MIN_DATE
from trygg.incidents.models import Source
from trygg.incidents.taxonomy import Category

LOCAL_TZ = local_tz()
MAX_DAYS = 366 * 10


def today() -> dt.date:
    return dt.datetime.now(LOCAL_TZ).date()


def shift_year(day: dt.date, years: int = -1) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class IncidentFilter:
    municipality_id: int
    date_from: dt.date
    date_to: dt.date
    areas: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()
    errors: tuple[str, ...] = field(default=(), compare=False)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous_period(self) -> IncidentFilter:
        end = self.date_from - dt.timedelta(days=1)
        return replace(self, date_from=end - dt.timedelta(days=self.days - 1), date_to=end)

    @property
    def previous_is_last_year(self) -> bool:
        """Do the previous period and the same period last year mostly overlap (a period
        of about a year or longer)? Then they are one comparison, not two."""
        previous, last_year = self.previous_period(), self.last_year()
        overlap = (
            min(previous.date_to, last_year.date_to) - max(previous.date_from, last_year.date_from)
        ).days + 1
        return overlap > self.days / 2

    def last_year(self) -> IncidentFilter:
        return replace(self, date_from=shift_year(self.date_from), date_to=shift_year(self.date_to))

    def query_string(self, **overrides) -> str:
        params = [("from", self.date_from.isoformat()), ("to", self.date_to.isoformat())]
        params += [("area", a) for a in self.areas]
        params += [("category", c) for c in self.categories]
        params += [("source", s) for s in self.sources]
        params += list(overrides.items())
        return urlencode(params)

    @classmethod
    def default(cls, municipality: Municipality) -> IncidentFilter:
        """The last 365 complete days: up to yesterday (today is not over, and a period
        with a partial day is not compared with whole ones)."""
        end = today() - dt.timedelta(days=1)
        return cls(municipality.pk, end - dt.timedelta(days=364), end)

    @classmethod
    def from_query(cls, params, municipality: Municipality) -> IncidentFilter:
        """Parse ``from``, ``to``, ``area``, ``category``, ``source`` (repeatable). Invalid
        values are dropped and reported in ``errors``; the default period is the last
        365 complete days."""
        errors: list[str] = []
        default = cls.default(municipality)

        def date(name, fallback):
            raw = (params.get(name) or "").strip()
            if not raw:
                return fallback
            try:
                value = dt.date.fromisoformat(raw)
            except ValueError:
                errors.append(f"{name}: {raw!r} is not a date (YYYY-MM-DD)")
                return fallback
            if not MIN_DATE <= value <= MAX_DATE:
                # Year 1 or 9999 is a typing mistake, and a period there has no year before.
                errors.append(f"{name}: {raw} is not between {MIN_DATE} and {MAX_DATE}")
                return fallback
            return value

        date_from = date("from", default.date_from)
        date_to = date("to", default.date_to)
        if date_from > date_to:
            errors.append("from is after to: the dates were swapped")
            date_from, date_to = date_to, date_from
        if (date_to - date_from).days > MAX_DAYS:
            errors.append("the period is longer than ten years: shortened")
            date_from = date_to - dt.timedelta(days=MAX_DAYS)

        def ids(name, valid):
            out = []
            for raw in params.getlist(name) if hasattr(params, "getlist") else params.get(name, []):
                try:
                    value = int(raw)
                except (TypeError, ValueError):
                    errors.append(f"{name}: {raw!r} is not an id")
                    continue
                if value in valid:
                    out.append(value)
                else:
                    errors.append(f"{name}: {value} is not one of this municipality's")
            return tuple(sorted(set(out)))

        areas = ids(
            "area", set(Area.objects.filter(municipality=municipality).values_list("id", flat=True))
        )
        sources = ids(
            "source",
            set(Source.objects.filter(municipality=municipality).values_list("id", flat=True)),
        )
        raw_categories = (
            params.getlist("category") if hasattr(params, "getlist") else params.get("category", [])
        )
        categories = []
        for raw in raw_categories:
            if raw in Category.values:
                categories.append(raw)
            else:
                errors.append(f"category: {raw!r} is not a category")
        return cls(
            municipality.pk,
            date_from,
            date_to,
            areas,
            tuple(sorted(set(categories))),
            sources,
            tuple(errors),
        )


def describe_filter(f: IncidentFilter) -> list[str]:
    """The filter in words, one line per dimension that narrows it: what every analysis
    on the page was run on."""
    lines = [_("Period: %(span)s") % {"span": formats.span(f.date_from, f.date_to)}]
    if f.areas:
        names = Area.objects.filter(pk__in=f.areas).order_by("name").values_list("name", flat=True)
        lines.append(_("Areas: %(names)s") % {"names": ", ".join(names)})
    if f.categories:
        labels = dict(Category.choices)
        lines.append(
            _("Categories: %(names)s") % {"names": ", ".join(str(labels[c]) for c in f.categories)}
        )
    if f.sources:
        names = (
            Source.objects.filter(pk__in=f.sources).order_by("name").values_list("name", flat=True)
        )
        lines.append(_("Sources: %(names)s") % {"names": ", ".join(names)})
    else:
        lines.append(_("Sources: all"))
    return lines

"""ISO weeks (Monday–Sunday), as the weekly meeting counts them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Week:
    year: int
    week: int

    @classmethod
    def of(cls, day: dt.date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def parse(cls, text: str) -> Week:
        """ "2026-W07" (or "2026-7")."""
        m = re.fullmatch(r"(\d{4})-?W?(\d{1,2})", (text or "").strip(), re.IGNORECASE)
        if not m:
            raise ValueError(f"not an ISO week: {text!r}")
        year, week = int(m.group(1)), int(m.group(2))
        if not 1900 <= year <= 2100:
            raise ValueError(f"{text!r}: the year must be between 1900 and 2100")
        if not 1 <= week <= weeks_in(year):
            raise ValueError(f"{year} has no week {week}")
        return cls(year, week)

    @property
    def start(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def shift(self, weeks: int) -> Week:
        return Week.of(self.start + dt.timedelta(weeks=weeks))

    def same_week_last_year(self) -> Week:
        """The same ISO week a year earlier; week 53 compares with week 52 when the
        previous year has no week 53."""
        return Week(self.year - 1, min(self.week, weeks_in(self.year - 1)))


def weeks_in(year: int) -> int:
    """52 or 53: 28 December is always in the last ISO week of its year."""
    return dt.date(year, 12, 28).isocalendar().week


def tertial_range(year: int, tertial: int) -> tuple[dt.date, dt.date]:
    """Tertials: January–April, May–August, September–December."""
    start = dt.date(year, 4 * (tertial - 1) + 1, 1)
    end = dt.date(year + 1, 1, 1) if tertial == 3 else dt.date(year, 4 * tertial + 1, 1)
    return start, end - dt.timedelta(days=1)

"""Dates and times as the municipality counts them: its time zone (``TIME_ZONE``, by
default Europe/Stockholm) and calendar months."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def local_tz() -> ZoneInfo:
    """The municipality's time zone, from the settings."""
    return ZoneInfo(settings.TIME_ZONE)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (31 Aug + 6 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))

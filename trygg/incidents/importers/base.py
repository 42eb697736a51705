"""What every importer shares: validated rows, row-level errors and warnings, field
checks and the personal-data guard for free text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from trygg.core.importing import ImportRefused, RowIssue  # noqa: F401 - the importers' vocabulary
from trygg.core.pdguard import describe, mask_personal_data
from trygg.incidents.models import DESCRIPTION_MAX

MAX_FIELD = 2000  # any raw field longer than this is refused, not truncated
MAX_REF = 100
MAX_ISSUES_KEPT = 500


def kept(issues: list[RowIssue]) -> list[dict[str, object]]:
    """The first ``MAX_ISSUES_KEPT`` issues as a job stores them (its ``errors`` field)."""
    return [issue.as_dict() for issue in issues[:MAX_ISSUES_KEPT]]


Progress = Callable[[int], None]


@dataclass(slots=True)
class IncidentRow:
    """One validated incident, ready to be written."""

    row: int
    source_ref: str
    category: str
    source_type: str
    occurred_at: dt.datetime
    occurred_precision: str
    position_precision: str
    reported_at: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    area_id: int | None = None
    description: str = ""
    counts_in_statistics: bool = True


@dataclass
class ParseResult:
    rows: list[IncidentRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    skipped: int = 0
    total: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    # The days the file reports completely, when the importer knows better than the span
    # of its rows (a feed: the days of its publication window).
    covers: tuple[dt.date, dt.date] | None = None

    def error(self, row: int, field_name: str, message: str) -> None:
        self.errors.append(RowIssue(row, field_name, message))

    def warn(self, row: int, field_name: str, message: str) -> None:
        self.warnings.append(RowIssue(row, field_name, message))

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + 1


def clean_free_text(result: ParseResult, row: int, field_name: str, value: str) -> str:
    """Free text from a file: length-checked, personal data masked with a counted warning
    (docs/privacy.md §2: masked, not refused, in bulk imports)."""
    value = (value or "").strip()
    if len(value) > DESCRIPTION_MAX:
        result.error(
            row, field_name, f"text is {len(value)} characters long; at most {DESCRIPTION_MAX}"
        )
        return ""
    masked, findings = mask_personal_data(value)
    if findings:
        result.warn(
            row,
            field_name,
            f"masked {describe(findings, translated=False)}: personal data is not stored",
        )
    return masked

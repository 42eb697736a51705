"""What every importer shares: validated rows, row-level errors and warnings, field
checks and the personal-data guard for free text."""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import IO, Protocol

from trygg.core.importing import ImportRefused, RowIssue
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


# An IncidentRow as a tuple of its fields, in order (IncidentRow(*values) makes it again).
_fields = operator.attrgetter(*(f.name for f in fields(IncidentRow)))


@dataclass
class ParseResult:
    """What reading a file found. ``errors`` and ``warnings`` keep the first
    ``MAX_ISSUES_KEPT`` of each (what a job stores and shows); ``error_count`` and
    ``warning_count`` count them all — a file of a million bad rows costs no memory."""

    rows: list[IncidentRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    skipped: int = 0
    total: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    # The days the file reports completely, when the importer knows better than the span
    # of its rows (a feed: the days of its publication window).
    covers: tuple[dt.date, dt.date] | None = None

    def error(self, row: int, field_name: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ISSUES_KEPT:
            self.errors.append(RowIssue(row, field_name, message))

    def warn(self, row: int, field_name: str, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_ISSUES_KEPT:
            self.warnings.append(RowIssue(row, field_name, message))

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + 1

    def refuse_if_errors(self) -> None:
        if self.error_count:
            raise ImportRefused(sorted(self.errors, key=lambda e: e.row), self.error_count)


class RowSpill:
    """Checked incidents kept in a temporary file (pickled a chunk at a time) between
    reading a file and writing it, so that neither holds the file in memory and the file
    is parsed once. The file is deleted when read to the end or when the spill is
    collected."""

    def __init__(self) -> None:
        # Open from check() to rows(): closed (and so deleted) by read() or __del__.
        self._file: IO[bytes] | None = tempfile.TemporaryFile(prefix="trygg-import-")  # noqa: SIM115
        self.count = 0

    def write(self, rows: list[IncidentRow]) -> None:
        if rows and self._file is not None:
            pickle.dump(list(map(_fields, rows)), self._file, pickle.HIGHEST_PROTOCOL)
            self.count += len(rows)

    def read(self) -> Iterator[IncidentRow]:
        spill, self._file = self._file, None
        if spill is None:
            raise RuntimeError("the spilled rows were read already")
        with spill:
            spill.seek(0)
            while True:
                try:
                    chunk = pickle.load(spill)  # noqa: S301 - our own file, written above
                except EOFError:
                    return
                yield from itertools.starmap(IncidentRow, chunk)

    def __del__(self) -> None:
        if self._file is not None:
            self._file.close()


class IncidentFile(Protocol):
    """A file an importer reads: ``check`` reads it all and reports every problem, keeping
    no rows it need not keep; ``rows`` then yields its incidents (read again, if the
    importer streams) for ``write_incidents``."""

    def check(self, progress: Progress | None = None) -> ParseResult: ...

    def rows(self) -> Iterable[IncidentRow]: ...


class ParsedInMemory:
    """An ``IncidentFile`` for a small file parsed at once (the police's feed: a few
    hundred events)."""

    def __init__(self, parse: Callable[[Progress | None], ParseResult]):
        self._parse = parse
        self._result: ParseResult | None = None

    def check(self, progress: Progress | None = None) -> ParseResult:
        self._result = self._parse(progress)
        return self._result

    def rows(self) -> Iterable[IncidentRow]:
        assert self._result is not None, "check() first"
        return self._result.rows


class CleanedTexts:
    """Free texts already cleaned, remembered (at most ``LIMIT``): a big log repeats its
    descriptions, and the personal-data scan is the costliest check of a row."""

    LIMIT = 20_000

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, str | None]] = {}

    def get(self, value: str) -> tuple[str, str | None]:
        """(the masked text, the warning to give or None)."""
        found = self.known.get(value)
        if found is None:
            masked, findings = mask_personal_data(value)
            warning = (
                f"masked {describe(findings, translated=False)}: personal data is not stored"
                if findings
                else None
            )
            found = (masked, warning)
            if len(self.known) < self.LIMIT:
                self.known[value] = found
        return found


def clean_free_text(
    result: ParseResult,
    row: int,
    field_name: str,
    value: str,
    cleaned: CleanedTexts | None = None,
) -> str:
    """Free text from a file: length-checked, personal data masked with a counted warning
    (docs/privacy.md §2: masked, not refused, in bulk imports)."""
    value = (value or "").strip()
    if len(value) > DESCRIPTION_MAX:
        result.error(
            row, field_name, f"text is {len(value)} characters long; at most {DESCRIPTION_MAX}"
        )
        return ""
    if not value:
        return ""
    masked, warning = (cleaned or CleanedTexts()).get(value)
    if warning:
        result.warn(row, field_name, warning)
    return masked

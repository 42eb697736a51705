"""Importing, as every importer does it: one vocabulary for what is wrong with a file
(``RowIssue``: where and why; ``ImportRefused``: the file cannot be imported and nothing was
written), the table reader (CSV in any of ; , tab, or the first sheet of an XLSX), and the
readers of Swedish dates, times and numbers that partners' files contain."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from openpyxl import load_workbook

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ],
        start=1,
    )
}

_SWEDISH_DATE = re.compile(
    r"^(?P<d>\d{1,2})[./ -](?P<m>\d{1,2})[./ -](?P<y>\d{4})$"
    r"|^(?P<d2>\d{1,2})/(?P<m2>\d{1,2}) (?P<y2>\d{4})$"
)
_WORD_DATE = re.compile(r"^(?P<d>\d{1,2})\s+(?P<month>[^\W\d_]+)\.?\s+(?P<y>\d{4})$")
_TIME = re.compile(r"^(?:kl\.?\s*)?(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?::(?P<s>\d{2}))?$", re.I)
_DATE_AND_TIME = re.compile(
    r"^(?P<date>.+?)(?:[ T]+(?:kl\.?\s*)?)(?P<time>\d{1,2}[:.]\d{2}(?::\d{2})?)$"
)


@dataclass(frozen=True)
class RowIssue:
    """An error or warning about one row (1-based as the user sees it; 0 = the file)."""

    row: int
    field: str
    message: str
    # What a number counts in this file: rows of a table, features of a GeoJSON layer.
    unit: str = "row"

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.unit} {self.row}" if self.row else "file"
        return (
            f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ImportRefused(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, errors: list[RowIssue], count: int | None = None):
        self.errors = errors
        # All the errors found, when ``errors`` holds only the first of them.
        self.count = len(errors) if count is None else count
        super().__init__("; ".join(str(e) for e in errors[:5]))


# --- Values ------------------------------------------------------------------------------


def parse_date(value: object) -> tuple[dt.date, dt.time | None]:
    """(date, time or None) from an ISO or Swedish date, optionally with a time."""
    if isinstance(value, dt.datetime):
        has_time = value.time() != dt.time(0, 0)
        return value.date(), value.time().replace(microsecond=0) if has_time else None
    if isinstance(value, dt.date):
        return value, None
    text = str(value).strip()
    if not text:
        raise ValueError("empty")
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            pass
    elif len(text) > 10:
        try:
            parsed = dt.datetime.fromisoformat(text)
            return parsed.date(), parsed.time().replace(microsecond=0, tzinfo=None)
        except ValueError:
            pass
    m = _DATE_AND_TIME.match(text)
    if m:
        day, _ = parse_date(m["date"])
        return day, parse_time(m["time"])
    m = _SWEDISH_DATE.match(text)
    if m:
        d, mo, y = (m["d"], m["m"], m["y"]) if m["d"] else (m["d2"], m["m2"], m["y2"])
        return dt.date(int(y), int(mo), int(d)), None
    m = _WORD_DATE.match(text)
    if m and m["month"].casefold() in MONTHS:
        return dt.date(int(m["y"]), MONTHS[m["month"].casefold()], int(m["d"])), None
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])), None
    raise ValueError(f"{text!r} is not a date (use 2026-03-14, 14/3 2026 or 14 mars 2026)")


def parse_time(value: object) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    m = _TIME.match(str(value).strip())
    if not m:
        raise ValueError(f"{value!r} is not a time (use 21:30 or 21.30)")
    h, mi, s = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
    return dt.time(h, mi, s)  # raises ValueError for 25:00


def parse_number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.isascii():
        # The common cases, "59.5071" and "59,5071": a point, or one decimal comma.
        candidate = value.replace(",", ".") if value.count(",") == 1 and "." not in value else value
        try:
            return float(candidate)
        except ValueError:
            pass
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


# --- Reading the table ------------------------------------------------------------------


class Table:
    """A CSV or XLSX table read one row at a time from a binary file, so that a file's
    size never decides the memory an import needs. ``header`` is its first row;
    ``rows()`` yields the others (an XLSX's empty rows are skipped, as a person sees them)
    and raises ImportRefused where the file stops being readable."""

    header: list[str]

    def rows(self) -> Iterator[list[object]]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _CsvTable(Table):
    def __init__(self, fh: BinaryIO, encoding: str):
        self.encoding = encoding
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        self.fh, self.codec = fh, codec
        try:
            self.text = io.TextIOWrapper(fh, encoding=codec, newline="")
        except LookupError as exc:
            raise ImportRefused([RowIssue(0, "", f"unknown encoding {encoding!r}")]) from exc
        self.line = 0
        lines = self._lines()
        leading = []  # blank lines before the header (the csv reader reads them as rows)
        first = next(lines, "")
        while first and not first.strip():
            leading.append(first)
            first = next(lines, "")
        if not first:
            raise ImportRefused([RowIssue(0, "", "the file is empty")])
        # Only the delimiter is guessed, from the header line outside quotes; quoting is
        # RFC 4180's ("" inside a quoted field is one "), never sniffed (csv.Sniffer on one
        # line guesses escape characters and corrupts doubled quotes).
        self.reader = csv.reader(
            itertools.chain(leading, [first], lines),
            delimiter=_delimiter(first),
            quotechar='"',
            doublequote=True,
            skipinitialspace=False,
            strict=False,
        )
        self.header = cast(list[str], self._next() or [])

    def _lines(self) -> Iterator[str]:
        """The file's lines, decoded; a byte that is not the encoding's, or a NUL (a binary
        file), refuses the file with the line it is on."""
        while True:
            try:
                line = self.text.readline()
            except UnicodeDecodeError as exc:
                bad = self._undecodable_line()
                raise ImportRefused(
                    [
                        RowIssue(
                            bad,
                            "",
                            f"the file is not {self.encoding} text (line {bad}); "
                            "save it as 'CSV UTF-8' or give its encoding, e.g. --encoding cp1252",
                        )
                    ]
                ) from exc
            if not line:
                return
            self.line += 1
            if "\x00" in line:
                raise ImportRefused([RowIssue(0, "", "the file is not a text (CSV) file")])
            yield line

    def _undecodable_line(self) -> int:
        """The first line that does not decode (the text layer decodes blocks, so its error
        does not say which line): the file read again, a line at a time."""
        self.fh.seek(0)
        decoder = codecs.getincrementaldecoder(self.codec)()
        for number, line in enumerate(self.fh, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return number
        return self.line + 1

    def _next(self) -> list[object] | None:
        try:
            return cast(list[object], next(self.reader))
        except StopIteration:
            return None
        except csv.Error as exc:
            raise ImportRefused(
                [RowIssue(self.reader.line_num, "", f"unreadable CSV: {exc}")]
            ) from exc

    def rows(self) -> Iterator[list[object]]:
        while (values := self._next()) is not None:
            yield values

    def close(self) -> None:
        self.text.detach()  # the caller owns (and closes) the binary file


class _XlsxTable(Table):
    def __init__(self, fh: BinaryIO):
        try:
            self.workbook = load_workbook(fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise ImportRefused([RowIssue(0, "", f"not a readable XLSX workbook ({exc})")]) from exc
        if not self.workbook.worksheets:
            raise ImportRefused([RowIssue(0, "", "the workbook has no worksheet")])
        self.values = self.workbook.worksheets[0].iter_rows(values_only=True)
        header_row = next(self.values, None)
        if header_row is None:
            raise ImportRefused([RowIssue(0, "", "the first worksheet is empty")])
        self.header = ["" if v is None else str(v) for v in header_row]

    def rows(self) -> Iterator[list[object]]:
        for values in self.values:
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            yield ["" if v is None else v for v in values]

    def close(self) -> None:
        self.workbook.close()


@contextlib.contextmanager
def open_table(fh: BinaryIO, file_name: str, encoding: str = "utf-8") -> Iterator[Table]:
    """The table in a seekable binary file: the first sheet of an XLSX workbook, else a
    CSV (any of ; , tab) in ``encoding``. ImportRefused when it cannot be read."""
    head = fh.read(4)
    fh.seek(0)
    if not head:
        raise ImportRefused([RowIssue(0, "", "the file is empty")])
    table: Table = (
        _XlsxTable(fh)
        if file_name.lower().endswith(".xlsx") or head == b"PK\x03\x04"
        else _CsvTable(fh, encoding)
    )
    try:
        yield table
    finally:
        table.close()


def _delimiter(header: str) -> str:
    """The separator a header line uses: the most frequent of ; , and tab outside quotes
    (a header with none of them is one column: the comma is as good as any)."""
    outside, quoted = [], False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(ch)
    counts = {d: outside.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ","


def read_table(
    data: bytes, file_name: str, encoding: str = "utf-8"
) -> tuple[list[str], list[list[object]]]:
    """(header, rows) of a CSV (any of ; , tab) or XLSX file held in memory — for the
    small files (a survey, a plan's activities, a partner's weekly report); ImportRefused
    when unreadable. Large files are read with ``open_table``."""
    with open_table(io.BytesIO(data), file_name, encoding) as table:
        return table.header, list(table.rows())

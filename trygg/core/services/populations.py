"""Populations from SCB's tables: what "per 1 000 residents" divides by, year by year.

Reads the CSV (comma, semicolon or tab; UTF-8 or Windows-1252) and XLSX files that
Statistikdatabasen exports (e.g. "Folkmängden per region efter ålder och kön", table
FolkmDesoAldKon), in either of its shapes:

* wide — ``region, [ålder], [kön], 2022, 2023`` (PX-Web's default: one column per year,
  after a title line or two);
* long — ``region, [ålder], [kön], år, Folkmängd``.

The region is a DeSO code (``0139A0010``), a RegSO code (``0139R001``), the municipality
(``0139 Upplands-Bro``) or an area's name. Codes are matched to the areas with that code;
when the municipality's own districts are not DeSO, each district gets the DeSO
populations shared out by how much of each DeSO it covers (in SWEREF 99 TM). Age bands and
sexes are kept as a breakdown; the total is the table's own total row where it has one,
else their sum. All or nothing; re-running the same table changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.db import transaction
from django.db.models import Max
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from trygg.core import audit, geo
from trygg.core.importing import ImportRefused, RowIssue, read_table
from trygg.core.models import Area, AreaKind, Municipality, Population, PopulationMethod

_DESO = re.compile(r"^(\d{4}[A-C]\d{4})\b")
_REGSO = re.compile(r"^(\d{4}R\d{3})\b")
_MUNICIPALITY = re.compile(r"^(\d{4})(?:\s|$)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_REGION_HEADERS = ("region", "deso", "regso", "område", "omrade", "namn", "area", "kommun")
_AGE_HEADERS = ("ålder", "alder", "age", "åldersgrupp")
_SEX_HEADERS = ("kön", "kon", "sex")
_YEAR_HEADERS = ("år", "ar", "year", "tid")
_VALUE_HEADERS = ("folkmängd", "folkmangd", "befolkning", "antal", "population", "value")
_TOTALS = {
    "totalt",
    "total",
    "samtliga",
    "summa",
    "alla",
    "alla åldrar",
    "totalt ålder",
    "totalt, alla åldrar",
    "män och kvinnor",
    "totalt kön",
    "båda könen",
    "kvinnor och män",
}


# (residents, breakdown by age band and sex, PopulationMethod)
_Figure = tuple[int, dict[str, dict[str, int]], str]


def _issue(row: int, field: str, message: str) -> RowIssue:
    return RowIssue(row, field, message)


@dataclass
class _Cell:
    row: int
    region: str  # code or name as matched
    is_code: bool
    year: int
    age: str
    sex: str
    value: int


@dataclass
class PopulationResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years: list[int] = field(default_factory=list)
    shared_out: list[str] = field(default_factory=list)  # districts given DeSO overlap
    skipped_other_municipalities: int = 0
    sha256: str = ""

    @property
    def summary(self) -> str:
        years = ", ".join(map(str, self.years))
        text = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged "
            f"(years {years})"
        )
        if self.shared_out:
            text += f"; {len(self.shared_out)} districts by overlap with DeSO/RegSO"
        if self.skipped_other_municipalities:
            text += f"; {self.skipped_other_municipalities} rows of other municipalities skipped"
        return text


def _find(header: list[str], names: Iterable[str]) -> int | None:
    folded = [h.strip().casefold() for h in header]
    for name in names:
        for i, h in enumerate(folded):
            if h == name or h.startswith(name + " "):
                return i
    return None


def _read(data: bytes, filename: str) -> tuple[list[str], list[list[object]], int]:
    """(header, rows below it, the header's row number) — past SCB's title lines (a CSV's
    separator is guessed from its header line, not from the title above it)."""
    skipped = 0
    if not filename.lower().endswith(".xlsx") and not data.startswith(b"PK\x03\x04"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        lines = text.splitlines(keepends=True)
        for i, line in enumerate(lines[:20]):
            cells = re.split(r"[;,\t]", line.replace('"', "").strip().casefold())
            if len(cells) >= 2 and any(c.strip() in _REGION_HEADERS for c in cells):
                skipped = i
                data = "".join(lines[i:]).encode("utf-8")
                break
    try:
        header, rows = read_table(data, filename)
    except ImportRefused as exc:
        if "not utf-8 text" not in str(exc).casefold():
            raise
        header, rows = read_table(data, filename, encoding="cp1252")
    table: list[list[object]] = [list(header), *rows]
    for i, candidate in enumerate(table[:20]):
        cells = [str(c) for c in candidate]
        if len([c for c in cells if c.strip()]) >= 2 and _find(cells, _REGION_HEADERS) is not None:
            return cells, table[i + 1 :], skipped + i + 1
    raise ImportRefused(
        [
            _issue(
                0,
                "",
                "no header row with a region column (region, DeSO, RegSO, område or namn) "
                "in the first 20 rows: is this a population table from Statistikdatabasen?",
            )
        ]
    )


def _number(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = re.sub(r"[\s\u00a0]", "", str(value))
    return int(text) if text.isdigit() else None


def read_population_table(
    data: bytes, filename: str, *, year: int | None = None
) -> tuple[list[_Cell], list[RowIssue]]:
    """Every value of the table with its region, year, age band and sex; all errors at once."""
    header, rows, header_row = _read(data, filename)
    region_col = _find(header, _REGION_HEADERS)
    assert region_col is not None
    age_col = _find(header, _AGE_HEADERS)
    sex_col = _find(header, _SEX_HEADERS)
    year_col = _find(header, _YEAR_HEADERS)
    errors: list[RowIssue] = []
    if year_col is not None:  # long
        value_col = _find(header, _VALUE_HEADERS)
        if value_col is None:
            value_col = len(header) - 1
        columns: list[tuple[int, int | None]] = [(value_col, None)]
    else:  # wide: one column per year
        columns = []
        for i, h in enumerate(header):
            match = _YEAR.search(h)
            if i not in (region_col, age_col, sex_col) and match:
                columns.append((i, int(match.group(1))))
        if not columns:
            value_col = _find(header, _VALUE_HEADERS)
            if value_col is None or year is None:
                raise ImportRefused(
                    [
                        _issue(
                            header_row,
                            "",
                            "no year in the table (no column per year and no 'år' column): "
                            "give the year the figures are for (--year)",
                        )
                    ]
                )
            columns = [(value_col, year)]
    cells: list[_Cell] = []
    for offset, values in enumerate(rows, start=1):
        number = header_row + offset
        cells_text = [str(v).strip() for v in values]
        if not any(cells_text) or len(values) <= region_col:
            continue
        region = cells_text[region_col]
        if not region:
            errors.append(_issue(number, header[region_col], "no region"))
            continue
        if len([c for c in cells_text if c]) == 1:
            continue  # a footnote line under the table ("Källa: SCB …")
        code = _DESO.match(region) or _REGSO.match(region) or _MUNICIPALITY.match(region)
        age = cells_text[age_col] if age_col is not None and age_col < len(values) else ""
        sex = cells_text[sex_col] if sex_col is not None and sex_col < len(values) else ""
        for col, col_year in columns:
            if col_year is None:
                assert year_col is not None
                found = _YEAR.search(cells_text[year_col]) if year_col < len(values) else None
                if not found:
                    errors.append(_issue(number, header[year_col], "no year"))
                    continue
                col_year = int(found.group(1))
            if year is not None and col_year != year:
                continue
            raw = values[col] if col < len(values) else ""
            value = _number(raw)
            if value is None:
                shown = "empty" if str(raw).strip() in ("", "..") else repr(raw)
                errors.append(
                    _issue(number, header[col], f"{region}: {shown} is not a number of residents")
                )
                continue
            cells.append(
                _Cell(
                    row=number,
                    region=code.group(1) if code else region,
                    is_code=code is not None,
                    year=col_year,
                    age=age,
                    sex=sex,
                    value=value,
                )
            )
    if not cells and not errors:
        wanted = f" for {year}" if year is not None else ""
        errors.append(_issue(0, "", f"the table has no figures{wanted}"))
    return cells, errors


def _totals(cells: list[_Cell]) -> dict[tuple[str, int], tuple[int, dict[str, dict[str, int]]]]:
    """(region, year) → (total, breakdown by age band and sex)."""
    grouped: dict[tuple[str, int], list[_Cell]] = defaultdict(list)
    for cell in cells:
        grouped[(cell.region, cell.year)].append(cell)
    out = {}
    for key, group in grouped.items():
        total_rows = [c for c in group if _is_total(c.age) and _is_total(c.sex)]
        parts = [c for c in group if not _is_total(c.age) and not _is_total(c.sex)]
        breakdown: dict[str, dict[str, int]] = defaultdict(dict)
        for c in parts:
            if c.age or c.sex:
                breakdown[c.age or "totalt"][c.sex or "totalt"] = c.value
        total = total_rows[0].value if total_rows else sum(c.value for c in parts)
        out[key] = (total, dict(breakdown))
    return out


def _is_total(text: str) -> bool:
    return not text or text.casefold() in _TOTALS


@transaction.atomic
def import_population(
    municipality: Municipality,
    path: str | Path,
    *,
    year: int | None = None,
    filename: str | None = None,
) -> PopulationResult:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefused([_issue(0, "", f"cannot read {path}: {exc.strerror}")]) from exc
    source = (filename or path.name)[:200]
    cells, errors = read_population_table(data, source, year=year)
    result = PopulationResult(sha256=hashlib.sha256(data).hexdigest())
    areas = list(Area.objects.filter(municipality=municipality))
    by_code = {a.code.casefold(): a for a in areas if a.code}
    by_name: dict[str, Area] = {}
    for a in sorted(areas, key=lambda a: a.kind != AreaKind.DISTRICT):
        by_name.setdefault(a.name.casefold(), a)
    wanted: dict[tuple[int | None, int], _Figure] = {}
    other: set[int] = set()
    kept: list[_Cell] = []
    for cell in cells:
        if cell.is_code and not cell.region.startswith(municipality.code):
            other.add(cell.row)
            continue
        kept.append(cell)
    seen_rows: dict[tuple[str, int], int] = {}
    for cell in kept:
        seen_rows.setdefault((cell.region, cell.year), cell.row)
    for (region, region_year), (total, breakdown) in _totals(kept).items():
        row = seen_rows[(region, region_year)]
        if region == municipality.code:
            wanted[(None, region_year)] = (total, breakdown, PopulationMethod.TABLE)
            continue
        area = by_code.get(region.casefold()) or by_name.get(region.casefold())
        if area is None:
            hint = (
                ": import the DeSO boundaries first (Inställningar → Områden, kind DeSO; "
                "SCB publishes them as a GeoPackage)"
                if _DESO.match(region) or _REGSO.match(region)
                else " (no area has that name or code)"
            )
            errors.append(_issue(row, "region", f"{region} matches no area{hint}"))
            continue
        wanted[(area.pk, region_year)] = (total, breakdown, PopulationMethod.TABLE)
    if errors:
        raise ImportRefused(errors[:200], count=len(errors))
    result.skipped_other_municipalities = len(other)
    result.years = sorted({y for _, y in wanted})
    for y in result.years:
        _derive_year(municipality, areas, wanted, y, result)
    existing = {
        (p.area_id, p.year): p
        for p in Population.objects.select_for_update().filter(
            municipality=municipality, year__in=result.years
        )
    }
    for (area_id, y), (total, breakdown, method) in wanted.items():
        current = existing.get((area_id, y))
        if current is None:
            Population.objects.create(
                municipality=municipality,
                area_id=area_id,
                year=y,
                population=total,
                by_group=breakdown,
                method=method,
                source=source,
            )
            result.created += 1
        elif (current.population, current.by_group, current.method) != (total, breakdown, method):
            current.population, current.by_group, current.method = total, breakdown, method
            current.source = source
            current.save()
            result.updated += 1
        else:
            result.unchanged += 1
    _refresh_latest(municipality)
    return result


def _projected(geometry: dict[str, object]) -> BaseGeometry:
    return geo.to_sweref(shape(geometry))


def _derive_year(
    municipality: Municipality,
    areas: list[Area],
    wanted: dict[tuple[int | None, int], _Figure],
    year: int,
    result: PopulationResult,
) -> None:
    """Districts without a figure of their own get the DeSO (else RegSO) figures shared out
    by overlap; the municipality without its own row gets the sum."""
    for kind in (AreaKind.DESO, AreaKind.REGSO):
        statistical = [a for a in areas if a.kind == kind and (a.pk, year) in wanted]
        if statistical:
            break
    else:
        statistical = []
    if statistical:
        shapes = [_projected(a.geometry) for a in statistical]
        tree = shapely.STRtree(shapes)
        for district in areas:
            if district.kind in (AreaKind.DESO, AreaKind.REGSO) or (district.pk, year) in wanted:
                continue
            own = _projected(district.geometry)
            share = 0.0
            for i in tree.query(own, predicate="intersects").tolist():
                covered = own.intersection(shapes[i]).area / shapes[i].area
                share += covered * wanted[(statistical[i].pk, year)][0]
            if share > 0:
                wanted[(district.pk, year)] = (round(share), {}, PopulationMethod.OVERLAP)
                if district.name not in result.shared_out:
                    result.shared_out.append(district.name)
        if (None, year) not in wanted:
            total = sum(wanted[(a.pk, year)][0] for a in statistical)
            wanted[(None, year)] = (total, {}, PopulationMethod.SUM)
    elif (None, year) not in wanted:
        districts = [a for a in areas if a.kind == AreaKind.DISTRICT]
        if districts and all((a.pk, year) in wanted for a in districts):
            total = sum(wanted[(a.pk, year)][0] for a in districts)
            wanted[(None, year)] = (total, {}, PopulationMethod.SUM)


def _refresh_latest(municipality: Municipality) -> None:
    """``Area.population`` and ``Municipality.population`` hold the latest year's figure
    (what a page without a period shows)."""
    latest = Population.objects.filter(municipality=municipality).aggregate(y=Max("year"))["y"]
    if latest is None:
        return
    for p in Population.objects.filter(municipality=municipality, year=latest):
        if p.area_id is None:
            if municipality.population != p.population:
                municipality.population = p.population
                municipality.save(update_fields=["population"])
        else:
            audit.update(
                Area.objects.filter(pk=p.area_id).exclude(population=p.population),
                population=p.population,
            )


def populations_in(
    municipality: Municipality | int, year: int
) -> tuple[dict[int, int], int | None]:
    """({area id: population}, the municipality's population) for ``year``: the figure of
    that year, else of the latest year before it, else the nearest after it; areas without
    any imported figure fall back to their stored population."""
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    rows = Population.objects.filter(municipality_id=municipality_id).values_list(
        "area_id", "year", "population"
    )
    best: dict[int | None, tuple[tuple[int, int], int]] = {}
    for area_id, y, value in rows:
        rank = (0, year - y) if y <= year else (1, y - year)
        if area_id not in best or rank < best[area_id][0]:
            best[area_id] = (rank, value)
    areas: dict[int, int] = {
        pk: population
        for pk, population in Area.objects.filter(
            municipality_id=municipality_id, population__isnull=False
        ).values_list("pk", "population")
        if population is not None
    }
    for area_id, (_rank, value) in best.items():
        if area_id is not None:
            areas[area_id] = value
    total = best[None][1] if None in best else None
    if total is None:
        total = (
            Municipality.objects.filter(pk=municipality_id)
            .values_list("population", flat=True)
            .first()
        )
    return areas, total


def municipal_populations(
    municipality_ids: Iterable[int], years: Iterable[int]
) -> dict[tuple[int, int], int]:
    """{(municipality id, year): population} for many municipalities at once (a region's
    table), by the rule of ``populations_in``: that year's figure, else the latest before,
    else the nearest after, else the municipality's stored population. Two queries."""
    ids = list(municipality_ids)
    years = list(years)
    rows: dict[int, list[tuple[int, int]]] = {}
    for municipality_id, y, value in Population.objects.filter(
        municipality_id__in=ids, area__isnull=True
    ).values_list("municipality_id", "year", "population"):
        rows.setdefault(municipality_id, []).append((y, value))
    stored = dict(
        Municipality.objects.filter(pk__in=ids, population__isnull=False).values_list(
            "pk", "population"
        )
    )
    found: dict[tuple[int, int], int] = {}
    for municipality_id in ids:
        for year in years:
            candidates = rows.get(municipality_id, [])
            if candidates:
                _rank, value = min(
                    ((0, year - y) if y <= year else (1, y - year), v) for y, v in candidates
                )
                found[(municipality_id, year)] = value
            else:
                fallback = stored.get(municipality_id)
                if fallback is not None:
                    found[(municipality_id, year)] = fallback
    return found

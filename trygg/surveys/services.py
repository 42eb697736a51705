"""Importing surveys (respondent-level answers are aggregated on the way in and never
stored) and reading the indices per area and year with their changes."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from trygg.analysis.surveys import (
    MIN_N,
    Estimate,
    mean_change_p,
    mean_estimate,
    share_change_p,
    share_estimate,
)
from trygg.core.importing import parse_number, read_table
from trygg.core.models import Area, Municipality
from trygg.core.pdguard import find_personal_data
from trygg.incidents.importers.base import ImportRefused, RowIssue
from trygg.surveys.models import Survey, SurveyKind, SurveyResult
from trygg.surveys.questions import MEAN, QUESTION_SETS

# Column names that identify people: a file with any of them is refused outright.
IDENTIFIER_COLUMN = re.compile(
    r"(^|[\s_-])(id|respondent\w*|lopnr|löpnr|namn|name|förnamn|efternamn|personnummer|pnr|"
    r"e-?post|e-?mail|mail|telefon|tel|phone|mobil|adress|address|gatuadress|postnummer|"
    r"födelse\w*|fodelse\w*|ip)([\s_-]|$)",
    re.IGNORECASE,
)
AREA_COLUMNS = ("område", "omrade", "area", "stadsdel", "kommundel")
YEAR_COLUMNS = ("år", "ar", "year")
AGE_COLUMNS = ("åldersgrupp", "aldersgrupp", "ålder", "age_band", "age")
GENDER_COLUMNS = ("kön", "kon", "gender")


@dataclass
class SurveyImportResult:
    survey: Survey
    created: bool
    changed: bool
    results: int

    @property
    def summary(self) -> str:
        state = "created" if self.created else "updated" if self.changed else "unchanged"
        return f"{self.survey}: {state}, {self.results} indices"


def _find(names: list[str], candidates) -> int | None:
    for candidate in candidates:
        if candidate in names:
            return names.index(candidate)
    return None


def _check_identifiers(header: list[str]) -> None:
    bad = [h for h in header if IDENTIFIER_COLUMN.search(h.strip())]
    if bad:
        raise ImportRefused(
            [
                RowIssue(
                    1,
                    "header",
                    f"the file has columns that identify people ({', '.join(bad)}): remove "
                    "them — Trygg only takes anonymous answers",
                )
            ]
        )


def _areas(municipality: Municipality) -> dict[str, Area]:
    return {a.name.casefold(): a for a in Area.objects.filter(municipality=municipality)}


def _estimates_from_respondents(header, rows, question_set, areas, year):
    """Validate every row, then aggregate: {(area, question, group): Estimate}."""
    names = [h.strip().casefold() for h in header]
    questions = QUESTION_SETS[question_set]
    errors: list[RowIssue] = []
    area_col = _find(names, AREA_COLUMNS)
    year_col = _find(names, YEAR_COLUMNS)
    age_col = _find(names, AGE_COLUMNS)
    gender_col = _find(names, GENDER_COLUMNS)
    question_cols = {code: names.index(code) for code in questions if code in names}
    if area_col is None:
        errors.append(RowIssue(1, "header", "no column for the area (område)"))
    if not question_cols:
        errors.append(
            RowIssue(1, "header", f"no question columns; expected some of {', '.join(questions)}")
        )
    if errors:
        raise ImportRefused(errors)
    scores: dict[tuple, list] = defaultdict(list)
    for number, values in enumerate(rows, start=2):

        def cell(index, values=values):
            return values[index] if index is not None and index < len(values) else ""

        for value in values:
            if isinstance(value, str) and find_personal_data(value):
                errors.append(RowIssue(number, "", "a cell holds personal data: remove it"))
                break
        area_name = str(cell(area_col)).strip()
        area = areas.get(area_name.casefold())
        if area is None:
            errors.append(RowIssue(number, "område", f"unknown area {area_name!r}"))
            continue
        if year_col is not None and str(cell(year_col)).strip() not in ("", str(year)):
            errors.append(RowIssue(number, "år", f"year {cell(year_col)!r} is not {year}"))
            continue
        groups = ["all"]
        if age_col is not None and str(cell(age_col)).strip():
            groups.append(f"age:{str(cell(age_col)).strip()}")
        if gender_col is not None and str(cell(gender_col)).strip():
            groups.append(f"gender:{str(cell(gender_col)).strip().casefold()}")
        for code, index in question_cols.items():
            raw = cell(index)
            if raw in ("", None) or str(raw).strip() in ("", "9"):
                continue  # not answered / don't know
            try:
                answer = int(parse_number(raw))
            except ValueError:
                errors.append(RowIssue(number, code, f"{raw!r} is not an answer code"))
                continue
            score = questions[code].score(answer)
            if score is None:
                errors.append(
                    RowIssue(
                        number,
                        code,
                        f"answer {answer} is not one of {sorted(questions[code].valid)}",
                    )
                )
                continue
            for group in groups:
                scores[(area.pk, code, group)].append(score)
                scores[(None, code, group)].append(score)
    if errors:
        raise ImportRefused(errors)
    estimates = {}
    for (area_id, code, group), values in scores.items():
        if questions[code].kind == MEAN:
            estimates[(area_id, code, group)] = mean_estimate(values)
        else:
            estimates[(area_id, code, group)] = share_estimate(int(sum(values)), len(values))
    return estimates, len(rows)


def _estimates_from_aggregate(header, rows, question_set, areas, year):
    names = [h.strip().casefold() for h in header]
    columns = {
        "area": _find(names, AREA_COLUMNS),
        "indicator": _find(names, ("indikator", "indicator", "fråga", "question")),
        "value": _find(names, ("värde", "varde", "value")),
        "n": _find(names, ("n", "antal svar", "antal")),
    }
    missing = [k for k, v in columns.items() if v is None]
    if missing:
        raise ImportRefused([RowIssue(1, "header", f"no column for {', '.join(missing)}")])
    questions = QUESTION_SETS[question_set]
    errors = []
    estimates = {}
    for number, values in enumerate(rows, start=2):
        area_name = str(values[columns["area"]]).strip()
        area = None
        if area_name.casefold() not in ("", "kommunen", "hela kommunen", "total"):
            area = areas.get(area_name.casefold())
            if area is None:
                errors.append(RowIssue(number, "område", f"unknown area {area_name!r}"))
                continue
        code = str(values[columns["indicator"]]).strip()
        if code not in questions:
            errors.append(RowIssue(number, "indikator", f"unknown indicator {code!r}"))
            continue
        try:
            value = parse_number(values[columns["value"]])
            n = int(parse_number(values[columns["n"]]))
        except ValueError as exc:
            errors.append(RowIssue(number, "värde", str(exc)))
            continue
        if questions[code].kind == MEAN:
            if not 0 <= value <= 6:
                errors.append(RowIssue(number, "värde", f"{value} is outside the index 0–6"))
                continue
            estimates[(area.pk if area else None, code, "all")] = Estimate(
                value, n, None, float("nan"), float("nan")
            )
        else:
            share = value / 100 if value > 1 else value
            if not 0 <= share <= 1:
                errors.append(RowIssue(number, "värde", f"{value} is not a share"))
                continue
            estimates[(area.pk if area else None, code, "all")] = (
                share_estimate(round(share * n), n)
                if n > 0
                else Estimate(share, 0, None, float("nan"), float("nan"))
            )
    if errors:
        raise ImportRefused(errors)
    return estimates, None


def import_survey(
    municipality: Municipality,
    data: bytes,
    *,
    file_name: str,
    question_set: str,
    year: int,
    kind: str = SurveyKind.RESPONDENTS,
    title: str = "",
    response_rate: float | None = None,
    is_demo: bool = False,
) -> SurveyImportResult:
    """Validate the whole file, then store the indices: all or nothing; importing the same
    file again changes nothing; a new file for the same survey and year replaces it."""
    if question_set not in QUESTION_SETS:
        raise ImportRefused([RowIssue(0, "question set", f"unknown question set {question_set!r}")])
    header, rows = read_table(data, file_name)
    _check_identifiers(header)
    if not rows:
        raise ImportRefused([RowIssue(0, "", "the file has a header but no rows")])
    areas = _areas(municipality)
    if kind == SurveyKind.RESPONDENTS:
        estimates, respondents = _estimates_from_respondents(
            header, rows, question_set, areas, year
        )
    else:
        estimates, respondents = _estimates_from_aggregate(header, rows, question_set, areas, year)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        survey, created = Survey.objects.get_or_create(
            municipality=municipality,
            question_set=question_set,
            year=year,
            defaults={
                "title": title or f"{question_set} {year}",
                "kind": kind,
                "respondents": respondents,
                "response_rate": response_rate,
                "file_sha256": digest,
                "is_demo": is_demo,
            },
        )
        if not created and survey.file_sha256 == digest:
            return SurveyImportResult(survey, False, False, survey.results.count())
        if not created:
            survey.kind, survey.respondents, survey.file_sha256 = kind, respondents, digest
            survey.response_rate = response_rate
            survey.title = title or survey.title
            survey.save()
            survey.results.all().delete()
        SurveyResult.objects.bulk_create(
            [
                SurveyResult(
                    survey=survey,
                    area_id=area_id,
                    question=code,
                    group=group,
                    n=e.n,
                    # Fewer than 30 answers: the count is kept, the index is not.
                    value=e.value if e.n >= MIN_N else None,
                    sd=e.sd if e.n >= MIN_N else None,
                    ci_low=e.ci_low if e.n >= MIN_N and e.ci_low == e.ci_low else None,
                    ci_high=e.ci_high if e.n >= MIN_N and e.ci_high == e.ci_high else None,
                )
                for (area_id, code, group), e in estimates.items()
            ]
        )
    return SurveyImportResult(survey, created, True, len(estimates))


@dataclass
class Cell:
    year: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    change: str  # "better", "worse" or "" (no significant change)
    p: float | None
    rose: bool = False  # the value went up (the arrow's direction; better or worse is ``change``)


def index_table(municipality: Municipality, question_set: str, question: str):
    """Rows (area name or None for the whole municipality, [Cell per survey year]) for one
    question, with significant changes (p < 0.05) from the previous survey marked."""
    surveys = list(
        Survey.objects.filter(municipality=municipality, question_set=question_set).order_by("year")
    )
    q = QUESTION_SETS[question_set][question]
    results = SurveyResult.objects.filter(survey__in=surveys, question=question, group="all")
    by_key = {(r.survey_id, r.area_id): r for r in results}
    areas = [None, *Area.objects.filter(municipality=municipality).order_by("name")]
    table = []
    for area in areas:
        cells = []
        previous = None
        for survey in surveys:
            r = by_key.get((survey.pk, area.pk if area else None))
            if r is None:
                cells.append(Cell(survey.year, None, None, None, 0, "", None))
                previous = None
                continue
            change, p, rose = "", None, False
            if r.value is not None and previous is not None and previous.value is not None:
                a = Estimate(previous.value, previous.n, previous.sd, 0, 0)
                b = Estimate(r.value, r.n, r.sd, 0, 0)
                p = mean_change_p(a, b) if q.kind == MEAN else share_change_p(a, b)
                rose = r.value > previous.value
                if p == p and p < 0.05:
                    improved = (r.value < previous.value) == q.lower_is_better
                    change = "better" if improved else "worse"
            cells.append(Cell(survey.year, r.value, r.ci_low, r.ci_high, r.n, change, p, rose))
            previous = r
        table.append((area.name if area else None, cells))
    return [s.year for s in surveys], table


def indicator_value(
    municipality: Municipality,
    question_set: str,
    question: str,
    year: int,
    area: Area | None = None,
) -> float | None:
    """A survey index as a plan indicator's value (None when not measured or n < 30): the
    share as a percentage, the problem index as is."""
    result = (
        SurveyResult.objects.filter(
            survey__municipality=municipality,
            survey__question_set=question_set,
            survey__year=year,
            question=question,
            group="all",
            area=area,
        )
        .only("value")
        .first()
    )
    if result is None or result.value is None:
        return None
    kind = QUESTION_SETS[question_set][question].kind
    return round(100 * result.value, 1) if kind != MEAN else round(result.value, 2)

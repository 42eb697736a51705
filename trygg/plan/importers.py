"""The activity register from a spreadsheet (XLSX or CSV): every row validated, every
problem reported with its row, field and reason, all or nothing, idempotent by the
sheet's own reference column.

Columns (Swedish or English headings): ref (required: the organiser's own id of the
activity), typ/type (an activity type's code or Swedish name), titel/title, från/from
(date), till/to (date; default = from), område/area (an area's name), arrangör/organiser
(organisation names separated by ;), deltagare/participants, the age bands (under_13,
13_15, 16_17, 18_24, over_24), flickor/girls, pojkar/boys, annat/other_gender,
kostnad/cost, åtgärd/measure (a measure's title), resultat/outcome (free text: personal
data is masked with a warning).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from trygg.core.importing import parse_date, parse_number, read_table
from trygg.core.models import Area, Municipality, Organisation
from trygg.core.pdguard import mask_personal_data
from trygg.incidents.importers.base import ImportRefused, RowIssue
from trygg.plan.models import AGE_FIELDS, GENDER_FIELDS, Activity, ActivityType, Measure

HEADINGS = {
    "ref": "ref", "referens": "ref", "id": "ref",
    "typ": "type", "type": "type", "aktivitetstyp": "type",
    "titel": "title", "title": "title", "namn": "title", "aktivitet": "title",
    "från": "start", "from": "start", "datum": "start", "startdatum": "start", "start": "start",
    "till": "end", "to": "end", "slutdatum": "end", "end": "end",
    "område": "area", "area": "area", "stadsdel": "area",
    "arrangör": "organisers", "arrangörer": "organisers", "organiser": "organisers",
    "organisers": "organisers",
    "deltagare": "participants", "participants": "participants", "antal": "participants",
    "under_13": "age_under_13", "13_15": "age_13_15", "16_17": "age_16_17",
    "18_24": "age_18_24", "over_24": "age_over_24", "över_24": "age_over_24",
    "flickor": "girls_women", "girls": "girls_women", "flickor/kvinnor": "girls_women",
    "pojkar": "boys_men", "boys": "boys_men", "pojkar/män": "boys_men",
    "annat": "gender_other", "other_gender": "gender_other", "annat/ej angivet": "gender_other",
    "kostnad": "cost", "cost": "cost",
    "åtgärd": "measure", "measure": "measure",
    "resultat": "outcome", "outcome": "outcome", "utfall": "outcome",
}  # fmt: skip
TYPE_NAMES = {str(label).lower(): value for value, label in ActivityType.choices}
SWEDISH_TYPES = {
    "fältrunda": "field_round", "sommarjobb": "summer_jobs", "lovaktivitet": "holiday_programme",
    "lovprogram": "holiday_programme", "filmvisning": "film_discussion",
    "prao": "career_event", "karriärdag": "career_event", "yrkesföreläsning": "career_event",
    "personalutbildning skola": "school_training", "informationsmöte personal": "staff_information",
    "föreningsaktivitet": "association", "medborgardialog": "resident_dialogue",
    "sig/gvi-möte": "sig_gvi", "trygghetsvandring": "safety_walk", "övrigt": "other",
}  # fmt: skip
COUNT_FIELDS = ["participants", *AGE_FIELDS, *GENDER_FIELDS]


@dataclass
class ActivityImport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[RowIssue] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{self.rows} rows: {self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.warnings)} warnings"
        )


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    problems = []
    for index, name in enumerate(header):
        key = HEADINGS.get(str(name).strip().lower())
        if key is None:
            if str(name).strip():
                problems.append(RowIssue(0, str(name), "unknown column"))
            continue
        if key in columns:
            problems.append(RowIssue(0, str(name), f"a second column for {key}"))
        columns[key] = index
    for required in ("ref", "type", "start"):
        if required not in columns:
            problems.append(RowIssue(0, required, "required column missing"))
    if problems:
        raise ImportRefused(problems)
    return columns


def _count(value, row: int, name: str, errors: list) -> int:
    if value in (None, ""):
        return 0
    try:
        number = parse_number(value)
    except ValueError:
        errors.append(RowIssue(row, name, f"not a number: {value!r}"))
        return 0
    if number < 0 or number != int(number):
        errors.append(RowIssue(row, name, f"must be a whole number ≥ 0, got {value!r}"))
        return 0
    return int(number)


def parse(municipality: Municipality, data: bytes, file_name: str, encoding: str = "utf-8"):
    header, rows = read_table(data, file_name, encoding)
    columns = _columns(header)
    areas = {a.name.lower(): a for a in Area.objects.filter(municipality=municipality)}
    orgs = {o.name.lower(): o for o in Organisation.objects.filter(municipality=municipality)}
    measures = {m.title.lower(): m for m in Measure.objects.filter(municipality=municipality)}
    errors: list[RowIssue] = []
    result = ActivityImport()
    parsed = []
    seen: dict[str, int] = {}

    def cell(values, key):
        index = columns.get(key)
        if index is None or index >= len(values):
            return None
        value = values[index]
        return value.strip() if isinstance(value, str) else value

    for number, values in enumerate(rows, start=2):
        result.rows += 1
        row_errors: list[RowIssue] = []
        ref = str(cell(values, "ref") or "").strip()
        if not ref:
            row_errors.append(RowIssue(number, "ref", "missing reference"))
        elif ref in seen:
            row_errors.append(RowIssue(number, "ref", f"the same reference as row {seen[ref]}"))
        else:
            seen[ref] = number
        raw_type = str(cell(values, "type") or "").strip().lower()
        type_ = raw_type if raw_type in ActivityType.values else (
            SWEDISH_TYPES.get(raw_type) or TYPE_NAMES.get(raw_type)
        )  # fmt: skip
        if not type_:
            row_errors.append(RowIssue(number, "type", f"unknown activity type {raw_type!r}"))
        dates = {}
        for key in ("start", "end"):
            value = cell(values, key)
            if value in (None, ""):
                continue
            try:
                dates[key] = parse_date(value)[0]
            except ValueError:
                row_errors.append(RowIssue(number, key, f"not a date: {value!r}"))
        if "start" not in dates and not any(e.field == "start" for e in row_errors):
            row_errors.append(RowIssue(number, "start", "missing date"))
        start = dates.get("start")
        end = dates.get("end", start)
        if start and end and end < start:
            row_errors.append(RowIssue(number, "end", "ends before it starts"))
        if start and start > dt.date.today() + dt.timedelta(days=366):
            row_errors.append(RowIssue(number, "start", "more than a year in the future"))
        area = None
        area_name = str(cell(values, "area") or "").strip()
        if area_name:
            area = areas.get(area_name.lower())
            if area is None:
                row_errors.append(RowIssue(number, "area", f"no area named {area_name!r}"))
        organisers = []
        for name in str(cell(values, "organisers") or "").split(";"):
            if name.strip():
                org = orgs.get(name.strip().lower())
                if org is None:
                    row_errors.append(
                        RowIssue(number, "organisers", f"no organisation named {name.strip()!r}")
                    )
                else:
                    organisers.append(org)
        counts = {k: _count(cell(values, k), number, k, row_errors) for k in COUNT_FIELDS}
        ages = sum(counts[k] for k in AGE_FIELDS)
        genders = sum(counts[k] for k in GENDER_FIELDS)
        if not counts["participants"]:
            counts["participants"] = max(ages, genders)
        if ages and ages != counts["participants"]:
            row_errors.append(RowIssue(number, "participants", f"age bands add up to {ages}"))
        if genders and genders != counts["participants"]:
            row_errors.append(RowIssue(number, "participants", f"genders add up to {genders}"))
        cost = None
        raw_cost = cell(values, "cost")
        if raw_cost not in (None, ""):
            try:
                cost = Decimal(str(parse_number(raw_cost))).quantize(Decimal("0.01"))
                if cost < 0:
                    raise InvalidOperation
            except (ValueError, InvalidOperation):
                row_errors.append(RowIssue(number, "cost", f"not an amount: {raw_cost!r}"))
        measure = None
        measure_title = str(cell(values, "measure") or "").strip()
        if measure_title:
            measure = measures.get(measure_title.lower())
            if measure is None:
                row_errors.append(RowIssue(number, "measure", f"no measure {measure_title!r}"))
        title = str(cell(values, "title") or "").strip()
        outcome = str(cell(values, "outcome") or "").strip()
        for name, text in (("title", title), ("outcome", outcome)):
            masked, found = mask_personal_data(text)
            if found:
                result.warnings.append(
                    RowIssue(number, name, f"personal data masked ({len(found)})")
                )
            if name == "title":
                title = masked
            else:
                outcome = masked
        if len(title) > 200:
            row_errors.append(RowIssue(number, "title", "longer than 200 characters"))
        errors += row_errors
        if not row_errors:
            parsed.append(
                {
                    "import_ref": ref,
                    "type": type_,
                    "title": title or str(ActivityType(type_).label),
                    "start_date": start,
                    "end_date": end,
                    "area": area,
                    "cost": cost,
                    "measure": measure,
                    "outcome": outcome,
                    "organisers": organisers,
                    **counts,
                }
            )
    if not rows:
        errors.append(RowIssue(0, "", "the file has no rows"))
    if errors:
        raise ImportRefused(errors)
    return parsed, result


@transaction.atomic
def import_activities(
    municipality: Municipality,
    data: bytes,
    file_name: str,
    *,
    owner: Organisation,
    encoding: str = "utf-8",
) -> ActivityImport:
    parsed, result = parse(municipality, data, file_name, encoding)
    existing = {
        a.import_ref: a
        for a in Activity.objects.filter(municipality=municipality).exclude(import_ref="")
    }
    for values in parsed:
        organisers = values.pop("organisers")
        activity = existing.get(values["import_ref"])
        if activity is None:
            activity = Activity(municipality=municipality, owner_organisation=owner, **values)
            activity.full_clean(exclude=["restricted_to", "organisers"])
            activity.save()
            activity.organisers.set(organisers or [owner])
            result.created += 1
            continue
        changed = any(getattr(activity, k) != v for k, v in values.items()) or set(
            activity.organisers.all()
        ) != set(organisers or [owner])
        if changed:
            for key, value in values.items():
                setattr(activity, key, value)
            activity.full_clean(exclude=["restricted_to", "organisers"])
            activity.save()
            activity.organisers.set(organisers or [owner])
            result.updated += 1
        else:
            result.unchanged += 1
    return result

"""The municipality's case settings (``manage_settings``): case categories with their
extra questions and deadlines, and the routing rules — none can leave the municipality
unable to take a report (a category in use is merged, never just deleted)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trygg.cases.models import Case, CaseCategory, Land, RoutingRule
from trygg.core import audit
from trygg.core.models import Area, Organisation
from trygg.core.permissions import Principal
from trygg.core.records import unique_code
from trygg.core.services.site import check_settings

CATEGORY_FIELDS = (
    "name",
    "name_en",
    "description",
    "group",
    "keywords",
    "deadline_months",
    "is_public",
    "order",
)
DATATYPES = ("string", "text", "number", "singlevaluelist")


def _own(principal: Principal, obj: Any) -> None:
    check_settings(principal, principal.acting_municipality)
    if obj is not None and obj.municipality_id != principal.acting_municipality.pk:
        raise PermissionDenied("Another municipality's setting.")


def parse_questions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open311 attributes from the form's rows (question, type, required, choices "a; b")."""
    out: list[dict[str, Any]] = []
    codes: set[str] = set()
    for order, row in enumerate(rows, start=1):
        question = str(row.get("question") or "").strip()
        if not question:
            continue
        datatype = row.get("datatype") or "string"
        if datatype not in DATATYPES:
            raise ValidationError(_("Unknown answer type %(t)s.") % {"t": datatype})
        code = str(row.get("code") or "") or slugify(question)[:40] or f"q{order}"
        while code in codes:
            code += "-2"
        codes.add(code)
        item: dict[str, Any] = {
            "code": code,
            "datatype": datatype,
            "required": bool(row.get("required")),
            "description": question[:200],
            "order": order,
            "variable": True,
            "datatype_description": "",
        }
        if datatype == "singlevaluelist":
            choices = [c.strip() for c in re.split(r"[;\n]", str(row.get("choices") or ""))]
            choices = [c for c in choices if c]
            if len(choices) < 2:
                raise ValidationError(
                    _("The question “%(q)s” needs at least two choices, separated by ;.")
                    % {"q": question}
                )
            item["values"] = [
                {"key": slugify(c)[:40] or str(i), "name": c} for i, c in enumerate(choices)
            ]
        out.append(item)
    return out


@transaction.atomic
def save_category(
    principal: Principal,
    category: CaseCategory | None,
    *,
    questions: list[dict[str, Any]] | None = None,
    **values: Any,
) -> CaseCategory:
    _own(principal, category)
    municipality = principal.acting_municipality
    if category is None:
        code = unique_code(
            CaseCategory.objects.filter(municipality=municipality), str(values.get("name") or "")
        )
        category = CaseCategory(municipality=municipality, code=code)
    for key, value in values.items():
        if key in CATEGORY_FIELDS:
            setattr(category, key, value)
    if questions is not None:
        category.attributes = parse_questions(questions)
    category.full_clean()
    if (
        CaseCategory.objects.filter(municipality=municipality, name__iexact=category.name)
        .exclude(pk=category.pk)
        .exists()
    ):
        raise ValidationError({"name": _("Another category has this name.")})
    category.save()
    return category


def category_use(category: CaseCategory) -> int:
    return Case.objects.filter(category=category).count()


@transaction.atomic
def delete_category(
    principal: Principal, category: CaseCategory, *, merge_into: CaseCategory | None = None
) -> int:
    """Remove a category. One that cases or walk findings use must be merged into another:
    its cases, findings and routing rules move there (each case audited). How many cases
    moved."""
    _own(principal, category)
    from_walks = _finding_model().objects.filter(category=category)
    in_use = Case.objects.filter(category=category).exists() or from_walks.exists()
    if merge_into is None:
        if in_use:
            raise ValidationError(
                _("Cases use this category: choose the category to merge them into.")
            )
    else:
        _own(principal, merge_into)
        if merge_into.pk == category.pk:
            raise ValidationError(_("Choose another category to merge into."))
    moved = 0
    if merge_into is not None:
        moved = audit.update(Case.objects.filter(category=category), category=merge_into)
        audit.update(from_walks, category=merge_into)
        for rule in RoutingRule.objects.filter(category=category):
            duplicate = RoutingRule.objects.filter(
                municipality=rule.municipality,
                category=merge_into,
                area=rule.area,
                land=rule.land,
            ).exists()
            if duplicate:
                rule.delete()
            else:
                rule.category = merge_into
                rule.save()
    if (
        not CaseCategory.objects.filter(municipality=category.municipality)
        .exclude(pk=category.pk)
        .exists()
    ):
        raise ValidationError(_("The last category cannot be removed: residents need one."))
    category.delete()
    return moved


def _finding_model() -> Any:
    # Walk findings name a case category; the walks app is above cases, so its model is
    # found through the registry, not imported.
    from django.apps import apps

    return apps.get_model("walks", "Finding")


@transaction.atomic
def save_rule(
    principal: Principal,
    rule: RoutingRule | None,
    *,
    category: CaseCategory | None,
    area: Area | None,
    land: str,
    organisation: Organisation | None,
) -> RoutingRule:
    _own(principal, rule)
    municipality = principal.acting_municipality
    for obj in (category, area, organisation):
        if obj is not None and obj.municipality_id != municipality.pk:
            raise ValidationError(_("Choose from this municipality's own."))
    if organisation is None and land != Land.PROPERTY:
        raise ValidationError(
            {
                "organisation": _(
                    "Choose the responsible organisation (only a rule for properties "
                    "may leave it to the property's owner)."
                )
            }
        )
    if organisation is not None and not organisation.is_active:
        raise ValidationError({"organisation": _("The organisation is deactivated.")})
    rule = rule or RoutingRule(municipality=municipality)
    rule.category, rule.area, rule.land, rule.organisation = category, area, land, organisation
    clash = RoutingRule.objects.filter(
        municipality=municipality, category=category, area=area, land=land
    ).exclude(pk=rule.pk)
    if clash.exists():
        raise ValidationError(
            _("A rule for the same category, area and land exists: change that one instead.")
        )
    rule.full_clean()
    rule.save()
    return rule


def uncovered_categories(municipality_id: int, rules: list[RoutingRule]) -> list[CaseCategory]:
    """The categories some place would have no responsible organisation for under
    ``rules``: a category is covered everywhere by a rule for every area (its own or for
    every category) on any land, or by one for municipal land and one for properties."""
    out = []
    for category in CaseCategory.objects.filter(municipality_id=municipality_id):
        lands = {
            r.land for r in rules if r.area_id is None and r.category_id in (None, category.pk)
        }
        if Land.ANY not in lands and not {Land.MUNICIPAL, Land.PROPERTY} <= lands:
            out.append(category)
    return out


@transaction.atomic
def delete_rule(principal: Principal, rule: RoutingRule) -> None:
    """Remove a rule, unless a category routed everywhere before would then have places
    where no organisation gets its cases."""
    _own(principal, rule)
    rules = list(RoutingRule.objects.filter(municipality_id=rule.municipality_id))
    before = {c.pk for c in uncovered_categories(rule.municipality_id, rules)}
    after = uncovered_categories(rule.municipality_id, [r for r in rules if r.pk != rule.pk])
    lost = [c.name for c in after if c.pk not in before]
    if lost:
        raise ValidationError(
            _(
                "Without this rule, reports about %(categories)s could not be routed "
                "everywhere: add the rule that replaces it first."
            )
            % {"categories": ", ".join(lost[:5]) + (" …" if len(lost) > 5 else "")}
        )
    rule.delete()

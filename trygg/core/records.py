"""Writing one record that a validated ModelForm described: the last step of a service.

The views validate input with ModelForms; a service checks who may do it and sets what the
form must not (municipality, owner), then writes here: the row after ``full_clean()``, then
its many-to-many relations. ``relations(form)`` takes those from a validated form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.db import models, transaction
from django.utils.text import slugify


def relations(form: forms.BaseModelForm[models.Model]) -> dict[str, Iterable[object]]:
    """The many-to-many values of a validated ModelForm, by field name."""
    names = {f.name for f in form._meta.model._meta.many_to_many}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


@transaction.atomic
def write(
    instance: models.Model, related: Mapping[str, Iterable[object]] | None = None
) -> models.Model:
    """Validate and save ``instance``, then set its many-to-many ``related`` values."""
    instance.full_clean(exclude=list(related or {}))
    instance.save()
    for name, values in (related or {}).items():
        getattr(instance, name).set(values)
    return instance


def unique_code(queryset: models.QuerySet[models.Model], name: str, field: str = "code") -> str:
    """A slug of ``name`` not yet used in ``queryset`` (e.g. a municipality's categories):
    "klotter", then "klotter-2", "klotter-3" …"""
    base = slugify(name)[:36] or "kategori"
    code, n = base, 2
    while queryset.filter(**{field: code}).exists():
        code, n = f"{base}-{n}", n + 1
    return code

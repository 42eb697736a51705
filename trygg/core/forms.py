"""Form helpers every app's views share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from trygg.core.params import error_messages


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on a form: each message on its field, or at the
    top of the form when the field is not shown (hidden inputs such as a map's lat/lon)
    or the error names no field."""
    for field, errors in error_messages(exc).items():
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        form.add_error(field if shown else None, errors)


class DependentSelect(forms.Select):
    """A select whose options each belong to a choice of another field (a measure's cause
    to its problem): each option carries ``data-parent`` (the model instance's
    ``parent_attr``), and trygg.js shows only the options of the other field's current
    choice (``data-depends-on``: that field's id). The form still validates the pair."""

    def __init__(self, parent_field_id: str, parent_attr: str, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.attrs["data-depends-on"] = parent_field_id
        self.parent_attr = parent_attr

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-parent"] = str(getattr(instance, self.parent_attr))
        return option

"""Form helpers every app's views share."""

from __future__ import annotations

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

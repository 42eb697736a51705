"""The weekly picture: the municipality's two scales (how serious a report is, the weekly
assessment of an area), with defaults until it sets its own."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import get_language, gettext_lazy

from trygg.core.models import Municipality
from trygg.est.models import (
    ScaleKind,
    ScaleLevel,
)

# --- Scales -------------------------------------------------------------------------

DEFAULT_SCALES = {
    ScaleKind.SEVERITY: [
        (1, gettext_lazy("Low")),
        (2, gettext_lazy("Medium")),
        (3, gettext_lazy("High")),
    ],
    ScaleKind.ASSESSMENT: [
        (1, gettext_lazy("Normal")),
        (2, gettext_lazy("Elevated")),
        (3, gettext_lazy("Serious")),
    ],
}


def scale(municipality: Municipality, kind: str) -> list[tuple[int, str]]:
    """The steps of a scale as (value, label) in the current language: the
    municipality's own (ScaleLevel) or the defaults."""
    english = (get_language() or "sv").startswith("en")
    own = [
        (s.value, s.label_en if english and s.label_en else s.label)
        for s in ScaleLevel.objects.filter(municipality=municipality, scale=kind)
    ]
    return own or [(v, str(label)) for v, label in DEFAULT_SCALES[kind]]


def in_language(label: object, language: str) -> str:
    """A default step's name in ``language`` ("sv", "en")."""
    with translation.override(language):
        return str(label)


def steps(municipality: Municipality, kind: str) -> list[tuple[int, str, str]]:
    """Every step of a scale as (value, Swedish, English): the municipality's own words,
    else the defaults' (what the settings page edits)."""
    own = {
        s.value: (s.label, s.label_en)
        for s in ScaleLevel.objects.filter(municipality=municipality, scale=kind)
    }
    return [
        (value, *own.get(value, (in_language(label, "sv"), in_language(label, "en"))))
        for value, label in DEFAULT_SCALES[ScaleKind(kind)]
    ]


def scale_label(municipality: Municipality, kind: str, value: int | None) -> str:
    return dict(scale(municipality, kind)).get(value, str(value) if value else "–")

"""Sections of the statutory lägesbild document that the apps above assessment write.

The document (layer 3) never imports the apps above it: cases, walks and the weekly
picture register a builder for their section in their ``AppConfig.ready``, and the document
collects whatever is registered. A builder gets the period, the audience and the reader —
``Principal.partners_view`` or ``Principal.public_view`` of the municipality — and reads
only through that reader's permission layer; it returns a table (``{"header": [...],
"rows": [[...]]}``) or None when it has nothing to say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from trygg.core.models import Municipality
from trygg.core.permissions import Principal


@dataclass(frozen=True)
class SectionRequest:
    municipality: Municipality
    date_from: dt.date
    date_to: dt.date
    public: bool

    @property
    def reader(self) -> Principal:
        if self.public:
            return Principal.public_view(self.municipality)
        return Principal.partners_view(self.municipality)


Builder = Callable[[SectionRequest], dict | None]

# The slots the document's template has, each filled by at most one app.
SLOTS = ("cases_table", "partner_table")
_builders: dict[str, Builder] = {}


def register(slot: str, builder: Builder) -> None:
    if slot not in SLOTS:
        raise ValueError(f"the lägesbild document has no section {slot!r} (slots: {SLOTS})")
    _builders[slot] = builder


def build_all(request: SectionRequest) -> dict[str, dict | None]:
    """Every slot: the registered app's table, or None."""
    return {slot: (_builders[slot](request) if slot in _builders else None) for slot in SLOTS}

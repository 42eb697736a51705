"""Where a record is, as people write it: "Kungsängen, Råggatan 19" (its area and the
street part of its address) in lists; the full address on its own page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def _address(record: Any, public: bool) -> str:
    if public and hasattr(record, "public_address"):
        return str(record.public_address)
    return str(getattr(record, "address", "") or "")


@register.filter
def place(record: Any, mode: str = "") -> str:
    """The area and the street address of a case, finding or observation ("–" if
    neither is known); ``"public"`` leaves out a typed address not yet moderated."""
    area = getattr(record, "area", None)
    address = _address(record, mode == "public").split(",", 1)[0].strip()
    return ", ".join(p for p in (area.name if area else "", address) if p) or "–"


@register.filter
def full_address(record: Any, mode: str = "") -> str:
    """The whole address ("Råggatan 19, 196 30 Kungsängen"), or ""."""
    return _address(record, mode == "public")

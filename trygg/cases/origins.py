"""Where a case came from, when that is a record of an app above cases.

A case may be made from a decision of the collaboration forum (plan), and other apps may
add kinds. cases (layer 4) never imports them: each registers its kind in its
``AppConfig.ready`` with two functions — what the new case's form starts with, and how the
link back is written once the case exists. The case keeps a generic reference,
``Case.origin_ref`` = "<kind>:<id>" (e.g. "plan.decision:17").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import BadRequest

from trygg.core.params import MAX_ID

if TYPE_CHECKING:
    from trygg.cases.models import Case
    from trygg.core.permissions import Principal


@dataclass(frozen=True)
class OriginKind:
    # The text the new case starts with, or None if the principal may not read the record.
    describe: Callable[[Principal, int], str | None]
    # Write the link back on the record (e.g. decision.case = case).
    link: Callable[[Principal, int, Case], None]


_kinds: dict[str, OriginKind] = {}


def register(kind: str, describe, link) -> None:
    _kinds[kind] = OriginKind(describe=describe, link=link)


def parse(ref: str) -> tuple[str, int]:
    """("plan.decision", 17) from "plan.decision:17", or BadRequest (400)."""
    kind, _, raw_id = (ref or "").partition(":")
    if kind not in _kinds or not raw_id.isascii() or not raw_id.isdigit():
        raise BadRequest(f"origin {ref!r} is not a known record (kind:id)")
    pk = int(raw_id)
    if not 1 <= pk <= MAX_ID:
        raise BadRequest(f"origin {ref!r} is not a known record (kind:id)")
    return kind, pk


def describe(principal: Principal, ref: str) -> str | None:
    kind, pk = parse(ref)
    return _kinds[kind].describe(principal, pk)


def link(principal: Principal, ref: str, case: Case) -> None:
    kind, pk = parse(ref)
    _kinds[kind].link(principal, pk, case)

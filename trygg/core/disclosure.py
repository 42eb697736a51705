"""The public small-count rule (docs/privacy.md §3), in one place.

Every public output — public pages, the public lägesbild, the public plan, public API
answers — shows every count below the threshold (``TRYGG["PUBLIC_MIN_COUNT"]``, 5) as
"<5", zero included (a zero beside "<5" cells would narrow them down). Every output asks
here, so changing the setting changes all of them.
"""

from __future__ import annotations

from django.conf import settings

from trygg.core import formats


def threshold() -> int:
    return int(settings.TRYGG["PUBLIC_MIN_COUNT"])


def is_suppressed(count: int | float) -> bool:
    """True for a count that a public output may not show as it is."""
    return count < threshold()


def shown(count: int, public: bool = True) -> int | str:
    """``count``, or "<5" where a public output must suppress it."""
    return f"<{threshold()}" if public and is_suppressed(count) else count


def printed(count: int, public: bool = True) -> str:
    """``count`` as a document prints it: "1 234" (Swedish digits), or "<5" where a
    public output must suppress it."""
    value = shown(count, public)
    return formats.number(value) if isinstance(value, int) else value


def parts(counts: list[int], public: bool = True) -> list[str]:
    """Counts that add up to a total shown beside them (participants per kind, say), as
    printed: each below the threshold suppressed, and — when exactly one is — the next
    smallest too, so that the total minus the others never gives the suppressed one away
    (secondary suppression)."""
    if not public:
        return [formats.number(n) for n in counts]
    hidden = {i for i, n in enumerate(counts) if is_suppressed(n)}
    if len(hidden) == 1 and len(counts) > 1:
        rest = sorted((n, i) for i, n in enumerate(counts) if i not in hidden)
        hidden.add(rest[0][1])
    return [f"<{threshold()}" if i in hidden else formats.number(n) for i, n in enumerate(counts)]

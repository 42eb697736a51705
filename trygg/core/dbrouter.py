"""Read replicas: read-only work goes to a replica, everything else to the primary.

``DATABASE_REPLICA_URLS`` names the replicas (PostgreSQL streaming replicas, each an alias
``replica_0``, ``replica_1``, … in ``DATABASES``). A request may read from a replica when
it only reads — a GET or HEAD of the lägesbild and analysis pages, a region's pages,
documents, exports and the JSON API (``REPLICA_READ_PATHS``) — and its client has not
written in the last ``READ_YOUR_WRITES_SECONDS``: every unsafe request (a POST, a login)
sets a short-lived cookie, and while it lives the client reads from the primary, so a
user who has just written sees what they wrote whatever the replica's lag. Writes, reads
inside a transaction, and reads of any other request go to the primary. A request keeps to
one replica.

The choice is per request, in a context variable (``ReplicaMiddleware`` sets it), so
tasks, management commands and tests read from the primary unless they ask
(``reading_from_replica``).
"""

from __future__ import annotations

import contextlib
import contextvars
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

_replica: contextvars.ContextVar[str | None] = contextvars.ContextVar("trygg_replica", default=None)

WROTE_COOKIE = "trygg_wrote"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


@contextlib.contextmanager
def reading_from_replica(alias: str | None = None) -> Iterator[str | None]:
    """Reads inside the block go to ``alias`` (default: one of the replicas, if any)."""
    aliases = replica_aliases()
    chosen = alias or (random.choice(aliases) if aliases else None)  # noqa: S311 — load spreading
    token = _replica.set(chosen)
    try:
        yield chosen
    finally:
        _replica.reset(token)


class ReplicaRouter:
    """Django's database router: reads to the request's replica when one is chosen."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        alias = _replica.get()
        if alias is None:
            return None
        # Inside a transaction on the primary (a write under way, SELECT … FOR UPDATE),
        # every read is the primary's: it must see what the transaction wrote or locked.
        if connections["default"].in_atomic_block:
            return None
        return alias

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replicas are copies of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


def may_read_from_replica(request: HttpRequest) -> bool:
    if request.method not in SAFE_METHODS:
        return False
    if not request.path.startswith(tuple(settings.REPLICA_READ_PATHS)):
        return False
    wrote = request.COOKIES.get(WROTE_COOKIE, "")
    try:
        return time.time() - float(wrote) > settings.READ_YOUR_WRITES_SECONDS
    except ValueError:
        return True


class ReplicaMiddleware:
    """Chooses the replica for a read-only request; marks a client that wrote."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = bool(replica_aliases())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled:
            return self.get_response(request)
        if may_read_from_replica(request):
            with reading_from_replica():
                return self.get_response(request)
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}",
                max_age=max(1, int(settings.READ_YOUR_WRITES_SECONDS) + 1),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

"""The doors of every view and API endpoint: who may come in at all.

``member_required(Permission.X)`` wraps a web view: a login, an active membership, and the
role's permission (403 otherwise). ``require_member(request, Permission.X)`` is the same for
the JSON API and answers the API's 403. The row-level rule (which records) is the
permission layer's querysets; these guards only decide whether the door opens.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from ninja.errors import HttpError

from trygg.core.permissions import Principal
from trygg.core.roles import Permission

View = Callable[..., HttpResponseBase]
NO_MEMBERSHIP = "Your account has no active membership in any organisation."


def member_required(permission: Permission = Permission.VIEW) -> Callable[[View], View]:
    """Login required, an active membership, and the role's ``permission``."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            principal: Principal = request.principal  # type: ignore[attr-defined]
            if not principal.is_member:
                return render(request, "core/no_membership.html", status=403)
            if not principal.has(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def require_member(
    request: HttpRequest, permission: Permission = Permission.VIEW, message: str | None = None
) -> Principal:
    """The API's guard: the request's principal, or HTTP 403 with a message."""
    principal: Principal = request.principal  # type: ignore[attr-defined]
    if not principal.is_member:
        raise HttpError(403, NO_MEMBERSHIP)
    if not principal.has(permission):
        raise HttpError(403, message or f"Your role does not allow this ({permission}).")
    return principal

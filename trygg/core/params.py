"""Reading a request's parameters: one helper per kind, each answering a clear 400 for a
value it cannot use, so that no view turns a malformed query string into a 500.

Views call ``int_param(request.GET, "year", default=...)`` and the like; a bad value raises
``django.core.exceptions.BadRequest`` with a message naming the parameter, which Django
answers with status 400 (``trygg.web.views.bad_request`` shows the message). The API layer
maps the same exception to a 400 JSON answer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _

# Dates Trygg can reason about: earlier or later ones are typing mistakes (year 1, 9999).
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
# Database ids are 64-bit at most; a longer string of digits is not an id.
MAX_ID = 2**63 - 1
_ASCII_INT = re.compile(r"[+-]?[0-9]{1,19}")


def _raw(query: Mapping[str, object], name: str) -> str | None:
    value = query.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def parse_int(
    value: str, *, name: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An ASCII whole number within bounds, or BadRequest naming ``name``."""
    if not _ASCII_INT.fullmatch(value):
        raise BadRequest(_("%(name)s must be a whole number.") % {"name": name})
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise BadRequest(
            _("%(name)s must be between %(min)s and %(max)s.")
            % {"name": name, "min": minimum, "max": maximum}
        )
    return number


def int_param(
    query: Mapping[str, object],
    name: str,
    default: int | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    raw = _raw(query, name)
    if raw is None:
        return default
    return parse_int(raw, name=name, minimum=minimum, maximum=maximum)


def id_param(query: Mapping[str, object], name: str) -> int | None:
    """A database id (1 … 2⁶³−1), or None when absent."""
    return int_param(query, name, minimum=1, maximum=MAX_ID)


def year_param(query: Mapping[str, object], name: str, default: int) -> int:
    value = int_param(query, name, default, minimum=MIN_DATE.year, maximum=MAX_DATE.year)
    assert value is not None
    return value


def error_messages(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by field (``__all__`` for those about no one field),
    whether it was raised with a dict, a list or one message."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


def error_text(exc: ValidationError) -> str:
    """The same as one line: "field: message; message"."""
    parts = []
    for field, messages in error_messages(exc).items():
        text = " ".join(messages)
        parts.append(text if field == "__all__" else f"{field}: {text}")
    return "; ".join(parts)

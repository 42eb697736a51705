"""GeoReport v2's two formats. Every response is a list of records (or one record, for
the service definition and discovery) under a root element; the JSON is the same
structure without the element names.

XML follows the spec's examples: an XML declaration with the UTF-8 encoding, the root
element (``services``, ``service_definition``, ``service_requests``, ``errors``,
``discovery``), one child element per record (``service``, ``request``, ``error``),
and within a record one element per field, in the spec's order. Lists inside a record
(``attributes``/``attribute``, ``values``/``value``, ``endpoints``/``endpoint``,
``formats``/``format``) nest the same way.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from django.http import HttpResponse

# Element name of one item of a list field.
ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(name: str, value, out: list[str]) -> None:
    if isinstance(value, list):
        item_name = ITEM_NAMES[name]
        out.append(f"<{name}>")
        for item in value:
            _element(item_name, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key, sub in value.items():
            _element(key, sub, out)
        out.append(f"</{name}>")
    else:
        text = _text(value)
        out.append(f"<{name}>{escape(text)}</{name}>" if text else f"<{name} />")


def to_xml(root: str, item: str | None, payload) -> str:
    """Element names are the spec's (constants here); text is escaped."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n', f"<{root}>"]
    records = [payload] if item is None else payload
    for record in records:
        if item is not None:
            out.append(f"<{item}>")
        for key, value in record.items():
            _element(key, value, out)
        if item is not None:
            out.append(f"</{item}>")
    out.append(f"</{root}>")
    return "".join(out)


def respond(fmt: str, root: str, item: str | None, payload, status: int = 200) -> HttpResponse:
    body = to_xml(root, item, payload) if fmt == "xml" else json.dumps(payload, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    payload = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, "errors", "error", payload, status=status)

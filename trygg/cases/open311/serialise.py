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
from xml.etree import ElementTree as ET

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


def _fill(element: ET.Element, record: dict) -> None:
    for name, value in record.items():
        child = ET.SubElement(element, name)
        if isinstance(value, list):
            item_name = ITEM_NAMES[name]
            for item in value:
                sub = ET.SubElement(child, item_name)
                if isinstance(item, dict):
                    _fill(sub, item)
                else:
                    sub.text = _text(item)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def to_xml(root: str, item: str | None, payload) -> str:
    element = ET.Element(root)
    if item is None:
        _fill(element, payload)
    else:
        for record in payload:
            _fill(ET.SubElement(element, item), record)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")


def respond(fmt: str, root: str, item: str | None, payload, status: int = 200) -> HttpResponse:
    body = to_xml(root, item, payload) if fmt == "xml" else json.dumps(payload, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    payload = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, "errors", "error", payload, status=status)

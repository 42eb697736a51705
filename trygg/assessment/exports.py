"""Exports of the filtered incidents: CSV, XLSX and GeoJSON.

Rows are read in keyset-paginated chunks, so an export of a million incidents never holds
them all in memory; restricted rows are audited as reads like everywhere else.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from trygg.core.dates import local_tz
from trygg.core.spreadsheets import safe_cell, safe_row
from trygg.incidents.models import Incident, PositionPrecision
from trygg.incidents.taxonomy import Category

LOCAL_TZ = local_tz()
CHUNK = 5000

COLUMNS = [
    ("id", "id"),
    ("source", "source"),
    ("source_ref", "source_ref"),
    ("category", "category"),
    ("category_label", "category_label"),
    ("source_type", "source_type"),
    ("occurred_at", "occurred_at"),
    ("occurred_precision", "occurred_precision"),
    ("area", "area"),
    ("lat", "lat"),
    ("lon", "lon"),
    ("position_precision", "position_precision"),
    ("sensitivity", "sensitivity"),
    ("description", "description"),
]


def _chunks(qs) -> Iterator[list[Incident]]:
    qs = qs.select_related("source", "area").order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def to_record(incident: Incident, labels: dict) -> dict:
    # Municipality centroids are not positions: never exported as if they were.
    centroid = incident.position_precision == PositionPrecision.MUNICIPALITY
    return {
        "id": incident.pk,
        "source": incident.source.name,
        "source_ref": incident.source_ref,
        "category": incident.category,
        "category_label": str(labels.get(incident.category, incident.category)),
        "source_type": incident.source_type,
        "occurred_at": incident.occurred_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
        "occurred_precision": incident.occurred_precision,
        "area": incident.area.name if incident.area else "",
        "lat": None if centroid else incident.lat,
        "lon": None if centroid else incident.lon,
        "position_precision": incident.position_precision,
        "sensitivity": incident.sensitivity,
        "description": incident.description,
    }


def rows(qs) -> Iterator[dict]:
    labels = dict(Category.choices)
    for chunk in _chunks(qs):
        for incident in chunk:
            yield to_record(incident, labels)


class _Echo:
    def write(self, value):
        return value


def csv_stream(qs) -> Iterator[str]:
    """CSV (UTF-8 with BOM, so Excel opens å, ä, ö correctly), streamed."""
    writer = csv.DictWriter(_Echo(), fieldnames=[c for c, _ in COLUMNS])
    yield "\ufeff" + writer.writeheader()
    for record in rows(qs):
        yield writer.writerow({k: "" if v is None else safe_cell(v) for k, v in record.items()})


def xlsx_bytes(qs) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Incidents")
    sheet.append([c for c, _ in COLUMNS])
    for record in rows(qs):
        sheet.append(safe_row([record[c] for c, _ in COLUMNS]))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def geojson_stream(qs) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for record in rows(qs):
        lat, lon = record.pop("lat"), record.pop("lon")
        feature = {
            "type": "Feature",
            "geometry": None if lat is None else {"type": "Point", "coordinates": [lon, lat]},
            "properties": record,
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"

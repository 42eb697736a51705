"""The Sweden-wide starting point of a municipality's case categories (what residents and
safety walks report: lighting, vegetation, graffiti, …) with their deadlines and extra
questions. ``manage.py create_municipality`` installs them; the coordinator changes them
in Inställningar."""

from __future__ import annotations

import copy

from django.db import transaction

from trygg.cases.models import CaseCategory
from trygg.core.models import Municipality

CATEGORIES = [
    (
        "belysning",
        "Belysning",
        "Lighting",
        "Utemiljö",
        3,
        [
            {
                "code": "stolpnummer",
                "datatype": "string",
                "required": False,
                "description": "Stolpens nummer, om det syns",
            }
        ],
    ),
    (
        "vegetation",
        "Buskar och träd skymmer sikten",
        "Vegetation blocking the view",
        "Utemiljö",
        6,
        [],
    ),
    ("klotter", "Klotter och skadegörelse", "Graffiti and vandalism", "Skadegörelse", 2, []),
    ("nedskrapning", "Nedskräpning", "Litter", "Utemiljö", 2, []),
    (
        "gangvag",
        "Gångväg och tillgänglighet",
        "Paths and accessibility",
        "Gata och väg",
        6,
        [
            {
                "code": "problem",
                "datatype": "singlevaluelist",
                "required": False,
                "description": "Vad är problemet?",
                "values": [
                    {"key": "halka", "name": "Halt eller isigt"},
                    {"key": "hal", "name": "Hål eller sprickor"},
                    {"key": "hinder", "name": "Något står i vägen"},
                    {"key": "trappa", "name": "Svårt med rullstol, rullator eller barnvagn"},
                ],
            }
        ],
    ),
    (
        "tunnel",
        "Tunnel eller gångpassage",
        "Tunnel or underpass",
        "Gata och väg",
        6,
        [
            {
                "code": "tid",
                "datatype": "singlevaluelist",
                "required": False,
                "description": "När känns det otryggt?",
                "values": [
                    {"key": "kvall", "name": "Kvällar"},
                    {"key": "natt", "name": "Nätter"},
                    {"key": "alltid", "name": "Hela dygnet"},
                ],
            }
        ],
    ),
    ("trafik", "Övergångsställe och trafik", "Crossings and traffic", "Gata och väg", 6, []),
    ("skyltning", "Orientering och skyltning", "Orientation and signage", "Gata och väg", 6, []),
    ("ovrigt", "Annat som känns otryggt", "Something else that feels unsafe", "Övrigt", 6, []),
]

# The housing companies' yards (demo rectangles around the centres of Bro and Kungsängen).


@transaction.atomic
def install(municipality: Municipality) -> int:
    """The default categories the municipality does not have yet (by code): what it
    changed is kept. How many were added."""
    added = 0
    for order, (code, name, name_en, group, months, attributes) in enumerate(CATEGORIES):
        _category, created = CaseCategory.objects.get_or_create(
            municipality=municipality,
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "group": group,
                "deadline_months": months,
                # A copy: a category's questions are its own, never this module's list.
                "attributes": copy.deepcopy(attributes),
                "order": order,
                "description": name,
            },
        )
        added += created
    return added

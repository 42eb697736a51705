"""The Sweden-wide starting point of a municipality's weekly picture: the observation
categories partners report in (a tree, as in the EST method's handbooks) and the two scales.
``manage.py create_municipality`` installs them; the coordinator changes them in
Inställningar."""

from __future__ import annotations

from django.db import transaction

from trygg.core.models import Municipality
from trygg.est.models import ObservationCategory, ScaleLevel
from trygg.est.services.scales import DEFAULT_SCALES, in_language

TREE = [
    (
        "skadegorelse",
        "Skadegörelse",
        "Vandalism",
        [
            ("klotter", "Klotter", "Graffiti"),
            ("krossat", "Krossat glas", "Broken glass"),
            (
                "trasig-utrustning",
                "Trasig belysning eller utrustning",
                "Broken lights or equipment",
            ),
        ],
    ),
    (
        "brand",
        "Brand",
        "Fire",
        [
            ("anlagd-brand", "Anlagd brand", "Arson"),
            ("soprum", "Brand i soprum eller container", "Fire in a bin room or container"),
        ],
    ),
    (
        "ordning",
        "Ordningsstörning",
        "Disorder",
        [
            ("grupper", "Grupper som stör", "Groups causing disorder"),
            ("berusade", "Berusade personer", "Intoxicated people"),
        ],
    ),
    (
        "narkotika",
        "Narkotika",
        "Drugs",
        [
            ("forsaljning", "Tecken på försäljning", "Signs of dealing"),
            ("attiraljer", "Sprutor eller attiraljer", "Syringes or paraphernalia"),
        ],
    ),
    ("hot-personal", "Hot eller våld mot personal", "Threats or violence against staff", []),
    (
        "otrygg-plats",
        "Otrygg plats",
        "Unsafe place",
        [("morkt", "Mörkt", "Dark"), ("skymd-sikt", "Skymd sikt", "Blocked view")],
    ),
    ("nedskrapning", "Nedskräpning", "Littering", []),
    (
        "handelse",
        "Kommande händelse",
        "Upcoming event",
        [
            ("evenemang", "Evenemang", "Event"),
            (
                "hogtid",
                "Högtid (valborg, nyår, skolavslutning)",
                "Holiday (Walpurgis, New Year, school end)",
            ),
        ],
    ),
]


@transaction.atomic
def install(municipality: Municipality) -> int:
    """The default categories and scale steps the municipality does not have yet (by code
    and by value): what was changed or added is kept. How many were added."""
    return install_categories(municipality) + install_scales(municipality)


def install_categories(municipality: Municipality) -> int:
    added = 0
    for order, (code, name, name_en, children) in enumerate(TREE):
        parent, created = ObservationCategory.objects.get_or_create(
            municipality=municipality,
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "order": order,
                "is_event": code == "handelse",
            },
        )
        added += created
        for k, (child_code, child_name, child_en) in enumerate(children):
            _child, created = ObservationCategory.objects.get_or_create(
                municipality=municipality,
                code=child_code,
                defaults={
                    "name": child_name,
                    "name_en": child_en,
                    "parent": parent,
                    "order": k,
                    "is_event": code == "handelse",
                },
            )
            added += created
    return added


def install_scales(municipality: Municipality) -> int:
    """The default scales as the municipality's own steps, ready to be renamed."""
    added = 0
    for kind, steps in DEFAULT_SCALES.items():
        for value, label in steps:
            _level, created = ScaleLevel.objects.get_or_create(
                municipality=municipality,
                scale=kind,
                value=value,
                defaults={
                    "label": in_language(label, "sv"),
                    "label_en": in_language(label, "en"),
                },
            )
            added += created
    return added

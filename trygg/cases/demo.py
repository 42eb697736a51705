"""Demo cases for Upplands-Bro: the categories a municipality offers, routing rules
(lighting on municipal land to the technical department, inside the housing companies'
yards to them), two housing areas, and eight months of cases in every state — from
residents, from staff and from the demo safety walks (trygg.walks.demo)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from shapely.geometry import box

from trygg.cases import defaults, services
from trygg.cases.models import (
    Case,
    CaseCategory,
    CaseUpdate,
    Land,
    Origin,
    PropertyArea,
    RoutingRule,
    State,
)
from trygg.core import audit
from trygg.core.demo import acting_principal
from trygg.core.models import Area, Municipality, Organisation

# (code, Swedish, English, group, deadline months, Open311 attributes)
PROPERTIES = [
    ("Bro centrum – Upplands-Brohus (demo)", "Upplands-Brohus", (17.630, 59.5055, 17.642, 59.5110)),
    (
        "Skeppet, Kungsängen – Brogårdens (demo)",
        "Brogårdens Fastigheter AB (demo)",
        (17.744, 59.479, 17.756, 59.486),
    ),
]

TEXTS = {
    "belysning": [
        "Lampan vid gångvägen är trasig sedan flera veckor, mörkt hela sträckan.",
        "Flera lampor släckta längs stigen mot stationen.",
    ],
    "vegetation": [
        "Buskarna har växt igen så man inte ser vem som står bakom dem.",
        "Häcken skymmer sikten vid övergångsstället.",
    ],
    "klotter": ["Klotter på väggen i tunneln, en del av det är hotfullt.", "Sönderslagen busskur."],
    "nedskrapning": [
        "Mycket skräp och glasflaskor vid bänkarna på kvällarna.",
        "Soptunnan är full och det blåser ut skräp.",
    ],
    "gangvag": [
        "Stora hål i asfalten, svårt med rullator.",
        "Gångvägen är översvämmad när det regnar.",
    ],
    "tunnel": [
        "Gångtunneln under vägen är mörk och känns otrygg.",
        "Ingen belysning i passagen under järnvägen.",
    ],
    "trafik": [
        "Bilar kör fort förbi skolan, övergångsstället syns dåligt.",
        "Saknas övergångsställe vid busshållplatsen.",
    ],
    "skyltning": [
        "Svårt att hitta rätt väg till stationen i mörkret, inga skyltar.",
        "Skylten till vårdcentralen är nedriven.",
    ],
    "ovrigt": [
        "Känns otryggt vid parkeringen sent på kvällen.",
        "Grupper samlas vid entrén och det känns obehagligt att gå förbi.",
    ],
}
RESPONSES = {
    State.FIXED: "Åtgärdat: {what}. Tack för att du hörde av dig!",
    State.WONT_FIX: (
        "Vi har tittat på platsen och kommer inte att göra någon åtgärd nu: platsen ligger "
        "inom ett område som byggs om under nästa år."
    ),
    State.ACTION_SCHEDULED: "Åtgärden är planerad och görs inom några veckor.",
    State.IN_PROGRESS: "Arbetet pågår.",
}
ACTIONS = {
    "belysning": "armaturen byttes och sträckan har fått en extra lampa",
    "vegetation": "buskarna är nedklippta till 60 cm",
    "klotter": "klottret är sanerat",
    "nedskrapning": "städat och en större soptunna är uppsatt",
    "gangvag": "asfalten är lagad",
    "tunnel": "ny belysning i tunneln",
    "trafik": "övergångsstället har fått bättre belysning och skyltning",
    "skyltning": "nya skyltar är uppsatta",
    "ovrigt": "fältverksamheten och polisen har ökat närvaron på kvällarna",
}


def _categories(municipality: Municipality) -> dict[str, CaseCategory]:
    defaults.install(municipality)
    return {c.code: c for c in CaseCategory.objects.filter(municipality=municipality)}


def _routing(municipality: Municipality, categories: dict[str, CaseCategory]) -> None:
    orgs = {o.name: o for o in Organisation.objects.filter(municipality=municipality)}
    for name, owner, bounds in PROPERTIES:
        geom = box(*bounds)
        PropertyArea.objects.get_or_create(
            municipality=municipality,
            name=name,
            defaults={
                "owner": orgs[owner],
                "geometry": geom.__geo_interface__,
                "min_lon": bounds[0],
                "min_lat": bounds[1],
                "max_lon": bounds[2],
                "max_lat": bounds[3],
            },
        )
    if RoutingRule.objects.filter(municipality=municipality).exists():
        return
    teknik = orgs["Tekniska avdelningen (gata, park, belysning)"]
    coordinator = orgs["Kommunledningskontoret – trygghet och säkerhet"]
    RoutingRule.objects.create(municipality=municipality, organisation=coordinator)  # fallback
    RoutingRule.objects.create(municipality=municipality, land=Land.PROPERTY)  # the owner
    for code in (
        "belysning",
        "vegetation",
        "klotter",
        "nedskrapning",
        "gangvag",
        "tunnel",
        "trafik",
        "skyltning",
    ):
        RoutingRule.objects.create(
            municipality=municipality,
            category=categories[code],
            land=Land.MUNICIPAL,
            organisation=teknik,
        )
    RoutingRule.objects.create(
        municipality=municipality, category=categories["trafik"], organisation=teknik
    )


def _cases(municipality: Municipality, categories: dict[str, CaseCategory]) -> int:
    if Case.objects.filter(municipality=municipality, is_demo=True).exists():
        return 0
    rng = np.random.default_rng(139)
    areas = list(Area.objects.filter(municipality=municipality, kind="district").order_by("pk"))
    coordinator = acting_principal(
        Organisation.objects.get(municipality=municipality, name__startswith="Kommunledning")
    )
    now = timezone.now()
    codes = list(categories)
    made = 0
    # Centres where reports cluster: the two property rectangles and the stations.
    hotspots = [
        (59.5082, 17.6360),
        (59.4826, 17.7500),
        (59.5110, 17.6275),
        (59.4805, 17.7485),
        (59.5095, 17.7965),
    ]
    for _n in range(48):
        code = codes[int(rng.integers(len(codes)))]
        if rng.random() < 0.7:
            lat0, lon0 = hotspots[int(rng.integers(len(hotspots)))]
            lat, lon = lat0 + rng.normal(0, 0.0015), lon0 + rng.normal(0, 0.0025)
        else:
            area = areas[int(rng.integers(len(areas)))]
            lat = area.min_lat + (area.max_lat - area.min_lat) * (0.3 + 0.4 * rng.random())
            lon = area.min_lon + (area.max_lon - area.min_lon) * (0.3 + 0.4 * rng.random())
        days_ago = int(rng.integers(1, 240))
        created = now - dt.timedelta(days=days_ago, hours=int(rng.integers(0, 12)))
        origin = Origin.PUBLIC if rng.random() < 0.6 else Origin.STAFF
        text = TEXTS[code][int(rng.integers(2))]
        try:
            case = services.create_case(
                municipality,
                category=categories[code],
                lat=float(lat),
                lon=float(lon),
                description=text,
                origin=origin,
                principal=None if origin == Origin.PUBLIC else coordinator,
                now=created,
            )
        except ValidationError:  # a random point outside every area: skip it
            continue
        audit.update(
            Case.objects.filter(pk=case.pk),
            created_at=created,
            is_demo=True,
            deadline=services.deadline_for(categories[code], timezone.localdate(created)),
        )
        case.refresh_from_db()
        made += 1
        responsible = acting_principal(case.owner_organisation)
        if origin == Origin.PUBLIC and (days_ago > 3 or rng.random() < 0.5):
            services.moderate(case, coordinator, approve=rng.random() < 0.9)
            audit.update(
                CaseUpdate.objects.filter(pk=case.updates.order_by("-id").first().pk),
                at=created + dt.timedelta(hours=3),
            )
        # Move it along, in time order.
        roll = rng.random()
        steps = []
        if days_ago > 5:
            steps.append((State.ACKNOWLEDGED, "", 2))
        if days_ago > 20 and roll < 0.8:
            steps.append((State.ACTION_SCHEDULED, RESPONSES[State.ACTION_SCHEDULED], 10))
        if days_ago > 40 and roll < 0.55:
            steps.append(
                (
                    State.FIXED,
                    RESPONSES[State.FIXED].format(what=ACTIONS[code]),
                    int(rng.integers(15, 60)),
                )
            )
        elif days_ago > 40 and roll < 0.65:
            steps.append((State.WONT_FIX, RESPONSES[State.WONT_FIX], 30))
        for state, note, after in steps:
            at = min(created + dt.timedelta(days=after), now - dt.timedelta(hours=1))
            services.change_state(case, responsible, state, text=note, is_public=bool(note), now=at)
        last = case.updates.order_by("-at").first()
        audit.update(Case.objects.filter(pk=case.pk), updated_at=last.at if last else created)
    return made


@transaction.atomic
def load(stdout=None) -> None:
    municipality = Municipality.objects.get(code="0139")
    with services.notifications_muted():
        categories = _categories(municipality)
        _routing(municipality, categories)
        made = _cases(municipality, categories)
    if stdout is not None:
        stdout.write(f"Cases: {len(categories)} categories, routing rules, {made} new demo cases")

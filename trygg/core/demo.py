"""Demo data: a municipality modelled on Upplands-Bro (0139), its collaboration partners,
demo accounts for every role, synthetic district boundaries and a synthetic register of
street addresses (made up names and numbers laid out in the districts; marked as demo).

Idempotent: running it again changes nothing that is already as described here.
Later apps add their own demo data through ``DEMO_LOADERS`` (see load_demo).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import math
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from shapely import affinity
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from trygg.core import addresses, services
from trygg.core.models import (
    AreaKind,
    Membership,
    Municipality,
    Notice,
    Organisation,
    OrganisationKind,
)
from trygg.core.permissions import Principal
from trygg.core.roles import Role, Sensitivity

DEMO_PASSWORD = "trygg-demo"  # noqa: S105 - printed by make demo, documented in README
DEMO_DIR = Path(__file__).resolve().parent / "demo_data"


@dataclass(frozen=True)
class DemoMunicipality:
    code: str
    name: str
    population: int


MUNICIPALITY = DemoMunicipality(code="0139", name="Upplands-Bro", population=31_500)

# (short key, name, kind)
ORGANISATIONS = [
    (
        "kommunledning",
        "Kommunledningskontoret – trygghet och säkerhet",
        OrganisationKind.MUNICIPAL_DEPARTMENT,
    ),
    ("socialtjanst", "Socialtjänsten", OrganisationKind.SOCIAL_SERVICES),
    ("fritid", "Fritid – fältverksamheten", OrganisationKind.MUNICIPAL_DEPARTMENT),
    ("skola", "Utbildningskontoret (grund- och gymnasieskolor)", OrganisationKind.SCHOOL),
    (
        "teknik",
        "Tekniska avdelningen (gata, park, belysning)",
        OrganisationKind.MUNICIPAL_DEPARTMENT,
    ),
    (
        "polis",
        "Polisen – lokalpolisområde Järfälla, kommunpolis Upplands-Bro",
        OrganisationKind.POLICE,
    ),
    ("upplandsbrohus", "Upplands-Brohus", OrganisationKind.HOUSING),
    ("brogarden", "Brogårdens Fastigheter AB (demo)", OrganisationKind.HOUSING),
    ("raddning", "Brandkåren Attunda", OrganisationKind.RESCUE_SERVICE),
    ("grannstod", "Grannstöd Upplands-Bro", OrganisationKind.ASSOCIATION),
    ("kungsangens_if", "Kungsängens IF", OrganisationKind.ASSOCIATION),
    ("bro_ik", "Bro IK", OrganisationKind.ASSOCIATION),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    memberships: tuple[tuple[str, str], ...]  # (organisation key, role)
    is_superuser: bool = False

    @property
    def description(self) -> str:
        return ", ".join(f"{role} @ {org}" for org, role in self.memberships)


USERS = [
    DemoUser("admin", "Alva", "Admin", (("kommunledning", Role.ADMINISTRATOR),), is_superuser=True),
    DemoUser("samordnare", "Sara", "Samordnare", (("kommunledning", Role.COORDINATOR),)),
    DemoUser("analytiker", "Ali", "Analytiker", (("kommunledning", Role.ANALYST),)),
    DemoUser("polis", "Per", "Polis", (("polis", Role.MEMBER),)),
    DemoUser("bostad", "Britt", "Bostad", (("upplandsbrohus", Role.MEMBER),)),
    # The technical department fixes lamps, bushes and paths: cases are routed there.
    DemoUser("teknik", "Tove", "Tekniker", (("teknik", Role.MEMBER),)),
    # A field worker who also sits in social services' youth team: two memberships.
    DemoUser(
        "falt",
        "Fatima",
        "Fältare",
        (("fritid", Role.FIELD_WORKER), ("socialtjanst", Role.MEMBER)),
    ),
    DemoUser("lasare", "Lars", "Läsare", (("skola", Role.READ_ONLY),)),
]

NOTICES = [
    (
        "kommunledning",
        Sensitivity.PUBLIC,
        "Trygghetsvandring i Bro centrum",
        "Välkommen på trygghetsvandring i Bro centrum. Samling vid biblioteket kl. 18.00. "
        "Polisen, Upplands-Brohus och kommunen deltar.",
        (),
    ),
    (
        "kommunledning",
        Sensitivity.PARTNERS,
        "Veckans gemensamma lägesbild",
        "Rapportera veckans iakttagelser senast torsdag kl. 12 så att de kommer med till "
        "fredagens avstämning.",
        (),
    ),
    (
        "polis",
        Sensitivity.RESTRICTED,
        "Förhöjd oro kring pendeltågsstationen i Kungsängen",
        "Polisen ser ökade spänningar mellan grupper av unga vid stationen kvällstid. "
        "Fältverksamheten ombeds prioritera området fredag och lördag.",
        ("fritid",),
    ),
]


def _organisations(municipality: Municipality) -> dict[str, Organisation]:
    orgs = {}
    for key, name, kind in ORGANISATIONS:
        org, created = Organisation.objects.get_or_create(
            municipality=municipality, name=name, defaults={"kind": kind}
        )
        if not created and org.kind != kind:
            org.kind = kind
            org.save()
        orgs[key] = org
    return orgs


def _users(orgs: dict[str, Organisation]) -> None:
    User = get_user_model()
    for spec in USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@demo.trygg.invalid",
                "is_staff": spec.is_superuser,
                "is_superuser": spec.is_superuser,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        for org_key, role in spec.memberships:
            membership, created = Membership.objects.get_or_create(
                user=user, organisation=orgs[org_key], defaults={"role": role}
            )
            if not created and (membership.role != role or not membership.is_active):
                membership.role = role
                membership.is_active = True
                membership.save()


def _notices(municipality: Municipality, orgs: dict[str, Organisation]) -> None:
    today = timezone.localdate()
    for org_key, sensitivity, title, body, named in NOTICES:
        if Notice.objects.filter(municipality=municipality, title=title).exists():
            continue
        notice = Notice.objects.create(
            municipality=municipality,
            owner_organisation=orgs[org_key],
            sensitivity=sensitivity,
            title=title,
            body=body,
            valid_until=today + dt.timedelta(days=30),
        )
        if named:
            notice.restricted_to.set([orgs[k] for k in named])


def acting_principal(organisation: Organisation) -> Principal:
    """A demo member acting for ``organisation``: its coordinator if it has one, else its
    first member by username, else the municipality's coordinator — the same on every
    database (the demo loaders of cases, walks and the plan act through it)."""
    members = Membership.objects.filter(is_active=True).select_related(
        "user", "organisation__municipality"
    )
    own = members.filter(organisation=organisation)
    membership = (
        own.filter(role=Role.COORDINATOR).first()
        or own.order_by("user__username").first()
        or members.filter(
            organisation__municipality=organisation.municipality, role=Role.COORDINATOR
        ).first()
    )
    if membership is None:
        raise LookupError(f"{organisation} has no member to act as (load the demo users first)")
    return Principal(user=membership.user, membership=membership)


# The synthetic address register: per district (code) its postcodes, postal town and the
# spacing of its streets and house numbers in metres — a town's grid within ``TOWN_RADIUS_M``
# of the district's centre (the "centrum" point of districts.geojson), a village's lanes
# everywhere else.
ADDRESS_LAYOUT = {
    "KUN": (["196 30", "196 31", "196 32", "196 33", "196 34", "196 35"], "Kungsängen", True),
    "BRO": (["197 30", "197 31", "197 32", "197 33", "197 34", "197 35"], "Bro", True),
    "BRU": (["196 37", "196 38"], "Kungsängen", True),
    "LAS": (["197 91"], "Bro", False),
    "HAT": (["197 93"], "Bro", False),
}
TOWN_GRID = (120, 40)  # metres between streets, between house numbers
VILLAGE_GRID = (500, 80)
TOWN_RADIUS_M = 1800
STREET_LENGTH_M = 800  # a street changes name every 800 m along a grid line
_PREFIXES = [
    "Björk",
    "Ek",
    "Lönn",
    "Rönn",
    "Asp",
    "Al",
    "Lind",
    "Gran",
    "Tall",
    "Hassel",
    "Sälg",
    "Ask",
    "Skol",
    "Kyrk",
    "Kvarn",
    "Smedje",
    "Bruks",
    "Tegel",
    "Mejeri",
    "Häst",
    "Ängs",
    "Åker",
    "Hags",
    "Sjö",
    "Berg",
    "Dal",
    "Back",
    "Lid",
    "Hed",
    "Mo",
    "Hjort",
    "Räv",
    "Tran",
    "Svan",
    "Vide",
    "Ljung",
    "Mossa",
    "Sten",
    "Kärr",
    "Hallon",
    "Lingon",
    "Blåbärs",
    "Råg",
    "Vete",
    "Havre",
    "Linne",
    "Humle",
    "Klöver",
]
_SUFFIXES = ("vägen", "gatan", "stigen", "gränd", "backen", "slingan")


def demo_address_rows() -> list[tuple[str, str, str, str, float, float]]:
    """(street, number, postcode, town, lat, lon) of the synthetic register: grid lines
    across each demo district, split into streets numbered 1, 3, 5 … along one side."""
    names = (
        f"{q} {p}{s}".strip()
        for q, s, p in itertools.product(
            ("", "Norra", "Södra", "Lilla", "Stora"), _SUFFIXES, _PREFIXES
        )
    )
    rows: list[tuple[str, str, str, str, float, float]] = []
    with open(DEMO_DIR / "districts.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    for feature in features:
        postcodes, town, has_town = ADDRESS_LAYOUT[feature["properties"]["kod"]]
        district = shape(feature["geometry"])
        lon0, lat0 = feature["properties"]["centrum"]
        kx = 111_320 * math.cos(math.radians(lat0))
        # The town: a disc around the centre (an ellipse in degrees).
        centre = Point(lon0, lat0)
        disc = affinity.scale(centre.buffer(TOWN_RADIUS_M / 111_320), xfact=111_320 / kx)
        town_area = district.intersection(disc) if has_town else None
        village = district.difference(disc.buffer(200 / 111_320)) if has_town else district
        for region, (row_m, number_m) in ((town_area, TOWN_GRID), (village, VILLAGE_GRID)):
            if region is None or region.is_empty:
                continue
            for index, points in _streets(region, row_m, number_m, kx):
                name, postcode = next(names), postcodes[index % len(postcodes)]
                rows += [
                    (name, str(2 * n + 1), postcode, town, round(lat, 6), round(lon, 6))
                    for n, (lat, lon) in enumerate(points)
                ]
    return rows


def _streets(
    region: BaseGeometry, row_m: int, number_m: int, kx: float
) -> Iterator[tuple[int, list[tuple[float, float]]]]:
    """Grid lines across ``region`` (west to east, ``row_m`` apart), cut into streets of
    ``STREET_LENGTH_M`` with a number every ``number_m``: (index, [(lat, lon), …])."""
    min_lon, min_lat, max_lon, max_lat = region.bounds
    prepared = prep(region)
    per_street = STREET_LENGTH_M // number_m
    steps = int((max_lon - min_lon) * kx // number_m)
    index = 0
    for line in range(1, int((max_lat - min_lat) * 111_320 // row_m)):
        lat = min_lat + line * row_m / 111_320
        for start in range(0, steps, per_street):
            points = [
                (lat, min_lon + step * number_m / kx)
                for step in range(start, min(start + per_street, steps))
            ]
            points = [p for p in points if prepared.contains(Point(p[1], p[0]))]
            if len(points) >= 3:
                yield index, points
                index += 1


def load_addresses(municipality: Municipality) -> addresses.AddressImportResult:
    """Load the synthetic register through the importer a municipality uses."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "adresser-demo.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(["gatunamn", "nummer", "postnummer", "postort", "lat", "lon"])
            writer.writerows(demo_address_rows())
        return addresses.import_addresses(municipality, path, crs="EPSG:4326", is_demo=True)


@transaction.atomic
def load(stdout: TextIO | None = None, *, addresses: bool = True) -> Municipality:
    """Load (or bring up to date) the demo municipality. ``addresses=False`` leaves out the
    7 000 synthetic address points (the test suite's ``demo`` fixture: its tests that need
    addresses ask for them)."""
    municipality, _created = Municipality.objects.get_or_create(
        code=MUNICIPALITY.code,
        defaults={"name": MUNICIPALITY.name, "population": MUNICIPALITY.population},
    )
    orgs = _organisations(municipality)
    _users(orgs)
    result = services.import_areas(
        municipality,
        DEMO_DIR / "districts.geojson",
        name_field="namn",
        kind=AreaKind.DISTRICT,
        code_field="kod",
        population_field="folkmangd",
        is_demo=True,
    )
    address_result = load_addresses(municipality) if addresses else None
    _notices(municipality, orgs)
    if stdout is not None:
        stdout.write(f"{municipality}: districts {result.summary}")
        if address_result is not None:
            stdout.write(f"{municipality}: demo addresses {address_result.summary}")
    return municipality

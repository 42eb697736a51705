"""Demo data for the weekly joint picture in Upplands-Bro: an EST category tree, places
partners report about, ten weeks of reviewed reports from housing companies, the field
workers, a security company, schools and the police, weekly assessments, meetings with
focus places and actions, and one upcoming event."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.utils import timezone

from trygg.core import audit
from trygg.core.addresses import fill_missing
from trygg.core.models import Area, Membership, Municipality, Organisation, OrganisationKind, Role
from trygg.est import defaults
from trygg.est.models import (
    Action,
    AreaAssessment,
    FocusPlace,
    Observation,
    ObservationCategory,
    Place,
    Status,
    WeeklyMeeting,
)
from trygg.est.weeks import Week

PLACES = [
    ("Bro centrum, torget", 59.5082, 17.6360, "Bro"),
    ("Bro station", 59.5110, 17.6275, "Bro"),
    ("Kungsängens station", 59.4805, 17.7485, "Kungsängen"),
    ("Kungsängens centrum", 59.4826, 17.7500, "Kungsängen"),
    ("Brunna centrum", 59.5095, 17.7965, "Brunna"),
]
REPORTERS = [
    ("Upplands-Brohus", 0.35),
    ("Fritid", 0.25),
    ("Bevakningsbolaget", 0.2),
    ("Utbildning", 0.1),
    ("Polisen", 0.1),
]
TEXTS = {
    "klotter": "Nytt klotter på väggen vid entrén.",
    "krossat": "Krossad ruta i busskuren.",
    "trasig-utrustning": "Lampan vid gångvägen är sönder.",
    "anlagd-brand": "Papperskorg i brand under natten.",
    "soprum": "Brand i container bakom butiken.",
    "grupper": "Grupp av unga som stör vid ingången sent på kvällen.",
    "berusade": "Berusade personer vid bänkarna.",
    "forsaljning": "Misstänkt försäljning vid cykelstället.",
    "attiraljer": "Sprutor hittade i buskaget.",
    "hot-personal": "Personal blev hotad vid stängning.",
    "morkt": "Mörkt längs gångvägen.",
    "skymd-sikt": "Buskar skymmer sikten.",
    "nedskrapning": "Mycket skräp efter helgen.",
}


@transaction.atomic
def load(stdout=None) -> None:
    municipality = Municipality.objects.get(code="0139")
    defaults.install_categories(municipality)
    areas = {a.name: a for a in Area.objects.filter(municipality=municipality, kind="district")}
    for name, lat, lon, area in PLACES:
        Place.objects.get_or_create(
            municipality=municipality,
            name=name,
            defaults={"lat": lat, "lon": lon, "area": areas[area]},
        )
    security, _c = Organisation.objects.get_or_create(
        municipality=municipality, name="Bevakningsbolaget Väktarna (demo)",
        defaults={"kind": OrganisationKind.BUSINESS},
    )  # fmt: skip
    if Observation.objects.filter(municipality=municipality, is_demo=True).exists():
        if stdout is not None:
            stdout.write("Weekly picture: already loaded")
        return
    coordination = Organisation.objects.get(
        municipality=municipality, name__startswith="Kommunledning"
    )
    coordinator = (
        Membership.objects.filter(organisation=coordination, role=Role.COORDINATOR)
        .select_related("user")
        .first()
    )
    orgs = {
        "Upplands-Brohus": Organisation.objects.get(
            municipality=municipality, name="Upplands-Brohus"
        ),
        "Fritid": Organisation.objects.get(municipality=municipality, name__startswith="Fritid"),
        "Bevakningsbolaget": security,
        "Utbildning": Organisation.objects.get(
            municipality=municipality, name__startswith="Utbildning"
        ),
        "Polisen": Organisation.objects.get(municipality=municipality, name__startswith="Polisen"),
    }
    categories = {
        c.code: c
        for c in ObservationCategory.objects.filter(municipality=municipality, parent__isnull=False)
    }
    reportable = [c for code, c in categories.items() if code in TEXTS]
    places = list(Place.objects.filter(municipality=municipality))
    rng = np.random.default_rng(139)
    tz = timezone.get_current_timezone()
    this_week = Week.of(timezone.localdate())
    weights = [w for _n, w in REPORTERS]
    made = 0
    for back in range(10, -1, -1):
        week = this_week.shift(-back)
        n = int(rng.poisson(14 if back > 2 else 20))
        for _k in range(n):
            category = reportable[int(rng.integers(len(reportable)))]
            place = places[int(rng.integers(len(places)))] if rng.random() < 0.8 else None
            day = week.start + dt.timedelta(days=int(rng.integers(7)))
            when = dt.datetime.combine(
                day,
                dt.time(int(rng.choice([16, 18, 20, 21, 22, 23])), int(rng.integers(60))),
                tzinfo=tz,
            )
            if when > timezone.now():
                continue
            reporter = orgs[
                REPORTERS[int(rng.choice(len(REPORTERS), p=np.array(weights) / sum(weights)))][0]
            ]
            lat = (place.lat if place else 59.52) + rng.normal(0, 0.0007)
            lon = (place.lon if place else 17.70) + rng.normal(0, 0.0012)
            area = place.area if place else Area.objects.filter(pk=areas["Låssa"].pk).first()
            # The last three days' reports partly wait for the coordinator's review
            # (whatever the weekday the demo is loaded on).
            recent = when > timezone.now() - dt.timedelta(days=3)
            status = (
                Status.NEW
                if recent and rng.random() < 0.6
                else (Status.ACTION if rng.random() < 0.2 else Status.INFO)
            )
            Observation.objects.create(
                municipality=municipality, owner_organisation=reporter, sensitivity="partners",
                category=category, lat=round(lat, 6), lon=round(lon, 6), area=area, place=place,
                occurred_at=when, severity=int(rng.choice([1, 1, 2, 2, 3])),
                description=TEXTS[category.code], status=status,
                reviewed_by=coordinator.user if status != Status.NEW and coordinator else None,
                reviewed_at=when + dt.timedelta(days=1) if status != Status.NEW else None,
                feedback="Tack, vi tar upp det på veckomötet." if status == Status.ACTION else "",
                is_demo=True,
            )  # fmt: skip
            made += 1
    if not Observation.objects.filter(municipality=municipality, status=Status.NEW).exists():
        # Always something in the review queue: the three newest reports wait.
        newest = Observation.objects.filter(municipality=municipality).order_by("-occurred_at")
        audit.update(
            Observation.objects.filter(pk__in=list(newest.values_list("pk", flat=True)[:3])),
            status=Status.NEW,
            reviewed_by=None,
            reviewed_at=None,
            feedback="",
        )
    # An upcoming event next week.
    Observation.objects.create(
        municipality=municipality, owner_organisation=orgs["Fritid"], sensitivity="partners",
        category=categories["evenemang"], lat=59.5082, lon=17.6360, area=areas["Bro"],
        place=places[0], occurred_at=dt.datetime.combine(this_week.end + dt.timedelta(days=5), dt.time(18), tzinfo=tz),
        severity=1, description="Marknad på torget med många besökare.", status=Status.INFO, is_demo=True,
    )  # fmt: skip
    # Their nearest addresses, as the reporting service gives a report's.
    fill_missing(Observation.objects.filter(municipality=municipality), municipality.pk)
    # Assessments and meetings for the past weeks.
    levels = {
        "Bro": ["normal", "elevated", "elevated", "serious", "elevated"],
        "Kungsängen": ["normal", "normal", "elevated", "normal", "normal"],
    }
    for back in range(5, 0, -1):
        week = this_week.shift(-back)
        for area_name, seq in levels.items():
            AreaAssessment.objects.create(
                municipality=municipality, area=areas[area_name], iso_year=week.year, iso_week=week.week,
                level={"normal": 1, "elevated": 2, "serious": 3}[seq[5 - back]], justification="Fler rapporter om grupper och skadegörelse kvällstid." if seq[5 - back] != "normal" else "",
            )  # fmt: skip
        meeting = WeeklyMeeting.objects.create(
            municipality=municipality, iso_year=week.year, iso_week=week.week,
            held_on=week.start + dt.timedelta(days=1), shared_at=timezone.now(),
        )  # fmt: skip
        meeting.attendees.set([coordination, *orgs.values()])
        FocusPlace.objects.create(
            meeting=meeting,
            area=areas["Bro"],
            place="Bro centrum, torget",
            reason="Grupper och skadegörelse kvällstid",
        )
        Action.objects.create(
            meeting=meeting, text="Fältverksamheten på plats fredag och lördag kväll", owner=orgs["Fritid"],
            area=areas["Bro"], due=week.end + dt.timedelta(days=7),
            status="done" if back > 1 else "open", outcome="Genomfört." if back > 1 else "",
        )  # fmt: skip
        Action.objects.create(
            meeting=meeting, text="Byta trasig belysning vid gångtunneln", owner=orgs["Upplands-Brohus"],
            area=areas["Bro"], due=week.end + dt.timedelta(days=14), status="done" if back > 2 else "open",
        )  # fmt: skip
    if stdout is not None:
        stdout.write(f"Weekly picture: {made} demo reports, 5 meetings")

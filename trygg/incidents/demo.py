"""Synthetic incidents for the demo municipality: three years with realistic structure.

* seasonality per category (burglary in the dark months, disorder and vandalism in
  summer evenings, fires around New Year and Walpurgis Night),
* weekend nights (Friday and Saturday evenings),
* clusters near the commuter-train stations and the centres of Bro and Kungsängen,
* a series of car fires in Bro (August–October 2025) and a burglary wave in the houses of
  Kungsängen (November 2024 – January 2025),
* field workers' rounds twice a week per district,
* the police's public events in the feed's own JSON format, imported through the real
  import_polisen importer.

Everything is generated from a fixed seed, so re-running changes nothing. Every record is
marked as demo data.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import numpy as np
from django.db import transaction
from shapely.geometry import Point, shape

from trygg.core.dates import local_tz
from trygg.core.models import Area, Municipality, Organisation, Sensitivity
from trygg.incidents.importers import polisen
from trygg.incidents.importers.base import IncidentRow
from trygg.incidents.models import (
    FieldReport,
    Observation,
    PositionPrecision,
    Source,
    SourceKind,
    TimePrecision,
)
from trygg.incidents.services import run_import_job, start_import, write_incidents
from trygg.incidents.taxonomy import Category

LOCAL_TZ = local_tz()
SEED = 139

# (name, lat, lon, spread in metres, weight)
HOTSPOTS = [
    ("Kungsängens station", 59.4787, 17.7509, 180, 3.0),
    ("Kungsängens centrum", 59.4772, 17.7540, 220, 2.5),
    ("Bro station", 59.5117, 17.6365, 180, 3.0),
    ("Bro centrum", 59.5140, 17.6330, 220, 3.0),
    ("Brunna handelsområde", 59.5075, 17.7935, 250, 1.5),
]

# category: (events per year, month weights Jan..Dec, share at night 18–04)
PROFILE = {
    Category.VANDALISM: (520, [6, 6, 7, 8, 10, 11, 12, 11, 9, 8, 6, 6], 0.7),
    Category.FIRE: (110, [12, 5, 5, 9, 10, 8, 9, 8, 6, 6, 6, 16], 0.8),
    Category.BURGLARY: (170, [11, 9, 7, 6, 5, 5, 6, 6, 7, 10, 13, 15], 0.6),
    Category.THEFT: (380, [8, 7, 8, 8, 9, 10, 10, 10, 9, 8, 7, 6], 0.4),
    Category.DISORDER: (300, [6, 6, 7, 8, 11, 13, 13, 12, 8, 6, 5, 5], 0.8),
    Category.VIOLENCE: (170, [7, 7, 8, 8, 9, 10, 10, 9, 8, 8, 8, 8], 0.7),
    Category.THREATS: (120, [8, 8, 8, 8, 9, 9, 8, 8, 9, 9, 8, 8], 0.5),
    Category.DRUGS: (90, [7, 7, 8, 8, 9, 10, 10, 10, 9, 8, 7, 7], 0.6),
    Category.ROBBERY: (30, [8, 8, 8, 8, 8, 9, 9, 9, 8, 9, 8, 8], 0.7),
    Category.WEAPONS: (12, [8, 8, 8, 8, 8, 9, 9, 9, 8, 9, 8, 8], 0.8),
    Category.TRAFFIC: (150, [9, 9, 8, 8, 8, 8, 8, 8, 8, 9, 9, 10], 0.4),
}

SOURCE_TYPES = {
    Category.VANDALISM: ["Skadegörelse", "Klotter", "Krossad ruta"],
    Category.FIRE: ["Brand", "Anlagd brand", "Containerbrand", "Bilbrand"],
    Category.BURGLARY: ["Inbrott", "Källarinbrott", "Förrådsinbrott"],
    Category.THEFT: ["Stöld", "Cykelstöld"],
    Category.DISORDER: ["Ordningsstörning", "Bråk"],
    Category.VIOLENCE: ["Misshandel"],
    Category.THREATS: ["Olaga hot", "Hot mot personal"],
    Category.DRUGS: ["Narkotika", "Sprutor"],
    Category.ROBBERY: ["Rån"],
    Category.WEAPONS: ["Skottlossning"],
    Category.TRAFFIC: ["Trafik"],
}

DESCRIPTIONS = {
    Category.VANDALISM: ["Krossad busskur.", "Klotter på fasad.", "Sönderslagen belysning."],
    Category.FIRE: ["Brand i soprum.", "Brand i container.", "Bil i brand på parkering."],
    Category.BURGLARY: ["Inbrott i källarförråd.", "Inbrott i villa, altandörr uppbruten."],
    Category.THEFT: ["Cykel stulen vid stationen.", "Stöld ur bil."],
    Category.DISORDER: ["Grupp ungdomar störde vid centrum.", "Oro vid pendeltågsstationen."],
    Category.VIOLENCE: ["Misshandel utomhus sen kväll."],
    Category.THREATS: ["Personal hotad i butik.", "Hot mot förbipasserande."],
    Category.DRUGS: ["Sprutor hittade vid lekplats.", "Misstänkt narkotikaförsäljning."],
    Category.ROBBERY: ["Rån av mobiltelefon."],
    Category.WEAPONS: ["Skottlossning, ingen skadad."],
    Category.TRAFFIC: ["Trafikolycka i korsning."],
}

POLISEN_TYPE = {
    Category.VANDALISM: "Skadegörelse",
    Category.FIRE: "Brand",
    Category.BURGLARY: "Inbrott",
    Category.THEFT: "Stöld",
    Category.DISORDER: "Bråk",
    Category.VIOLENCE: "Misshandel",
    Category.THREATS: "Olaga hot",
    Category.DRUGS: "Narkotikabrott",
    Category.ROBBERY: "Rån",
    Category.WEAPONS: "Skottlossning",
    Category.TRAFFIC: "Trafikolycka",
}
MONTH_NAMES = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]  # fmt: skip


def _sources(municipality: Municipality) -> dict[str, Source]:
    def org(name: str) -> Organisation:
        return Organisation.objects.get(municipality=municipality, name=name)

    specs = {
        "polisen-lagesbild": (
            "Polisen – anmälda brott (demo)",
            SourceKind.PARTNER_LOG,
            "Polisen – lokalpolisområde Järfälla, kommunpolis Upplands-Bro",
            Sensitivity.PARTNERS,
        ),
        "upplands-brohus": (
            "Upplands-Brohus – felanmälan och skador (demo)",
            SourceKind.PARTNER_LOG,
            "Upplands-Brohus",
            Sensitivity.PARTNERS,
        ),
        "skadegorelse-kommunen": (
            "Kommunens skadegörelselogg (demo)",
            SourceKind.MUNICIPAL_LOG,
            "Tekniska avdelningen (gata, park, belysning)",
            Sensitivity.PUBLIC,
        ),
    }
    sources = {}
    for slug, (name, kind, owner, sensitivity) in specs.items():
        sources[slug], _ = Source.objects.get_or_create(
            municipality=municipality,
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "owner_organisation": org(owner),
                "default_sensitivity": sensitivity,
                "is_demo": True,
            },
        )
    return sources


class _Sampler:
    def __init__(self, rng: np.random.Generator, areas: list[Area]):
        self.rng = rng
        self.areas = areas
        self.shapes = [shape(a.geometry) for a in areas]
        populations = np.array([a.population or 1000 for a in areas], dtype=float)
        self.area_weights = populations / populations.sum()

    def point_near(self, lat: float, lon: float, spread_m: float) -> tuple[float, float]:
        dy, dx = self.rng.normal(0, spread_m, 2)
        return lat + dy / 111_320, lon + dx / (111_320 * np.cos(np.radians(lat)))

    def point_in_area(self, index: int | None = None) -> tuple[float, float]:
        if index is None:
            index = int(self.rng.choice(len(self.areas), p=self.area_weights))
        polygon = self.shapes[index]
        min_x, min_y, max_x, max_y = polygon.bounds
        while True:
            x, y = self.rng.uniform(min_x, max_x), self.rng.uniform(min_y, max_y)
            if polygon.contains(Point(x, y)):
                return y, x

    def location(self) -> tuple[float, float]:
        if self.rng.random() < 0.55:
            weights = np.array([h[4] for h in HOTSPOTS])
            _, lat, lon, spread, _ = HOTSPOTS[
                self.rng.choice(len(HOTSPOTS), p=weights / weights.sum())
            ]
            return self.point_near(lat, lon, spread)
        return self.point_in_area()

    def time_on(self, day: dt.date, night_share: float) -> dt.datetime:
        weekend = day.weekday() in (4, 5)
        if self.rng.random() < min(0.95, night_share * (1.25 if weekend else 1.0)):
            hour = int(self.rng.choice([18, 19, 20, 21, 22, 23, 0, 1, 2, 3]))
        else:
            hour = int(self.rng.integers(7, 18))
        minute = int(self.rng.integers(0, 60))
        when = dt.datetime.combine(day, dt.time(hour, minute), LOCAL_TZ)
        return when + dt.timedelta(days=1) if hour < 5 else when


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _day_rng(day: dt.date, salt: int) -> np.random.Generator:
    """A generator per day (and purpose): each day's demo data is the same whatever
    window is generated, so re-running load_demo on a later day only adds the new days."""
    return np.random.default_rng([SEED, salt, day.toordinal()])


def generate(areas: list[Area], end: dt.date) -> dict[str, list[IncidentRow]]:
    """Three years of incidents up to ``end``, per source slug."""
    start = end.replace(year=end.year - 3) + dt.timedelta(days=1)
    weekday_weight = np.array([0.9, 0.85, 0.9, 0.95, 1.25, 1.35, 1.0])
    trend = {Category.VANDALISM: 0.15, Category.DISORDER: 0.10, Category.BURGLARY: -0.10}
    anchor = dt.date(2025, 1, 1)  # the trends pass through their mean here
    shapes = _Sampler(np.random.default_rng(SEED), areas)
    bro = next(i for i, a in enumerate(areas) if a.name == "Bro")
    kungsangen = next(i for i, a in enumerate(areas) if a.name == "Kungsängen")
    fire_centre = shapes.point_in_area(bro)
    wave_centre = shapes.point_in_area(kungsangen)
    rows: dict[str, list[IncidentRow]] = {
        "polisen-lagesbild": [],
        "upplands-brohus": [],
        "skadegorelse-kommunen": [],
    }
    for day in _days(start, end):
        rng = _day_rng(day, 1)
        sampler = _Sampler(rng, areas)
        years_from_anchor = (day - anchor).days / 365.25
        for category, (per_year, months, night) in PROFILE.items():
            month_w = np.array(months, dtype=float)
            rate = per_year / 365 * month_w[day.month - 1] / month_w.mean()
            rate *= weekday_weight[day.weekday()] * (
                1 + trend.get(category, 0.0) * years_from_anchor / 3
            )
            for k in range(int(rng.poisson(rate))):
                slug = _source_for(category, rng)
                lat, lon = sampler.location()
                ref = f"DEMO-{day:%Y%m%d}-{category}-{k}"
                rows[slug].append(
                    _row(rng, slug, ref, category, sampler.time_on(day, night), lat, lon)
                )
        # A series of car fires in Bro, August–October 2025, within ~400 m, at night.
        if dt.date(2025, 8, 4) <= day <= dt.date(2025, 10, 26) and rng.random() < 0.3:
            lat, lon = sampler.point_near(*fire_centre, 200)
            when = dt.datetime.combine(
                day, dt.time(int(rng.integers(0, 4)), int(rng.integers(0, 60))), LOCAL_TZ
            )
            rows["polisen-lagesbild"].append(
                _row(
                    rng,
                    "polisen-lagesbild",
                    f"DEMO-{day:%Y%m%d}-carfire",
                    Category.FIRE,
                    when,
                    lat,
                    lon,
                    "Bilbrand",
                )
            )
        # A burglary wave in the houses of Kungsängen, November 2024 – January 2025.
        if dt.date(2024, 11, 1) <= day <= dt.date(2025, 1, 31) and rng.random() < 0.45:
            lat, lon = sampler.point_near(*wave_centre, 350)
            when = dt.datetime.combine(
                day, dt.time(int(rng.integers(10, 20)), int(rng.integers(0, 60))), LOCAL_TZ
            )
            rows["polisen-lagesbild"].append(
                _row(
                    rng,
                    "polisen-lagesbild",
                    f"DEMO-{day:%Y%m%d}-burglarywave",
                    Category.BURGLARY,
                    when,
                    lat,
                    lon,
                    "Inbrott",
                )
            )
    return rows


def _source_for(category, rng) -> str:
    if category in (Category.VANDALISM, Category.FIRE) and rng.random() < 0.6:
        return "upplands-brohus" if rng.random() < 0.6 else "skadegorelse-kommunen"
    if category == Category.BURGLARY and rng.random() < 0.3:
        return "upplands-brohus"
    return "polisen-lagesbild"


def _row(rng, slug, ref, category, when, lat, lon, source_type=None) -> IncidentRow:
    return IncidentRow(
        row=0,
        source_ref=ref,
        category=category,
        source_type=source_type or str(rng.choice(SOURCE_TYPES[category])),
        occurred_at=when,
        occurred_precision=TimePrecision.EXACT,
        reported_at=when + dt.timedelta(hours=int(rng.integers(1, 48))),
        lat=round(float(lat), 6),
        lon=round(float(lon), 6),
        position_precision=PositionPrecision.EXACT
        if slug != "polisen-lagesbild"
        else PositionPrecision.STREET,
        description=str(rng.choice(DESCRIPTIONS[category])),
    )


def polisen_feed(municipality: Municipality, end: dt.date, n_days: int = 120) -> list[dict]:
    """Events for the municipality in the police feed's own format (the last months)."""
    events = []
    start = end - dt.timedelta(days=n_days)
    categories = list(POLISEN_TYPE)
    weights = np.array([PROFILE[c][0] for c in categories], dtype=float)
    for day in _days(start, end):
        rng = _day_rng(day, 2)
        i = day.toordinal() - 730_000
        for j in range(int(rng.poisson(1.6))):
            category = categories[rng.choice(len(categories), p=weights / weights.sum())]
            when = dt.datetime.combine(
                day, dt.time(int(rng.integers(0, 24)), int(rng.integers(0, 60))), LOCAL_TZ
            )
            published = min(
                when + dt.timedelta(minutes=int(rng.integers(20, 300))),
                dt.datetime.combine(end, dt.time(23, 59), LOCAL_TZ),
            )
            kind = POLISEN_TYPE[category]
            events.append(
                {
                    "id": 9_000_000 + i * 10 + j,
                    "datetime": published.strftime("%Y-%m-%d %H:%M:%S %z")[:-2]
                    + ":"
                    + published.strftime("%z")[-2:],
                    "name": f"{when.day:02d} {MONTH_NAMES[when.month - 1]} "
                    f"{when:%H.%M}, {kind}, {municipality.name}",
                    "summary": str(rng.choice(DESCRIPTIONS[category])),
                    "url": f"/aktuellt/handelser/demo/{9_000_000 + i * 10 + j}/",
                    "type": kind,
                    "location": {"name": municipality.name, "gps": "59.510839,17.683334"},
                }
            )
        if day.weekday() == 6:
            events.append(
                {
                    "id": 9_500_000 + i,
                    "datetime": f"{day:%Y-%m-%d} 20:00:00 +01:00",
                    "name": f"{day.day:02d} {MONTH_NAMES[day.month - 1]} 19.00, "
                    "Sammanfattning vecka, Stockholms län",
                    "summary": "Veckosammanfattning.",
                    "url": "/aktuellt/handelser/demo/sammanfattning/",
                    "type": "Sammanfattning vecka",
                    "location": {"name": "Stockholms län", "gps": "59.602496,18.138438"},
                }
            )
    return events


def field_reports(municipality: Municipality, areas: list[Area], end: dt.date) -> list[FieldReport]:
    owner = Organisation.objects.get(municipality=municipality, name="Fritid – fältverksamheten")
    existing_days = set(
        FieldReport.objects.filter(municipality=municipality, is_demo=True).values_list(
            "date", flat=True
        )
    )
    reports = []
    for day in _days(end - dt.timedelta(days=365), end):
        if day.weekday() not in (2, 4) or day in existing_days:  # Wednesday and Friday evenings
            continue
        rng = _day_rng(day, 3)
        for area in areas:
            if area.name in ("Låssa", "Håtuna") and rng.random() < 0.7:
                continue
            summer = day.month in (6, 7, 8)
            scale = (1.6 if summer else 1.0) * (1.3 if day.weekday() == 4 else 1.0)
            observations = [
                o
                for o, p in (
                    (Observation.GATHERING, 0.45),
                    (Observation.DRUG_SIGNS, 0.12),
                    (Observation.VANDALISM, 0.15),
                    (Observation.UNREST, 0.10),
                    (Observation.LITTER, 0.2),
                )
                if rng.random() < p * scale
            ] or [Observation.NOTHING_NOTABLE]
            reports.append(
                FieldReport(
                    municipality=municipality,
                    owner_organisation=owner,
                    sensitivity=Sensitivity.PARTNERS,
                    date=day,
                    start_time=dt.time(18, 0),
                    end_time=dt.time(22, 0) if day.weekday() == 2 else dt.time(23, 30),
                    area=area,
                    met_under_13=int(rng.poisson(1 * scale)),
                    met_13_15=int(rng.poisson(6 * scale)),
                    met_16_17=int(rng.poisson(5 * scale)),
                    met_18_24=int(rng.poisson(2 * scale)),
                    met_over_24=int(rng.poisson(1)),
                    observations=[str(o) for o in observations],
                    note="",
                    is_demo=True,
                )
            )
    return reports


def demo_end_date() -> dt.date:
    """Yesterday: the demo always ends where 'now' is."""
    return dt.datetime.now(LOCAL_TZ).date() - dt.timedelta(days=1)


def load(stdout=None, end: dt.date | None = None) -> None:

    municipality = Municipality.objects.get(code="0139")
    end = end or demo_end_date()
    areas = list(Area.objects.filter(municipality=municipality, kind="district").order_by("name"))
    sources = _sources(municipality)
    generated = generate(areas, end)
    with transaction.atomic():
        for slug, rows in generated.items():
            result = write_incidents(sources[slug], rows, is_demo=True)
            if stdout is not None:
                stdout.write(
                    f"{sources[slug].name}: {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged"
                )
        FieldReport.objects.bulk_create(field_reports(municipality, areas, end))
    # The feed as a server that was down for a week polled it: two imports, and the
    # events published in between never fetched — a gap the lägesbild shows.
    events = polisen_feed(municipality, end)
    down_from, down_to = end - dt.timedelta(days=45), end - dt.timedelta(days=39)

    def published(event: dict) -> dt.date:
        return dt.date.fromisoformat(event["datetime"][:10])

    polls = [
        [e for e in events if published(e) < down_from],
        [e for e in events if published(e) > down_to],
    ]
    with tempfile.TemporaryDirectory() as folder:
        for number, batch in enumerate(polls, start=1):
            path = Path(folder) / f"polisen-demo-{number}.json"
            path.write_text(json.dumps(batch, ensure_ascii=False))
            job = start_import(
                municipality,
                "polisen",
                file_name=f"polisen-demo-{number}.json (synthetic)",
                label="load_demo",
                options={"path": str(path)},
            )
            job = run_import_job(job)
    source = Source.objects.get(municipality=municipality, slug="polisen")
    if not source.is_demo:
        source.is_demo = True
        source.save()
    if stdout is not None:
        stdout.write(f"Polisens händelser (synthetic demo feed): {job.message}")


# --- The police feed as the demo follows it ---------------------------------------------------

# A national snapshot in the feed's own shape, bundled so that make demo follows a feed
# without the network. The events are synthetic (written for the demo, not the police's);
# among them a shooting in Upplands-Bro, the demo's serious event.
RECORDING = Path(__file__).resolve().parent / "demo_data" / "polisen_feed_recording.json"
RECORDED_SHOOTING = 640282


def recorded_feed(now: dt.datetime | None = None) -> tuple[list[dict], dt.datetime]:
    """The bundled recording moved in time so that its shooting happened yesterday evening
    (or earlier, so that nothing in it is published after ``now``); with the shooting's
    new occurrence time."""
    now = now or dt.datetime.now(LOCAL_TZ)
    events = json.loads(RECORDING.read_text(encoding="utf-8"))

    def times(event: dict) -> tuple[dt.datetime, dt.datetime, str]:
        published = polisen.parse_published(event["datetime"])
        occurred, rest = polisen.parse_occurred(event["name"], published)
        return published, occurred, rest

    shooting = next(e for e in events if e["id"] == RECORDED_SHOOTING)
    _, anchor, _ = times(shooting)
    newest = max(times(e)[0] for e in events)
    yesterday_evening = dt.datetime.combine(
        now.astimezone(LOCAL_TZ).date() - dt.timedelta(days=1), dt.time(21, 40), LOCAL_TZ
    )
    # Yesterday evening — or, in the first hours of a day when that would put the
    # recording's newest events in the future, the evening before: a time that depends on
    # the day only, so that loading the demo twice changes nothing (not on the minute).
    target = yesterday_evening
    if target + (newest - anchor) > now - dt.timedelta(minutes=5):
        target -= dt.timedelta(days=1)
    shift = target - anchor
    moved = []
    for event in events:
        published, occurred, rest = times(event)
        published = (published + shift).astimezone(LOCAL_TZ)
        occurred = (occurred + shift).astimezone(LOCAL_TZ)
        offset = published.strftime("%z")
        moved.append(
            {
                **event,
                "datetime": published.strftime("%Y-%m-%d %H:%M:%S ")
                + offset[:3]
                + ":"
                + offset[3:],
                "name": f"{occurred.day:02d} {MONTH_NAMES[occurred.month - 1]} "
                f"{occurred:%H.%M}, {rest}",
            }
        )
    return moved, target


def write_recorded_feed(path: Path, now: dt.datetime | None = None) -> dt.datetime:
    """Write the moved recording where the demo's POLICE_FEED_URL points (file://)."""
    events, shooting_at = recorded_feed(now)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    return shooting_at

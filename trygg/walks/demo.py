"""Demo safety walks for Upplands-Bro: two walked (one with its protocol published)
with findings that became cases, and one planned for this week."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from trygg.cases import services as cases
from trygg.cases.models import CaseCategory, State
from trygg.core import audit
from trygg.core.demo import acting_principal
from trygg.core.models import Area, Municipality, Organisation, Sensitivity
from trygg.walks import services
from trygg.walks.models import Walk, WalkStatus

NAMESPACE = uuid.UUID("4b7c1f2e-0139-4c55-9d2e-7472796767aa")

WALKS = [
    {
        "key": "bro-hosten",
        "title": "Trygghetsvandring Bro centrum",
        "days_ago": 45,
        "area": "Bro",
        "meeting_point": "Torget i Bro centrum",
        "stops": "Torget\nGångtunneln under Enköpingsvägen\nPendeltågsstationen\nSkolgården",
        "route": [
            [17.6335, 59.5075],
            [17.6352, 59.5083],
            [17.6371, 59.5090],
            [17.6335, 59.5105],
            [17.6290, 59.5112],
            [17.6270, 59.5108],
        ],
        "participants": {
            "residents": 14,
            "police": 2,
            "housing": 2,
            "municipality_staff": 3,
            "association": 3,
        },
        "publish": True,
        "summary": (
            "Fjorton boende gick tillsammans med polisen, Upplands-Brohus, Grannstöd och "
            "kommunen. Mörka gångvägar och tunneln mot stationen var det som flest tog upp."
        ),
        "findings": [
            (
                "belysning",
                59.5079,
                17.6345,
                "Trasig belysning längs gångvägen mot torget.",
                ["lighting"],
                {"st_lighting": 0, "st_feeling": 1},
                State.FIXED,
            ),
            (
                "tunnel",
                59.5086,
                17.6361,
                "Gångtunneln är mörk och har klotter.",
                ["tunnel", "graffiti"],
                {"st_lighting": 1, "st_visibility": 0, "st_feeling": 0},
                State.ACTION_SCHEDULED,
            ),
            (
                "vegetation",
                59.5100,
                17.6340,
                "Buskarna vid lekplatsen skymmer sikten.",
                ["vegetation", "visibility"],
                {"st_openness": 1},
                State.FIXED,
            ),
            (
                "skyltning",
                59.5110,
                17.6285,
                "Ingen skylt mot stationen från gångvägen.",
                ["signage"],
                {"st_walk_path": 2},
                State.WONT_FIX,
            ),
        ],
    },
    {
        "key": "kungsangen-vinter",
        "title": "Trygghetsvandring Kungsängen station",
        "days_ago": 12,
        "area": "Kungsängen",
        "meeting_point": "Kungsängens station, södra entrén",
        "stops": "Stationen\nInfartsparkeringen\nSkeppets gård\nGångbron",
        "route": [[17.7485, 59.4800], [17.7495, 59.4812], [17.7510, 59.4825], [17.7525, 59.4838]],
        "participants": {
            "residents": 9,
            "police": 1,
            "housing": 1,
            "municipality_staff": 2,
            "other": 1,
        },
        "publish": False,
        "summary": "",
        "findings": [
            (
                "belysning",
                59.4808,
                17.7490,
                "Parkeringen är mörk i norra delen.",
                ["lighting"],
                {"st_lighting": 1, "st_people": 1},
                State.ACKNOWLEDGED,
            ),
            (
                "nedskrapning",
                59.4826,
                17.7512,
                "Mycket skräp på gården.",
                ["litter"],
                {"st_feeling": 2},
                State.IN_PROGRESS,
            ),
            (
                "gangvag",
                59.4836,
                17.7523,
                "Trasig asfalt på gångbron.",
                ["paths"],
                {"st_walk_path": 1},
                State.NEW,
            ),
        ],
    },
]


NOTES = {
    State.FIXED: "Åtgärdat efter trygghetsvandringen.",
    State.WONT_FIX: "Ingen åtgärd: området byggs om nästa år och får ny skyltning då.",
    State.ACTION_SCHEDULED: "Ny belysning i tunneln beställd, monteras under våren.",
    State.IN_PROGRESS: "Fastighetsskötseln städar gården varje vecka.",
}


def _photo(text: str, colour: str) -> bytes:
    image = Image.new("RGB", (960, 640), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 40, 920, 600], outline="white", width=6)
    draw.text((80, 300), text, fill="white")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@transaction.atomic
def load(stdout=None) -> None:
    municipality = Municipality.objects.get(code="0139")
    coordinator_org = Organisation.objects.get(
        municipality=municipality, name__startswith="Kommunledning"
    )
    coordinator = acting_principal(coordinator_org)
    template = services.default_template(municipality)
    categories = {c.code: c for c in CaseCategory.objects.filter(municipality=municipality)}
    invited = list(
        Organisation.objects.filter(
            municipality=municipality, kind__in=["police", "housing", "association"]
        )[:5]
    )
    today = timezone.localdate()
    made = 0
    with cases.notifications_muted():
        for spec in WALKS:
            if Walk.objects.filter(
                municipality=municipality, title=spec["title"], is_demo=True
            ).exists():
                continue
            date = today - dt.timedelta(days=spec["days_ago"])
            walk = Walk.objects.create(
                municipality=municipality,
                owner_organisation=coordinator_org,
                sensitivity=Sensitivity.PUBLIC,
                title=spec["title"],
                date=date,
                start_time=dt.time(18, 30),
                area=Area.objects.get(
                    municipality=municipality, name=spec["area"], kind="district"
                ),
                meeting_point=spec["meeting_point"],
                stops=spec["stops"],
                route={"type": "LineString", "coordinates": spec["route"]},
                template=template,
                summary=spec["summary"],
                status=WalkStatus.WALKED,
                is_demo=True,
                **spec["participants"],
            )
            walk.invited.set(invited)
            for n, (code, lat, lon, text, checks, scores, target) in enumerate(spec["findings"]):
                client_id = uuid.uuid5(NAMESPACE, f"{spec['key']}-{n}")
                finding, _created = services.sync_finding(
                    walk,
                    coordinator,
                    client_id,
                    {
                        "lat": lat,
                        "lon": lon,
                        "category": categories[code].pk,
                        "checks": checks,
                        "scores": scores,
                        "description": text,
                        "captured_at": timezone.make_aware(
                            dt.datetime.combine(date, dt.time(18, 40)) + dt.timedelta(minutes=6 * n)
                        ).isoformat(),
                    },
                )
                services.add_finding_photo(
                    finding,
                    coordinator,
                    uuid.uuid5(NAMESPACE, f"{spec['key']}-{n}-photo"),
                    _photo(
                        f"{spec['title']} – {n + 1}",
                        ["#30475e", "#5c4033", "#2f4f4f", "#4b3b5c"][n % 4],
                    ),
                )
                case = finding.case
                if case is None:
                    continue
                # Reported when captured (the demo is loaded long after the walk).
                audit.update(
                    type(case).objects.filter(pk=case.pk),
                    created_at=finding.captured_at,
                    deadline=cases.deadline_for(case.category, date),
                )
                case.refresh_from_db()
                responsible = acting_principal(case.owner_organisation)
                at = timezone.make_aware(
                    dt.datetime.combine(date + dt.timedelta(days=2), dt.time(10))
                )
                path = {
                    State.NEW: [],
                    State.ACKNOWLEDGED: [State.ACKNOWLEDGED],
                    State.IN_PROGRESS: [State.ACKNOWLEDGED, State.IN_PROGRESS],
                    State.ACTION_SCHEDULED: [State.ACKNOWLEDGED, State.ACTION_SCHEDULED],
                    State.FIXED: [State.ACKNOWLEDGED, State.FIXED],
                    State.WONT_FIX: [State.ACKNOWLEDGED, State.WONT_FIX],
                }[target]
                for k, state in enumerate(path):
                    note = NOTES.get(state, "")
                    cases.change_state(
                        case,
                        responsible,
                        state,
                        text=note,
                        is_public=bool(note),
                        now=at + dt.timedelta(days=7 * k),
                    )
            if spec["publish"]:
                services.publish(walk, coordinator)
            made += 1
        if not Walk.objects.filter(
            municipality=municipality, is_demo=True, date__gte=today
        ).exists():
            Walk.objects.create(
                municipality=municipality,
                owner_organisation=coordinator_org,
                sensitivity=Sensitivity.PARTNERS,
                title="Trygghetsvandring Brunna",
                date=today + dt.timedelta(days=(3 - today.weekday()) % 7),
                start_time=dt.time(19, 0),
                area=Area.objects.get(municipality=municipality, name="Brunna", kind="district"),
                meeting_point="Brunna centrum",
                stops="Centrum\nGångvägen mot skolan\nIdrottsplatsen",
                template=template,
                is_demo=True,
            )
            made += 1
    if stdout is not None:
        stdout.write(f"Safety walks: {made} new demo walks")

"""A demo action plan for Upplands-Bro 2026–2027, modelled on the municipality's own
list of measures: field workers, 478 summer jobs, holiday programmes, film screenings
with discussion together with the police, SIG and GVI (aggregate only), safety walks,
partnerships with associations, career talks, stronger social services, school-staff
training, staff information meetings — each with an owner, a goal, an indicator, and a
status; the activity register, a citizen pledge, the forum and the agreement."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.utils import timezone

from trygg.core.demo import acting_principal
from trygg.core.models import Area, Municipality, Organisation, Sensitivity
from trygg.plan import services
from trygg.plan.models import (
    ActionPlan,
    Activity,
    Agreement,
    Body,
    Cause,
    Decision,
    Evidence,
    Indicator,
    Measure,
    Meeting,
    Pledge,
    PledgeFollowUp,
    Problem,
)

TITLE = "Åtgärdsplan för brottsförebyggande arbete 2026–2027"

PROBLEMS = [
    (
        "Skadegörelse och bränder i Bro centrum",
        1,
        ["Bro"],
        "Skadegörelse, klotter och bilbränder har ökat i Bro, särskilt kvällstid och helger.",
        [
            (
                "incidents",
                "Skadegörelse och brand i Bro, senaste 12 månaderna",
                "/lagesbild/?area={bro}&category=vandalism&category=fire",
            ),
            ("hotspot", "Hotspot vid Bro centrum (Gi*, 99 % säkerhet)", "/lagesbild/analys/"),
        ],
        [
            "Få vuxna ute kvällstid",
            "Mörka och slutna miljöer runt centrum",
            "Unga saknar meningsfull fritid på kvällar och lov",
        ],
    ),
    (
        "Otrygghet vid pendeltågsstationerna",
        1,
        ["Kungsängen", "Bro"],
        "Många boende känner sig otrygga vid stationerna, framför allt kvällstid.",
        [
            (
                "survey",
                "Andel som känner sig otrygga ute sent på kvällen (trygghetsenkät)",
                "/trygghet/",
            ),
            ("walk_findings", "Fynd från trygghetsvandringarna", "/walks/"),
        ],
        ["Dålig belysning och skymd sikt", "Grupper som samlas utan vuxennärvaro"],
    ),
    (
        "Unga som riskerar att dras in i kriminalitet",
        2,
        [],
        "Polisen och socialtjänsten ser unga som rekryteras till kriminella nätverk.",
        [("other", "Polisens och socialtjänstens gemensamma bedömning (lägesbild våren 2026)", "")],
        ["Brist på skyddsfaktorer: skola, fritid, arbete", "Sen upptäckt av oro"],
    ),
]

# (title, problem index, cause index, goal, owner key, partner keys, status, indicator)
MEASURES = [
    (
        "Fältverksamhet kvällar och helger",
        0,
        0,
        "Vuxennärvaro i Bro centrum och Kungsängen fyra kvällar i veckan",
        "fritid",
        ["polis", "socialtjanst"],
        "green",
        (
            "Skadegörelse och brand i Bro",
            "incidents",
            {"categories": ["vandalism", "fire"], "areas": ["Bro"]},
            6,
            "decrease",
            "händelser",
        ),
    ),
    (
        "Sommarjobb för unga",
        2,
        0,
        "478 ungdomar får sommarjobb",
        "kommunledning",
        ["skola"],
        "done",
        (
            "Unga med sommarjobb",
            "activities",
            {"type": "summer_jobs", "what": "participants"},
            12,
            "increase",
            "ungdomar",
        ),
    ),
    (
        "Lovaktiviteter",
        0,
        2,
        "Aktiviteter varje lovvecka i alla kommundelar",
        "fritid",
        ["kungsangens_if", "bro_ik"],
        "green",
        (
            "Deltagare i lovaktiviteter",
            "activities",
            {"type": "holiday_programme", "what": "participants"},
            12,
            "increase",
            "deltagare",
        ),
    ),
    (
        "Filmvisning med samtal tillsammans med polisen",
        2,
        0,
        "Alla elever i årskurs 8 deltar",
        "skola",
        ["polis"],
        "yellow",
        (
            "Genomförda filmvisningar",
            "activities",
            {"type": "film_discussion", "what": "count"},
            12,
            "increase",
            "tillfällen",
        ),
    ),
    (
        "Sociala insatsgrupper (SIG) och GVI",
        2,
        1,
        "Samordnade insatser för unga i riskzonen (endast antal)",
        "socialtjanst",
        ["polis", "skola"],
        "yellow",
        (
            "SIG/GVI-möten",
            "activities",
            {"type": "sig_gvi", "what": "count"},
            6,
            "increase",
            "möten",
        ),
    ),
    (
        "Trygghetsvandringar och åtgärder i utemiljön",
        1,
        0,
        "Fynd från vandringarna åtgärdas inom tre månader",
        "teknik",
        ["upplandsbrohus", "grannstod"],
        "green",
        (
            "Mediantid till åtgärd, belysning",
            "case_fix_time",
            {"categories": ["belysning"]},
            6,
            "decrease",
            "dagar",
        ),
    ),
    (
        "Samverkan med föreningar",
        0,
        2,
        "Fler föreningsledda kvällsaktiviteter",
        "fritid",
        ["kungsangens_if", "bro_ik"],
        "green",
        (
            "Föreningsaktiviteter",
            "activities",
            {"type": "association", "what": "count"},
            12,
            "increase",
            "aktiviteter",
        ),
    ),
    (
        "Karriärdagar och yrkesprat",
        2,
        0,
        "Alla elever i årskurs 9 möter yrkesverksamma",
        "skola",
        [],
        "red",
        (
            "Deltagare på karriärdagar",
            "activities",
            {"type": "career_event", "what": "participants"},
            12,
            "increase",
            "deltagare",
        ),
    ),
    (
        "Förstärkt socialtjänst i Bro",
        2,
        1,
        "Orosanmälningar hanteras inom 14 dagar",
        "socialtjanst",
        [],
        "yellow",
        ("Handläggningstid orosanmälan", "manual", {}, 6, "decrease", "dagar"),
    ),
    (
        "Utbildning för skolpersonal",
        2,
        1,
        "All personal på högstadiet utbildas i tidiga tecken",
        "skola",
        ["polis", "socialtjanst"],
        "green",
        (
            "Utbildningstillfällen skolpersonal",
            "activities",
            {"type": "school_training", "what": "count"},
            12,
            "increase",
            "tillfällen",
        ),
    ),
    (
        "Informationsmöten för kommunens personal",
        1,
        1,
        "Personal vet hur de rapporterar iakttagelser",
        "kommunledning",
        [],
        "done",
        (
            "Andel som känner sig otrygga kvällstid",
            "survey",
            {"question_set": "ntu", "question": "otrygg_kvall"},
            12,
            "decrease",
            "%",
        ),
    ),
]

# Activities: (baseline the year before, target) per activity type.
ACTIVITY_GOALS = {
    "summer_jobs": (450, 478),
    "holiday_programme": (120, 200),
    "film_discussion": (1, 4),
    "sig_gvi": (6, 10),
    "association": (8, 20),
    "career_event": (60, 150),
    "school_training": (1, 4),
    "staff_information": (1, 3),
}

ORG_KEYS = {
    "kommunledning": "Kommunledningskontoret – trygghet och säkerhet",
    "socialtjanst": "Socialtjänsten",
    "fritid": "Fritid – fältverksamheten",
    "skola": "Utbildningskontoret (grund- och gymnasieskolor)",
    "teknik": "Tekniska avdelningen (gata, park, belysning)",
    "polis": "Polisen – lokalpolisområde Järfälla, kommunpolis Upplands-Bro",
    "upplandsbrohus": "Upplands-Brohus",
    "grannstod": "Grannstöd Upplands-Bro",
    "kungsangens_if": "Kungsängens IF",
    "bro_ik": "Bro IK",
}

ACTIVITIES = [
    # (type, title, month, day, area, participants, age split, gender split, measure index)
    ("summer_jobs", "Sommarjobb 2026", 6, 15, None, 478, None, None, 1),
    ("holiday_programme", "Sportlovsaktiviteter", 2, 23, "Bro", 64, None, None, 2),
    ("holiday_programme", "Höstlovsaktiviteter", 10, 26, "Kungsängen", 88, None, None, 2),
    ("film_discussion", "Filmvisning med samtal, årskurs 8", 3, 12, "Bro", 120, None, None, 3),
    (
        "film_discussion",
        "Filmvisning med samtal, årskurs 8",
        3,
        19,
        "Kungsängen",
        134,
        None,
        None,
        3,
    ),
    ("sig_gvi", "SIG-möte", 2, 4, None, 0, None, None, 4),
    ("sig_gvi", "SIG-möte", 4, 8, None, 0, None, None, 4),
    ("sig_gvi", "GVI-samtal (antal deltagare redovisas ej)", 5, 20, None, 0, None, None, 4),
    ("association", "Kvällsfotboll med Bro IK", 5, 6, "Bro", 42, None, None, 6),
    ("association", "Öppen hall med Kungsängens IF", 9, 18, "Kungsängen", 37, None, None, 6),
    ("career_event", "Karriärdag årskurs 9", 4, 22, "Bro", 96, None, None, 7),
    (
        "school_training",
        "Tidiga tecken – utbildning för skolpersonal",
        8,
        14,
        None,
        58,
        None,
        None,
        9,
    ),
    (
        "staff_information",
        "Informationsmöte om lägesbild och rapportering",
        9,
        2,
        None,
        45,
        None,
        None,
        10,
    ),
]


def _org(municipality, key):
    return Organisation.objects.get(municipality=municipality, name=ORG_KEYS[key])


@transaction.atomic
def load(stdout=None) -> None:
    municipality = Municipality.objects.get(code="0139")
    if ActionPlan.objects.filter(municipality=municipality, title=TITLE).exists():
        if stdout is not None:
            stdout.write("Action plan: already loaded")
        return
    areas = {a.name: a for a in Area.objects.filter(municipality=municipality, kind="district")}
    coordination = _org(municipality, "kommunledning")
    year = timezone.localdate().year
    plan = ActionPlan.objects.create(
        municipality=municipality,
        title=TITLE,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year + 1, 12, 31),
    )
    problems, causes = [], []
    for title, priority, area_names, description, evidence, cause_texts in PROBLEMS:
        problem = Problem.objects.create(
            municipality=municipality,
            owner_organisation=coordination,
            sensitivity=Sensitivity.PUBLIC,
            title=title,
            description=description,
            priority=priority,
            is_demo=True,
        )
        problem.areas.set([areas[n] for n in area_names])
        for kind, label, link in evidence:
            Evidence.objects.create(
                problem=problem, kind=kind, label=label, link=link.format(bro=areas["Bro"].pk)
            )
        problems.append(problem)
        causes.append([Cause.objects.create(problem=problem, description=t) for t in cause_texts])
    measures = []
    for order, (title, p, c, goal, owner, partners, status, indicator) in enumerate(MEASURES):
        measure = Measure.objects.create(
            municipality=municipality,
            owner_organisation=_org(municipality, owner),
            sensitivity=Sensitivity.PUBLIC,
            plan=plan,
            problem=problems[p],
            cause=causes[p][min(c, len(causes[p]) - 1)],
            title=title,
            goal=goal,
            start=plan.period_start,
            end=plan.period_end,
            follow_up="Följs upp halvårsvis i styrgruppen och i lägesbilden.",
            status=status,
            order=order,
            is_demo=True,
        )
        measure.partners.set([_org(municipality, k) for k in partners])
        if order == 0:
            measure.target_areas.set([areas["Bro"]])
            measure.comparison_area = areas["Brunna"]
            measure.effect_categories = ["vandalism", "fire"]
            measure.start = dt.date(year - 1, 3, 1)
            measure.save()
        name, kind, definition, months, direction, unit = indicator
        if definition.get("areas"):
            definition = {**definition, "areas": [areas[n].pk for n in definition["areas"]]}
        ind = Indicator.objects.create(
            measure=measure, name=name, kind=kind, definition=definition, unit=unit,
            period_months=months, direction=direction, target=0,
        )  # fmt: skip
        measures.append((measure, ind))
    for type_, title, month, day, area, n, _ages, _genders, m in ACTIVITIES:
        start = dt.date(year, month, day)
        if start > timezone.localdate():
            start = start.replace(year=year - 1)
        rng = np.random.default_rng(hash(title) % 2**32)
        girls = int(n * rng.uniform(0.42, 0.55))
        activity = Activity.objects.create(
            municipality=municipality,
            owner_organisation=measures[m][0].owner_organisation,
            sensitivity=Sensitivity.PUBLIC,
            type=type_,
            title=title,
            start_date=start,
            end_date=start + dt.timedelta(days=56 if type_ == "summer_jobs" else 0),
            area=areas.get(area) if area else None,
            participants=n,
            girls_women=girls,
            boys_men=n - girls,
            measure=measures[m][0],
            is_demo=True,
        )
        activity.organisers.set([measures[m][0].owner_organisation])
    # Baselines and targets from the data itself (computed once, then frozen as goals).
    for measure, indicator in measures:
        if indicator.kind == "manual":
            indicator.baseline, indicator.target, indicator.baseline_label = 28, 14, str(year - 1)
            indicator.save()
            services.Measurement.objects.create(
                indicator=indicator, period_start=dt.date(year, 1, 1), period_end=dt.date(year, 6, 30),
                value=21, note="Socialtjänstens uppföljning",
            )  # fmt: skip
            continue
        start = measure.start
        # The baseline: the year before the measure, computed from the data by refresh().
        indicator.baseline_from = start.replace(year=start.year - 1)
        indicator.baseline_to = start - dt.timedelta(days=1)
        indicator.baseline_label = str(start.year - 1)
        indicator.save()
        services.refresh(indicator)
        indicator.refresh_from_db()
        base = indicator.baseline
        if base is None:
            base = {"survey": 25.0, "case_fix_time": 60.0}.get(indicator.kind, 0.0)
            indicator.baseline = base
        indicator.baseline = round(base, 1)
        if indicator.kind == "activities":
            indicator.baseline, indicator.target = ACTIVITY_GOALS[indicator.definition["type"]]
        elif indicator.direction == "decrease":
            indicator.target = round(base * 0.8, 1)
        else:
            indicator.target = round(base * 1.2, 1)
        indicator.save()
        services.refresh(indicator)
    plan.refresh_from_db()
    services.decide(
        plan,
        acting_principal(coordination),
        decided_by="Kommunstyrelsen",
        decided_on=dt.date(year, 2, 11),
        minute_ref="KS § 23",
    )
    pledge = Pledge.objects.create(
        municipality=municipality,
        year=year,
        title="Tryggare kvällar vid Bro centrum",
        problem="Boende upplever otrygghet vid Bro centrum kvällstid, med skadegörelse och grupper som stör.",
        police_promise="Polisen ökar den synliga närvaron i Bro centrum fredag och lördag kväll.",
        municipality_promise="Kommunen förbättrar belysningen och fältverksamheten finns på plats fyra kvällar i veckan.",
        police_signatory="Lokalpolisområdeschef, lokalpolisområde Järfälla",
        municipality_signatory="Kommunstyrelsens ordförande",
        signed_on=dt.date(year, 2, 1),
        measure=measures[0][0],
    )  # fmt: skip
    PledgeFollowUp.objects.create(
        pledge=pledge, half=1, status="green",
        public_text="Polisen har varit på plats 38 kvällar; ny belysning vid gångtunneln är klar.",
    )  # fmt: skip
    meeting = Meeting.objects.create(
        municipality=municipality,
        body=Body.COUNCIL,
        date=dt.date(year, 3, 15),
        agenda="Lägesbild våren\nUppföljning av åtgärdsplanen\nMedborgarlöftet",
    )
    meeting.participants.set(
        [
            _org(municipality, k)
            for k in ("kommunledning", "polis", "socialtjanst", "upplandsbrohus")
        ]
    )
    Decision.objects.create(
        meeting=meeting,
        text="Fältverksamheten prioriterar Bro centrum under våren.",
        measure=measures[0][0],
    )
    agreement = Agreement.objects.create(
        municipality=municipality,
        title="Samverkansöverenskommelse mellan Upplands-Bro kommun och Polisen",
        period_start=dt.date(year - 1, 1, 1),
        period_end=dt.date(year + 2, 12, 31),
        text="Gemensam lägesbild, åtgärdsplan och medborgarlöften.",
    )
    agreement.signatories.set([coordination, _org(municipality, "polis")])
    if stdout is not None:
        stdout.write(
            f"Action plan: {len(measures)} measures, {len(ACTIVITIES)} activities, version 1 decided"
        )

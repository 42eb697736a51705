"""Demo surveys: three rounds (2022, 2024, 2026) of the police's safety survey and the
NTU-style items for the demo districts, generated as anonymous answer files and imported
through the real importer. Low answer counts in Låssa and Håtuna show the n < 30 rule."""

from __future__ import annotations

import csv
import io

import numpy as np

from trygg.core.models import Area, Municipality
from trygg.surveys.questions import QUESTION_SETS
from trygg.surveys.services import import_survey

YEARS = (2022, 2024, 2026)
RESPONDENTS = {"Kungsängen": 420, "Bro": 380, "Brunna": 140, "Låssa": 45, "Håtuna": 24}
# How troubled each district is (raises problem answers and unsafe shares).
TROUBLE = {"Kungsängen": 0.9, "Bro": 1.3, "Brunna": 0.8, "Låssa": 0.4, "Håtuna": 0.3}
AGE_BANDS = ["16-24", "25-44", "45-64", "65-84"]
GENDERS = ["kvinna", "man", "annat/vill ej ange"]


def _answers(rng, question_set: str, trouble: float, year: int) -> dict[str, int | str]:
    # Bro improves from 2024 (a year of safety walks and lighting), the rest drift.
    shift = -0.35 if year >= 2024 else 0.0
    answers: dict[str, int | str] = {}
    for code in QUESTION_SETS[question_set]:
        if rng.random() < 0.06:
            answers[code] = 9 if question_set == "polisen" else ""
            continue
        level = trouble + (shift if trouble > 1.2 else 0.05 * (year - 2022) / 2)
        if question_set == "polisen":
            p = np.array([1.6, 1.2, 0.7 * level, 0.35 * level])
            answers[code] = int(rng.choice([1, 2, 3, 4], p=p / p.sum()))
        elif code == "fortroende_polis":
            answers[code] = int(rng.choice([1, 2, 3, 4, 5], p=[0.05, 0.1, 0.3, 0.35, 0.2]))
        elif code == "undviker_platser":
            answers[code] = 1 if rng.random() < 0.12 * level else 2
        else:
            p = np.array([1.5, 1.3, 0.5 * level, 0.2 * level])
            answers[code] = int(rng.choice([1, 2, 3, 4], p=p / p.sum()))
    return answers


def answer_file(municipality: Municipality, question_set: str, year: int) -> bytes:
    rng = np.random.default_rng([139, year, len(question_set)])
    codes = list(QUESTION_SETS[question_set])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["område", "år", "åldersgrupp", "kön", *codes])
    for area in Area.objects.filter(municipality=municipality, kind="district").order_by("name"):
        for _ in range(RESPONDENTS.get(area.name, 50)):
            answers = _answers(rng, question_set, TROUBLE.get(area.name, 1.0), year)
            writer.writerow(
                [
                    area.name,
                    year,
                    rng.choice(AGE_BANDS),
                    rng.choice(GENDERS),
                    *(answers[c] for c in codes),
                ]
            )
    return out.getvalue().encode()


def load(stdout=None) -> None:
    municipality = Municipality.objects.get(code="0139")
    titles = {"polisen": "Polisens trygghetsmätning", "ntu": "Trygghetsenkät (NTU-frågor)"}
    for question_set in ("polisen", "ntu"):
        for year in YEARS:
            result = import_survey(
                municipality,
                answer_file(municipality, question_set, year),
                file_name=f"demo-{question_set}-{year}.csv",
                question_set=question_set,
                year=year,
                title=f"{titles[question_set]} {year} (demo)",
                response_rate=0.41,
                is_demo=True,
            )
            if stdout is not None:
                stdout.write(result.summary)

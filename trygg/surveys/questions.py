"""Built-in question sets for the common Swedish perceived-safety surveys.

* ``polisen`` — the police's local safety survey (trygghetsmätning): how big a problem
  each thing is in the area, answered 1 = no problem … 4 = a very big problem (blank or 9
  = don't know). The problem index maps the answers to 0, 2, 4, 6 and takes the mean:
  0–6, lower is better.
* ``ntu`` — items in the style of Brå's national crime-victim survey (NTU): shares of
  respondents, higher or lower is better per item.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MEAN = "mean"
SHARE = "share"


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    kind: str  # MEAN (an index) or SHARE (a proportion)
    lower_is_better: bool
    # For MEAN: answer → score. For SHARE: the answers that count as "yes".
    scoring: dict
    valid: frozenset

    def score(self, answer: int):
        """The answer's score (MEAN) or 1/0 (SHARE); None for don't know / blank."""
        if answer not in self.valid:
            return None
        if self.kind == MEAN:
            return self.scoring[answer]
        return 1 if answer in self.scoring else 0


PROBLEM = {1: 0, 2: 2, 3: 4, 4: 6}


def _problem(code: str, label) -> Question:
    return Question(code, label, MEAN, True, PROBLEM, frozenset(PROBLEM))


QUESTION_SETS: dict[str, dict[str, Question]] = {
    "polisen": {
        q.code: q
        for q in (
            _problem("nedskrapning", _("Litter")),
            _problem("skadegorelse", _("Vandalism")),
            _problem("klotter", _("Graffiti")),
            _problem("ungdomsgrupper", _("Groups of young people causing disorder")),
            _problem("narkotikaforsaljning", _("Drug dealing")),
            _problem("berusade", _("People under the influence of alcohol or drugs")),
            _problem("vardslos_korning", _("Reckless driving")),
            _problem("belysning", _("Poor street lighting")),
        )
    },
    "ntu": {
        q.code: q
        for q in (
            Question(
                "otrygg_kvall",
                _("Feels unsafe alone outdoors late at night"),
                SHARE,
                True,
                {3: 1, 4: 1},  # 1 very safe, 2 rather safe, 3 rather unsafe, 4 very unsafe
                frozenset({1, 2, 3, 4}),
            ),
            Question(
                "oro_brott",
                _("Worried about crime in society"),
                SHARE,
                True,
                {3: 1, 4: 1},
                frozenset({1, 2, 3, 4}),
            ),
            Question(
                "undviker_platser",
                _("Has avoided a place because of worry about crime"),
                SHARE,
                True,
                {1: 1},  # 1 yes, 2 no
                frozenset({1, 2}),
            ),
            Question(
                "fortroende_polis",
                _("Has high trust in the police"),
                SHARE,
                False,
                {4: 1, 5: 1},  # 1 very low … 5 very high
                frozenset({1, 2, 3, 4, 5}),
            ),
        )
    },
}

QUESTION_SET_NAMES = {
    "polisen": _("The police's local safety survey (problem index 0–6)"),
    "ntu": _("Crime-victim survey items (NTU style, shares)"),
}

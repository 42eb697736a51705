from django.shortcuts import render

from trygg.core.guards import member_required
from trygg.surveys.models import Survey
from trygg.surveys.questions import QUESTION_SET_NAMES, QUESTION_SETS
from trygg.surveys.services import MIN_N, index_table


@member_required()
def surveys(request):
    municipality = request.principal.municipality
    question_set = request.GET.get("set")
    if question_set not in QUESTION_SETS:
        question_set = "polisen"
    questions = QUESTION_SETS[question_set]
    question = request.GET.get("question")
    if question not in questions:
        question = next(iter(questions))
    years, table = index_table(municipality, question_set, question)
    q = questions[question]
    return render(
        request,
        "surveys/surveys.html",
        {
            "question_sets": QUESTION_SET_NAMES.items(),
            "question_set": question_set,
            "questions": [(code, qq.label) for code, qq in questions.items()],
            "question": q,
            "years": years,
            "table": table,
            "is_share": q.kind == "share",
            "min_n": MIN_N,
            "surveys": Survey.objects.filter(municipality=municipality, question_set=question_set),
        },
    )

"""Survey import: aggregation on the way in, identifier refusal, n < 30, idempotence,
changes between rounds, and the page."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from trygg.incidents.importers.base import ImportRefused
from trygg.surveys.models import Survey, SurveyResult
from trygg.surveys.services import import_survey, index_table

pytestmark = pytest.mark.django_db


def answers(rows):
    header = "område;år;åldersgrupp;kön;otrygg_kvall;undviker_platser\n"
    return (header + "".join(f"{r}\n" for r in rows)).encode()


def test_respondents_are_aggregated_never_stored(bro):
    # 40 respondents in Bro: 10 unsafe (3 or 4), 30 safe; 2 don't know on avoiding places.
    rows = [
        f"Bro;2026;16-24;kvinna;{4 if i < 6 else 3 if i < 10 else 1};{1 if i < 5 else 2}"
        for i in range(40)
    ]
    result = import_survey(bro, answers(rows), file_name="a.csv", question_set="ntu", year=2026)
    assert result.created
    unsafe = SurveyResult.objects.get(
        survey=result.survey, area__name="Bro", question="otrygg_kvall", group="all"
    )
    assert unsafe.n == 40 and unsafe.value == pytest.approx(0.25)
    assert unsafe.ci_low < 0.25 < unsafe.ci_high
    whole = SurveyResult.objects.get(
        survey=result.survey, area=None, question="otrygg_kvall", group="all"
    )
    assert whole.n == 40
    assert SurveyResult.objects.filter(group="gender:kvinna").exists()
    assert not hasattr(Survey, "answers")  # nothing per respondent


def test_cells_under_30_are_hidden(bro):
    rows = ["Låssa;2026;25-44;man;1;2" for _ in range(29)]
    result = import_survey(bro, answers(rows), file_name="a.csv", question_set="ntu", year=2026)
    r = SurveyResult.objects.get(
        survey=result.survey, area__name="Låssa", question="otrygg_kvall", group="all"
    )
    assert r.n == 29 and r.value is None and r.ci_low is None


@pytest.mark.parametrize(
    "column", ["Respondent-ID", "namn", "personnummer", "e-post", "telefon", "id"]
)
def test_files_with_identifier_columns_are_refused(bro, column):
    data = f"område;{column};otrygg_kvall\nBro;x;1\n".encode()
    with pytest.raises(ImportRefused, match="identify people"):
        import_survey(bro, data, file_name="a.csv", question_set="ntu", year=2026)
    assert not Survey.objects.exists()


def test_personal_data_in_a_cell_and_bad_answers_are_refused_with_rows(bro):
    rows = [
        "Bro;2026;16-24;kvinna;7;2",
        "Bro;2026;16-24;ring 070-123 45 67;1;2",
        "Atlantis;2026;16-24;man;1;2",
    ]
    with pytest.raises(ImportRefused) as excinfo:
        import_survey(bro, answers(rows), file_name="a.csv", question_set="ntu", year=2026)
    text = " | ".join(str(e) for e in excinfo.value.errors)
    assert "row 2, otrygg_kvall: answer 7" in text
    assert "row 3: a cell holds personal data" in text
    assert "row 4, område: unknown area 'Atlantis'" in text
    assert not Survey.objects.exists()


def test_rerun_is_idempotent_and_a_new_file_replaces(bro):
    rows = ["Bro;2026;16-24;kvinna;1;2" for _ in range(35)]
    import_survey(bro, answers(rows), file_name="a.csv", question_set="ntu", year=2026)
    again = import_survey(bro, answers(rows), file_name="a.csv", question_set="ntu", year=2026)
    assert not again.created and not again.changed
    rows2 = ["Bro;2026;16-24;kvinna;4;2" for _ in range(35)]
    replaced = import_survey(bro, answers(rows2), file_name="b.csv", question_set="ntu", year=2026)
    assert replaced.changed
    r = SurveyResult.objects.get(area__name="Bro", question="otrygg_kvall", group="all")
    assert r.value == 1.0
    assert Survey.objects.count() == 1


def test_significant_change_is_marked(bro):
    before = [f"Bro;2024;16-24;kvinna;{4 if i < 40 else 1};2" for i in range(100)]
    after = [f"Bro;2026;16-24;kvinna;{4 if i < 15 else 1};2" for i in range(100)]
    import_survey(
        bro,
        answers([r.replace("2026", "2024") for r in before]),
        file_name="a.csv",
        question_set="ntu",
        year=2024,
    )
    import_survey(bro, answers(after), file_name="b.csv", question_set="ntu", year=2026)
    years, table = index_table(bro, "ntu", "otrygg_kvall")
    assert years == [2024, 2026]
    cells = dict(table)["Bro"]
    assert cells[1].change == "better" and cells[1].p < 0.001
    # Fewer feel unsafe: better, and the value went down — a green ▼, not a ▲.
    assert not cells[1].rose


def test_problem_index_of_the_police_survey(bro):
    data = "område;nedskrapning\n" + "".join(f"Bro;{a}\n" for a in [1, 2, 3, 4] * 10)
    result = import_survey(bro, data.encode(), file_name="p.csv", question_set="polisen", year=2026)
    r = SurveyResult.objects.get(survey=result.survey, area__name="Bro", question="nedskrapning")
    assert r.value == pytest.approx(3.0)  # mean of 0, 2, 4, 6


def test_aggregate_table(bro, tmp_path):
    path = tmp_path / "agg.csv"
    path.write_text(
        "område;indikator;värde;n\nBro;otrygg_kvall;24;350\nHåtuna;otrygg_kvall;30;20\n",
        encoding="utf-8",
    )
    call_command(
        "import_survey", str(path), "--set", "ntu", "--year", "2025", "--aggregate", stdout=None
    )
    bro_r = SurveyResult.objects.get(area__name="Bro")
    assert bro_r.value == pytest.approx(0.24, abs=0.002) and bro_r.ci_low < 0.24
    assert SurveyResult.objects.get(area__name="Håtuna").value is None
    with pytest.raises(CommandError, match="unknown indicator"):
        path.write_text("område;indikator;värde;n\nBro;lycka;24;350\n", encoding="utf-8")
        call_command("import_survey", str(path), "--set", "ntu", "--year", "2023", "--aggregate")


def test_survey_page(client, bro):
    from trygg.surveys import demo

    demo.load()
    client.force_login(get_user_model().objects.get(username="lasare"))
    html = client.get("/trygghet/?set=ntu&question=otrygg_kvall").content.decode()
    assert "Hela kommunen" in html
    assert "n=2" in html  # Håtuna: too few answers, shown as a count only
    assert "2022" in html and "2026" in html


def test_survey_index_as_a_plan_indicator(bro):
    from trygg.core.models import Area
    from trygg.surveys.services import indicator_value

    rows = [f"Bro;2026;16-24;kvinna;{4 if i < 10 else 1};2" for i in range(40)]
    import_survey(bro, answers(rows), file_name="a.csv", question_set="ntu", year=2026)
    bro_area = Area.objects.get(name="Bro")
    assert indicator_value(bro, "ntu", "otrygg_kvall", 2026, bro_area) == 25.0
    assert indicator_value(bro, "ntu", "otrygg_kvall", 2025, bro_area) is None

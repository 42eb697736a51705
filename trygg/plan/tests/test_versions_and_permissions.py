"""Decided versions freeze; the next version shows what changed. A partner edits only
the measures its organisation owns or partners in."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from trygg.core.models import Sensitivity
from trygg.plan import services
from trygg.plan.models import FrozenError, PlanVersion
from trygg.plan.tests.conftest import make_indicator, make_measure


def test_a_decided_version_is_frozen_and_the_next_shows_what_changed(pw, client):
    first = make_measure(pw)
    make_indicator(first)
    v1 = services.decide(pw.plan, pw.coordinator, decided_by="Kommunstyrelsen",
                         decided_on=dt.date(2026, 2, 11), minute_ref="KS § 23")  # fmt: skip
    assert v1.number == 1 and v1.snapshot["measures"][0]["title"] == first.title
    v1.decided_by = "Någon annan"
    with pytest.raises(FrozenError) as error:
        v1.save()
    assert "låst" in str(error.value) or "frozen" in str(error.value)
    with pytest.raises(FrozenError):
        v1.delete()
    assert PlanVersion.objects.get().decided_by == "Kommunstyrelsen"
    # Change the plan, then decide version 2.
    first.goal = "Vuxennärvaro fem kvällar i veckan"
    first.save()
    added = make_measure(pw, title="Sommarjobb för unga", goal="478 ungdomar")
    assert services.pending_changes(pw.plan, pw.coordinator)["added"] == [added.title]
    v2 = services.decide(pw.plan, pw.coordinator, decided_by="Kommunstyrelsen",
                         decided_on=dt.date(2026, 9, 1))  # fmt: skip
    changes = services.diff(v1.snapshot, v2.snapshot)
    assert changes["added"] == ["Sommarjobb för unga"]
    assert changes["changed"] == [{"title": first.title, "fields": ["goal"]}]
    client.force_login(pw.police_member.user)
    page = client.get(f"/plan/{pw.plan.pk}/versions/2/").content.decode()
    assert "Sommarjobb för unga" in page and "goal" in page
    # Version 1 still says what was decided then.
    assert PlanVersion.objects.get(number=1).snapshot["measures"][0]["goal"] == (
        "Vuxennärvaro fyra kvällar i veckan"
    )


def test_only_coordinators_decide(pw):
    with pytest.raises(PermissionDenied):
        services.decide(pw.plan, pw.fritid_member, decided_by="KS", decided_on=dt.date(2026, 1, 1))


def test_partners_edit_only_their_measures(pw, client):
    owned = make_measure(pw)  # owned by Fritid
    partnered = make_measure(pw, owner_organisation=pw.school, partners=[pw.fritid])
    other = make_measure(pw, owner_organisation=pw.police)
    assert services.can_edit_measure(pw.fritid_member, owned)
    assert services.can_edit_measure(pw.fritid_member, partnered)
    assert not services.can_edit_measure(pw.fritid_member, other)
    assert not services.can_edit_measure(pw.housing_member, owned)
    assert not services.can_edit_measure(pw.reader, owned)
    assert services.can_edit_measure(pw.coordinator, other)
    assert set(services.editable_measures(pw.fritid_member)) == {owned, partnered}
    client.force_login(pw.housing_member.user)
    data = {"action": "status", "status-status": "red", "status-status_note": "Försenad"}
    assert client.post(f"/plan/measures/{owned.pk}/", data).status_code == 403
    client.force_login(pw.fritid_member.user)
    assert client.post(f"/plan/measures/{partnered.pk}/", data).status_code == 302
    partnered.refresh_from_db()
    assert partnered.status == "red"
    assert client.get(f"/plan/measures/{other.pk}/edit/").status_code == 403


def test_creating_a_measure_through_the_page(pw, client):
    client.force_login(pw.fritid_member.user)
    response = client.post(
        "/plan/measures/new/",
        {
            "plan": pw.plan.pk, "title": "Nattvandring", "goal": "Varje fredag",
            "start": "2026-01-01",
            "end": "2026-12-31", "owner_organisation": pw.fritid.pk, "status": "green",
            "sensitivity": "public",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    # A member cannot make another organisation responsible.
    response = client.post(
        "/plan/measures/new/",
        {
            "plan": pw.plan.pk, "title": "X", "goal": "Y", "start": "2026-01-01",
            "end": "2026-12-31", "owner_organisation": pw.police.pk, "status": "green",
            "sensitivity": "public",
        },
    )  # fmt: skip
    assert response.status_code == 200


def test_a_forum_decision_becomes_a_measure(pw, client):
    from trygg.plan.models import Decision, Meeting

    meeting = Meeting.objects.create(
        municipality=pw.municipality, body="council", date=dt.date(2026, 3, 1)
    )
    decision = Decision.objects.create(meeting=meeting, text="Nattvandring varje fredag i Bro")
    client.force_login(pw.coordinator.user)
    page = client.get("/plan/forum/").content.decode()
    assert f"?decision={decision.pk}" in page
    form = client.get(f"/plan/measures/new/?decision={decision.pk}").content.decode()
    assert "Nattvandring varje fredag i Bro" in form
    response = client.post(
        f"/plan/measures/new/?decision={decision.pk}",
        {
            "plan": pw.plan.pk, "title": "Nattvandring varje fredag i Bro", "goal": "Varje fredag",
            "start": "2026-03-01", "end": "2026-12-31", "owner_organisation": pw.fritid.pk,
            "status": "green", "sensitivity": "public",
        },
    )  # fmt: skip
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.measure.title == "Nattvandring varje fredag i Bro"


def test_a_forum_decision_becomes_a_case(pw, world, client):
    from trygg.plan.models import Decision, Meeting

    meeting = Meeting.objects.create(
        municipality=pw.municipality, body="council", date=dt.date(2026, 3, 1)
    )
    decision = Decision.objects.create(meeting=meeting, text="Belysningen vid tunneln ska bytas")
    client.force_login(pw.coordinator.user)
    assert (
        "Belysningen vid tunneln"
        in client.get(f"/cases/new/?origin=plan.decision:{decision.pk}").content.decode()
    )
    response = client.post(
        f"/cases/new/?origin=plan.decision:{decision.pk}",
        {"category": world.categories["belysning"].pk, "lat": 59.515, "lon": 17.645,
         "description": "Belysningen vid tunneln ska bytas", "sensitivity": "partners"},
    )  # fmt: skip
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.case.owner_organisation == world.teknik
    assert decision.case.origin_ref == f"plan.decision:{decision.pk}"
    assert f"?origin=plan.decision:{decision.pk}" not in client.get("/plan/forum/").content.decode()


def test_a_restricted_problems_causes_stay_out_of_other_organisations_forms(pw):
    from trygg.plan.forms import MeasureForm
    from trygg.plan.models import Cause, Problem

    problem = Problem.objects.create(
        municipality=pw.municipality, owner_organisation=pw.police,
        sensitivity=Sensitivity.RESTRICTED, title="Narkotikaförsäljning vid skolan",
    )  # fmt: skip
    secret = Cause.objects.create(problem=problem, description="Känd säljare i trappuppgång 4")
    open_problem = Problem.objects.create(
        municipality=pw.municipality, owner_organisation=pw.fritid,
        sensitivity=Sensitivity.PARTNERS, title="Skadegörelse",
    )  # fmt: skip
    shared = Cause.objects.create(problem=open_problem, description="Få vuxna ute")
    causes = list(MeasureForm(principal=pw.housing_member).fields["cause"].queryset)
    assert shared in causes and secret not in causes
    assert secret in MeasureForm(principal=pw.police_member).fields["cause"].queryset


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("/lagesbild/?from=2026-01-01", True),
        ("//evil.example/phish", False),
        ("/\\evil.example", False),
        ("https://evil.example", False),
        ("javascript:alert(1)", False),
    ],
)
def test_evidence_links_stay_on_this_site(pw, link, ok):
    from django.core.exceptions import ValidationError as Invalid

    from trygg.plan.models import Evidence, Problem

    problem = Problem.objects.create(
        municipality=pw.municipality, owner_organisation=pw.fritid, title="Skadegörelse"
    )
    evidence = Evidence(problem=problem, kind="incidents", label="Lägesbilden", link=link)
    if ok:
        evidence.full_clean()
    else:
        with pytest.raises(Invalid):
            evidence.full_clean()

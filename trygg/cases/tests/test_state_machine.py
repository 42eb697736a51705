"""The state machine: who may move a case where, reasons, timestamps, reassigning,
merging duplicates, moderation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from trygg.cases import services
from trygg.cases.models import Moderation, Origin, State
from trygg.cases.tests.conftest import BRO_HOUSING, BRO_MUNICIPAL


@pytest.fixture
def lamp(world):
    return services.create_case(
        world.municipality,
        category=world.categories["belysning"],
        lat=BRO_MUNICIPAL[0],
        lon=BRO_MUNICIPAL[1],
        description="Lampan vid gångtunneln är trasig.",
        origin=Origin.PUBLIC,
        reporter_email="boende@example.se",
    )


def test_the_responsible_organisation_moves_a_case_to_fixed(world, lamp):
    assert lamp.owner_organisation == world.teknik
    services.change_state(lamp, world.teknik_member, State.ACKNOWLEDGED)
    assert lamp.acknowledged_at is not None and lamp.closed_at is None
    services.change_state(
        lamp, world.teknik_member, State.FIXED, text="Armaturen är bytt.", is_public=True
    )
    lamp.refresh_from_db()
    assert lamp.state == State.FIXED and lamp.is_closed and lamp.closed_at is not None
    assert lamp.public_status == "closed"
    assert [u.state_to for u in lamp.updates.all()] == ["new", "acknowledged", "fixed"]


def test_other_organisations_and_read_only_members_cannot_change_it(world, lamp):
    with pytest.raises(PermissionDenied):
        services.change_state(lamp, world.brohus_member, State.ACKNOWLEDGED)
    with pytest.raises(PermissionDenied):
        services.change_state(lamp, world.reader, State.ACKNOWLEDGED)
    assert services.allowed_transitions(lamp, world.brohus_member) == []
    # The coordinator may change every case.
    services.change_state(lamp, world.coordinator, State.INVESTIGATING)


def test_transitions_that_are_not_allowed_are_refused(world, lamp):
    with pytest.raises(ValidationError):
        services.change_state(lamp, world.teknik_member, State.NEW)  # already new
    with pytest.raises(ValidationError):
        services.change_state(lamp, world.teknik_member, State.DUPLICATE)  # only by merging
    with pytest.raises(ValidationError):
        services.change_state(lamp, world.teknik_member, State.HIDDEN)  # needs moderate
    assert State.HIDDEN in services.allowed_transitions(lamp, world.coordinator)


def test_wont_fix_needs_a_public_reason(world, lamp):
    with pytest.raises(ValidationError) as error:
        services.change_state(lamp, world.teknik_member, State.WONT_FIX)
    assert "text" in error.value.message_dict
    update = services.change_state(
        lamp,
        world.teknik_member,
        State.WONT_FIX,
        text="Platsen byggs om nästa år.",
        is_public=False,
    )
    assert update.is_public  # the reason is always public
    assert lamp.decided_action == "Platsen byggs om nästa år."
    assert services.status_notes(lamp) == "Platsen byggs om nästa år."


def test_a_closed_case_can_be_reopened(world, lamp):
    services.change_state(lamp, world.teknik_member, State.FIXED, text="Lagat.")
    services.change_state(lamp, world.teknik_member, State.IN_PROGRESS, text="Trasig igen.")
    assert lamp.state == State.IN_PROGRESS and lamp.closed_at is None and lamp.is_open


def test_personal_data_in_a_note_is_refused(world, lamp):
    with pytest.raises(ValidationError):
        services.add_note(lamp, world.teknik_member, "Ring mig på 070-123 45 67", is_public=False)


def test_not_ours_passes_it_on_and_starts_it_again_there(world, lamp):
    services.change_state(lamp, world.teknik_member, State.ACKNOWLEDGED)
    update = services.reassign(lamp, world.teknik_member, world.brohus, "Brohus belysning.")
    lamp.refresh_from_db()
    assert lamp.owner_organisation == world.brohus and lamp.state == State.NEW
    assert update.reassigned_from == world.teknik and update.reassigned_to == world.brohus
    assert not update.is_public
    # Now it is Brohus' to change, not the technical department's any more.
    with pytest.raises(PermissionDenied):
        services.change_state(lamp, world.teknik_member, State.ACKNOWLEDGED)
    services.change_state(lamp, world.brohus_member, State.ACKNOWLEDGED)


def test_merging_a_duplicate_closes_it_and_points_at_the_original(world, lamp):
    second = services.create_case(
        world.municipality,
        category=world.categories["belysning"],
        lat=BRO_MUNICIPAL[0] + 0.0001,
        lon=BRO_MUNICIPAL[1],
        description="Samma lampa, fortfarande släckt.",
        origin=Origin.PUBLIC,
        reporter_email="granne@example.se",
    )
    third = services.create_case(
        world.municipality,
        category=world.categories["belysning"],
        lat=BRO_MUNICIPAL[0],
        lon=BRO_MUNICIPAL[1] + 0.0001,
        description="Mörkt vid tunneln.",
        origin=Origin.PUBLIC,
    )
    services.merge(third, second, world.coordinator)
    services.merge(second, lamp, world.coordinator)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.state == State.DUPLICATE and second.duplicate_of == lamp
    assert third.duplicate_of == lamp  # re-pointed at the surviving case
    assert set(lamp.duplicates.all()) == {second, third}
    with pytest.raises(ValidationError):
        services.merge(lamp, lamp, world.coordinator)


def test_public_text_waits_for_moderation_staff_text_does_not(world, lamp):
    assert lamp.moderation == Moderation.PENDING and lamp.public_description == ""
    staff = services.create_case(
        world.municipality,
        category=world.categories["klotter"],
        lat=BRO_HOUSING[0],
        lon=BRO_HOUSING[1],
        description="Klotter på förskolans vägg.",
        origin=Origin.STAFF,
        principal=world.police_member,
    )
    assert staff.moderation == Moderation.APPROVED
    with pytest.raises(PermissionDenied):
        services.moderate(lamp, world.teknik_member, approve=True)
    services.moderate(
        lamp, world.coordinator, approve=True, description="Lampan vid gångtunneln är trasig!"
    )
    lamp.refresh_from_db()
    assert lamp.public_description == "Lampan vid gångtunneln är trasig!"
    services.moderate(lamp, world.coordinator, approve=False)
    lamp.refresh_from_db()
    assert lamp.public_description == ""


def test_staff_and_walk_cases_need_a_member_who_may_create(world):
    with pytest.raises(PermissionDenied):
        services.create_case(
            world.municipality,
            category=world.categories["klotter"],
            lat=BRO_HOUSING[0],
            lon=BRO_HOUSING[1],
            description="Klotter.",
            origin=Origin.STAFF,
            principal=world.reader,
        )


def test_the_api_lists_cases_and_takes_updates_with_a_token(world, lamp, client):
    from trygg.core.tokens import create_token

    _token, secret = create_token(world.teknik_member.membership, "Driftsystemet")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    listed = client.get("/api/v1/cases?mine=true", **auth).json()
    assert [c["id"] for c in listed] == [lamp.pk]
    assert client.get(f"/api/v1/cases/{lamp.pk}", **auth).json()["responsible"] == world.teknik.name
    response = client.post(
        f"/api/v1/cases/{lamp.pk}/updates",
        {"state": "fixed", "text": "Lampan bytt.", "is_public": True},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201 and response.json()["state"] == "fixed"
    bad = client.post(
        f"/api/v1/cases/{lamp.pk}/updates",
        {"state": "fixed"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422  # fixed → fixed is not a transition
    _t, other = create_token(world.brohus_member.membership, "Brohus")
    denied = client.post(
        f"/api/v1/cases/{lamp.pk}/updates",
        {"text": "Hej"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {other}",
    )
    assert denied.status_code == 403
    # A note another system sends without saying is internal, never published by default.
    note = client.post(
        f"/api/v1/cases/{lamp.pk}/updates",
        {"text": "Beställt ny armatur, kostnadsställe 4711."},
        content_type="application/json",
        **auth,
    )
    assert note.status_code == 201 and note.json()["is_public"] is False


@pytest.mark.parametrize("note", ["", "Vi byter armaturen i vecka 12."])
def test_changing_only_the_decided_action_on_the_case_page_saves_it(world, lamp, client, note):
    """Regression: the page set decided_action in memory and saved only updated_at, so
    the public note said an action was decided while the field stayed empty."""
    client.force_login(world.teknik_member.user)
    response = client.post(
        f"/cases/{lamp.pk}/",
        {
            "action": "update",
            "update-state": "",
            "update-text": note,
            "update-is_public": "on",
            "update-decided_action": "Armaturen byts mot LED.",
        },
    )
    assert response.status_code == 302
    lamp.refresh_from_db()
    assert lamp.decided_action == "Armaturen byts mot LED."
    assert lamp.state == State.NEW
    last = lamp.updates.order_by("-pk").first()
    assert last.text == (note or "Beslutad åtgärd: Armaturen byts mot LED.")
    assert last.is_public
    from trygg.core.models import AuditEntry

    changed = AuditEntry.objects.filter(object_id=str(lamp.pk), action="update").values_list(
        "changes", flat=True
    )
    assert any("decided_action" in c for c in changed)

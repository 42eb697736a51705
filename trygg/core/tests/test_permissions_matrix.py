"""The permission matrix: role × sensitivity × own/other organisation/municipality.

Every later app relies on this one rule (trygg/core/permissions.py), so it is tested
exhaustively here: through the queryset filters *and* the in-memory checks, which must
agree.
"""

import pytest

from trygg.core.models import Notice, Role, Sensitivity
from trygg.core.permissions import Principal, can_edit, can_view
from trygg.core.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    NoticeFactory,
    OrganisationFactory,
    UserFactory,
)

# Record keys: (municipality, owner, sensitivity, named)
#   own   = the principal's organisation
#   other = another organisation of the same municipality
#   named = a restricted record of "other" that names the principal's organisation
#   far   = an organisation of another municipality
RECORDS = {
    "public-own": ("home", "own", Sensitivity.PUBLIC, False),
    "partners-own": ("home", "own", Sensitivity.PARTNERS, False),
    "restricted-own": ("home", "own", Sensitivity.RESTRICTED, False),
    "public-other": ("home", "other", Sensitivity.PUBLIC, False),
    "partners-other": ("home", "other", Sensitivity.PARTNERS, False),
    "restricted-other": ("home", "other", Sensitivity.RESTRICTED, False),
    "restricted-other-naming-own": ("home", "other", Sensitivity.RESTRICTED, True),
    "public-far": ("far", "far", Sensitivity.PUBLIC, False),
    "partners-far": ("far", "far", Sensitivity.PARTNERS, False),
    "restricted-far": ("far", "far", Sensitivity.RESTRICTED, False),
}

VISIBLE = {
    "public-own",
    "partners-own",
    "restricted-own",
    "public-other",
    "partners-other",
    "restricted-other-naming-own",
}
OWN = {"public-own", "partners-own", "restricted-own"}

EXPECTED = {
    # role: (visible, editable)
    Role.ADMINISTRATOR: (VISIBLE, VISIBLE),
    Role.COORDINATOR: (VISIBLE, VISIBLE),
    Role.ANALYST: (VISIBLE, OWN),
    Role.MEMBER: (VISIBLE, OWN),
    Role.FIELD_WORKER: (VISIBLE, OWN),
    Role.READ_ONLY: (VISIBLE, set()),
}


@pytest.fixture
def world(db):
    home = MunicipalityFactory(code="0139", name="Upplands-Bro")
    far = MunicipalityFactory(code="0123", name="Järfälla")
    orgs = {
        "own": OrganisationFactory(municipality=home, name="Fältverksamheten"),
        "other": OrganisationFactory(municipality=home, name="Polisen"),
        "far": OrganisationFactory(municipality=far, name="Järfällahus"),
    }
    records = {}
    for key, (_muni, owner, sensitivity, named) in RECORDS.items():
        records[key] = NoticeFactory(
            owner_organisation=orgs[owner],
            sensitivity=sensitivity,
            title=key,
            restricted_to=[orgs["own"]] if named else [],
        )
    # A far-away restricted record that names an organisation called like ours must
    # still be invisible: names mean nothing, ids and municipalities do.
    return orgs, records


@pytest.mark.parametrize("role", list(EXPECTED))
def test_role_sees_and_edits_exactly_the_expected_records(world, role):
    orgs, records = world
    membership = MembershipFactory(organisation=orgs["own"], role=role)
    principal = Principal(user=membership.user, membership=membership)
    expected_visible, expected_editable = EXPECTED[role]

    visible = {n.title for n in Notice.objects.visible_to(principal)}
    editable = {n.title for n in Notice.objects.editable_by(principal)}
    assert visible == expected_visible
    assert editable == expected_editable

    for key, record in records.items():
        assert can_view(principal, record) is (key in expected_visible), key
        assert can_edit(principal, record) is (key in expected_editable), key


@pytest.mark.parametrize("role", list(EXPECTED))
def test_member_of_another_municipality_never_sees_ours(world, role):
    orgs, records = world
    membership = MembershipFactory(organisation=orgs["far"], role=role)
    principal = Principal(user=membership.user, membership=membership)

    visible = {n.title for n in Notice.objects.visible_to(principal)}
    assert visible == {"public-far", "partners-far", "restricted-far"}
    for key, record in records.items():
        if not key.endswith("-far"):
            assert not can_view(principal, record), key
            assert not can_edit(principal, record), key


def test_restricted_record_is_visible_to_named_organisation_whatever_the_role(world):
    orgs, records = world
    for role in EXPECTED:
        membership = MembershipFactory(organisation=orgs["own"], role=role)
        principal = Principal(user=membership.user, membership=membership)
        assert can_view(principal, records["restricted-other-naming-own"])


def test_anonymous_and_accounts_without_membership_see_nothing(world):
    lonely = UserFactory()
    for principal in (Principal.anonymous(), Principal.for_user(lonely)):
        assert not Notice.objects.visible_to(principal).exists()
        assert not Notice.objects.editable_by(principal).exists()
        assert not any(can_view(principal, r) for r in world[1].values())


def test_inactive_membership_or_organisation_grants_nothing(world):
    orgs, _records = world
    membership = MembershipFactory(organisation=orgs["own"], role=Role.COORDINATOR, is_active=False)
    assert Principal.for_user(membership.user).membership is None

    orgs["other"].is_active = False
    orgs["other"].save()
    m2 = MembershipFactory(organisation=orgs["other"], role=Role.COORDINATOR)
    assert Principal.for_user(m2.user).membership is None


def test_user_with_two_memberships_acts_for_the_chosen_organisation(world):
    orgs, _records = world
    user = UserFactory()
    MembershipFactory(user=user, organisation=orgs["own"], role=Role.FIELD_WORKER)
    MembershipFactory(user=user, organisation=orgs["other"], role=Role.READ_ONLY)

    as_field_worker = Principal.for_user(user, orgs["own"])
    as_reader = Principal.for_user(user, orgs["other"])
    assert as_field_worker.role == Role.FIELD_WORKER
    assert as_reader.role == Role.READ_ONLY
    assert "restricted-own" in {n.title for n in Notice.objects.visible_to(as_field_worker)}
    # Acting for the police, the same person does not see the field workers' restricted note.
    assert "restricted-own" not in {n.title for n in Notice.objects.visible_to(as_reader)}
    assert not Notice.objects.editable_by(as_reader).exists()
    # Not a member of the far municipality's organisation: no principal for it.
    assert Principal.for_user(user, orgs["far"]).membership is None

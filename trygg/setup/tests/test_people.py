"""People: an invitation by e-mail is a one-time link that expires; a person who leaves
loses access at once; an organisation's own administrator manages only its people; a
member of several organisations switches between them."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from trygg.core.models import AuditEntry, Membership, Notice, Organisation, OrganisationKind, Role
from trygg.core.permissions import Principal
from trygg.core.services import people
from trygg.core.tests.factories import MembershipFactory, MunicipalityFactory, OrganisationFactory

LINK = re.compile(r"http://\S+/konto/inbjudan/[\w-]+/")


@pytest.fixture
def town(db):
    municipality = MunicipalityFactory(code="0580", name="Linköping")
    own = OrganisationFactory(
        municipality=municipality,
        name="Linköpings kommun",
        kind=OrganisationKind.MUNICIPAL_DEPARTMENT,
    )
    housing = OrganisationFactory(
        municipality=municipality, name="Stångåstaden", kind=OrganisationKind.HOUSING
    )
    coordinator = MembershipFactory(organisation=own, role=Role.COORDINATOR)
    return municipality, own, housing, coordinator


def as_principal(membership):
    return Principal(user=membership.user, membership=membership)


def invite_link(outbox_message) -> str:
    return LINK.search(outbox_message.body).group(0)


def test_an_invitation_is_a_one_time_link_that_makes_a_member(
    town, client, django_capture_on_commit_callbacks
):
    _m, _own, housing, coordinator = town
    with django_capture_on_commit_callbacks(execute=True):
        people.invite(
            as_principal(coordinator), housing, "Anna.Berg@stangastaden.se", Role.ORGANISATION_ADMIN
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna.berg@stangastaden.se"]
    assert "Stångåstaden" in message.body
    path = urlsplit(invite_link(message)).path

    page = client.get(path)
    assert page.status_code == 200
    assert "Stångåstaden" in page.content.decode()
    response = client.post(path, {"password1": "Kvällssol-2026!", "password2": "Kvällssol-2026!"})
    assert response.status_code == 302
    user = get_user_model().objects.get(email="anna.berg@stangastaden.se")
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (housing, Role.ORGANISATION_ADMIN)
    # Logged in, acting for the organisation.
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(object_repr__contains="anna.berg@stangastaden.se").exists()

    # The same link again: refused, with the reason.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "redan använts" in again.content.decode()
    assert client.post(path, {"password1": "x", "password2": "x"}).status_code == 410
    assert Membership.objects.filter(user=user).count() == 1


def test_an_expired_or_withdrawn_invitation_is_refused(town, client):
    _m, _own, housing, coordinator = town
    sent = people.invite(as_principal(coordinator), housing, "bo@stangastaden.se", Role.MEMBER)
    token = sent.link.rstrip("/").rsplit("/", 1)[-1]
    sent.invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    sent.invitation.save()
    response = client.get(f"/konto/inbjudan/{token}/")
    assert response.status_code == 410
    assert "har gått ut" in response.content.decode()
    with pytest.raises(people.InvitationInvalid):
        people.accept_invitation(token, password="Kvällssol-2026!")

    # A new invitation withdraws the earlier one.
    first = people.invite(as_principal(coordinator), housing, "cy@stangastaden.se", Role.MEMBER)
    people.invite(as_principal(coordinator), housing, "cy@stangastaden.se", Role.MEMBER)
    with pytest.raises(people.InvitationInvalid, match="återkallats"):
        people.invitation_for(first.link.rstrip("/").rsplit("/", 1)[-1])
    assert (
        not get_user_model()
        .objects.filter(email__in=["bo@stangastaden.se", "cy@stangastaden.se"])
        .exists()
    )


def test_an_existing_account_joins_only_when_signed_in_as_itself(town):
    _m, own, housing, coordinator = town
    existing = MembershipFactory(organisation=own, role=Role.MEMBER)
    existing.user.email = "dan@linkoping.se"
    existing.user.save()
    sent = people.invite(as_principal(coordinator), housing, "dan@linkoping.se", Role.MEMBER)
    token = sent.link.rstrip("/").rsplit("/", 1)[-1]
    with pytest.raises(ValidationError, match="logga in först"):
        people.accept_invitation(token, password="Kvällssol-2026!")
    with pytest.raises(ValidationError, match="men inbjudan gäller"):
        people.accept_invitation(token, user=coordinator.user)
    membership = people.accept_invitation(token, user=existing.user)
    assert membership.organisation == housing
    # Now a member of two organisations: the principal acts for the one chosen.
    assert Principal.for_user(existing.user, housing).organisation == housing
    assert Principal.for_user(existing.user, own).organisation == own


def test_an_organisations_administrator_manages_only_its_own_people(town):
    _municipality, own, housing, _coordinator = town
    admin = MembershipFactory(organisation=housing, role=Role.ORGANISATION_ADMIN)
    principal = as_principal(admin)
    people.invite(principal, housing, "ny@stangastaden.se", Role.MEMBER)
    with pytest.raises(PermissionDenied):
        people.invite(principal, own, "ny@linkoping.se", Role.MEMBER)
    with pytest.raises(ValidationError, match="inte ge den här rollen"):
        people.invite(principal, housing, "chef@stangastaden.se", Role.COORDINATOR)
    colleague = MembershipFactory(organisation=housing, role=Role.MEMBER)
    people.change_role(principal, colleague, Role.FIELD_WORKER)
    colleague.refresh_from_db()
    assert colleague.role == Role.FIELD_WORKER
    other_town = OrganisationFactory(municipality=MunicipalityFactory(code="0581"), name="X")
    with pytest.raises(PermissionDenied):
        people.invite(principal, other_town, "a@b.se", Role.MEMBER)


def test_a_person_who_leaves_loses_access_at_once_and_their_work_stays(town, client):
    municipality, _own, housing, coordinator = town
    leaver = MembershipFactory(organisation=housing, role=Role.MEMBER)
    notice = Notice.objects.create(
        municipality=municipality, owner_organisation=housing, title="Trapphus", body="Lampa trasig"
    )
    client.force_login(leaver.user)
    assert client.get("/").status_code == 200

    with pytest.raises(ValidationError, match="inte inaktivera dig själv"):
        people.deactivate(as_principal(coordinator), coordinator)
    people.deactivate(as_principal(coordinator), leaver)
    leaver.refresh_from_db()
    leaver.user.refresh_from_db()
    assert not leaver.is_active and not leaver.user.is_active
    # The very next request: no longer logged in.
    response = client.get("/notices/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    notice.refresh_from_db()
    assert notice.owner_organisation == housing
    assert Organisation.objects.filter(pk=housing.pk).exists()


def test_old_invitations_and_forgotten_uploads_are_cleared_at_night(town, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trygg.core.models import Invitation
    from trygg.setup import services
    from trygg.setup.tasks import setup_housekeeping

    settings.MEDIA_ROOT = tmp_path
    municipality, _own, housing, coordinator = town
    old = people.invite(as_principal(coordinator), housing, "gammal@example.se", Role.MEMBER)
    fresh = people.invite(as_principal(coordinator), housing, "ny@example.se", Role.MEMBER)
    Invitation.objects.filter(pk=old.invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=60),
        expires_at=timezone.now() - dt.timedelta(days=53),
    )
    name = services.store_upload(municipality, SimpleUploadedFile("d.gpkg", b"x"))
    path = services.upload_path(municipality, name)
    stale = services.store_upload(municipality, SimpleUploadedFile("e.gpkg", b"y"))
    stale_path = services.upload_path(municipality, stale)
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    import os

    os.utime(stale_path, (two_days_ago, two_days_ago))
    result = setup_housekeeping.call()
    assert result == {"uploads_discarded": 1, "invitations_purged": 1}
    assert list(Invitation.objects.values_list("pk", flat=True)) == [fresh.invitation.pk]
    assert path.exists() and not stale_path.exists()


def test_an_organisations_shared_mailbox_hears_with_its_members(town):
    from trygg.cases.mailing import responsible_addresses

    _m, _own, housing, _coordinator = town
    caretaker = MembershipFactory(organisation=housing, role=Role.MEMBER)
    caretaker.user.email = "vicevard@stangastaden.se"
    caretaker.user.save()
    housing.contact_email = "Trygghet@Stangastaden.se"
    housing.save()
    assert responsible_addresses(housing) == [
        "trygghet@stangastaden.se",
        "vicevard@stangastaden.se",
    ]

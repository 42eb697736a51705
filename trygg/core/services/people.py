"""People: invitations by e-mail into an organisation with a role, role changes and
deactivation — by the coordinating function for every organisation (``manage_members``)
or by an organisation's own administrator for theirs (``manage_own_members``).

An invitation is a one-time link (only its hash is stored) that expires; whoever opens it
sets a password, or signs in through the municipality's single sign-on with the invited
address. A person who leaves is deactivated, never deleted: they lose access at once (an
account without an active membership sees nothing, and one without any is switched off),
and what they wrote stays with their organisation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trygg.core import audit
from trygg.core.models import ApiToken, Invitation, Membership, Organisation
from trygg.core.permissions import Principal
from trygg.core.roles import Permission, Role
from trygg.core.tenancy import absolute_url


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_manage_people_of(principal: Principal, organisation: Organisation) -> bool:
    if principal.municipality is None or organisation.municipality_id != principal.municipality.pk:
        return False
    if principal.has(Permission.MANAGE_MEMBERS):
        return True
    return principal.has(Permission.MANAGE_OWN_MEMBERS) and (
        principal.organisation is not None and organisation.pk == principal.organisation.pk
    )


def assignable_roles(principal: Principal, organisation: Organisation) -> list[Role]:
    """The roles ``principal`` may give in ``organisation``: the coordinating function any
    but administrator (an administrator any), an organisation's administrator the roles
    of a partner organisation."""
    if not can_manage_people_of(principal, organisation):
        return []
    if principal.has(Permission.MANAGE_MEMBERS):
        if principal.role == Role.ADMINISTRATOR:
            return list(Role)
        return [r for r in Role if r != Role.ADMINISTRATOR]
    return [Role.ORGANISATION_ADMIN, Role.MEMBER, Role.FIELD_WORKER, Role.READ_ONLY]


def _check(principal: Principal, organisation: Organisation, role: str | None = None) -> None:
    if not can_manage_people_of(principal, organisation):
        raise PermissionDenied("You may not manage the people of this organisation.")
    if role is not None and role not in assignable_roles(principal, organisation):
        raise ValidationError({"role": _("You cannot give this role.")})


@dataclass
class Sent:
    invitation: Invitation
    link: str


@transaction.atomic
def invite(principal: Principal, organisation: Organisation, email: str, role: str) -> Sent:
    """Invite ``email`` into ``organisation`` as ``role``; earlier unused invitations of
    the same address to the organisation are withdrawn. The e-mail goes out on commit."""
    _check(principal, organisation, role)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    if Membership.objects.filter(
        organisation=organisation, is_active=True, user__email__iexact=email
    ).exists():
        raise ValidationError({"email": _("This person is already a member of the organisation.")})
    return create_invitation(organisation, email, role, invited_by=principal.user)


@transaction.atomic
def create_invitation(
    organisation: Organisation, email: str, role: str, *, invited_by: Any = None
) -> Sent:
    """The invitation itself, for ``invite`` (which checks who may) and for
    ``manage.py create_municipality`` (the first coordinator)."""
    email = email.strip().lower()
    now = timezone.now()
    for earlier in Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ):
        earlier.revoked_at = now
        earlier.save(update_fields=["revoked_at"])
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    link = absolute_url(reverse("accept_invitation", args=[token]))
    transaction.on_commit(lambda: _send(invitation, link, invited_by))
    return Sent(invitation, link)


def _send(invitation: Invitation, link: str, inviter: Any) -> None:
    name = (
        (inviter.get_full_name() or inviter.email or inviter.get_username())
        if inviter is not None
        else _("The installation's administrator")
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "link": link,
            "inviter": name,
            "municipality": invitation.organisation.municipality,
            "oidc_provider": settings.OIDC_PROVIDER_NAME if settings.OIDC_ENABLED else "",
        }
        subject = _("Invitation to Trygg, %(municipality)s") % {
            "municipality": invitation.organisation.municipality.name
        }
        body = render_to_string("core/email/invitation.txt", context)
    EmailMessage(subject, body, to=[invitation.email]).send()


class InvitationInvalid(Exception):
    """The link cannot be used; the message says why (expired, used, withdrawn)."""


def invitation_for(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation__municipality")
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise InvitationInvalid(
            _("This invitation has already been used. Log in with the account it created.")
        )
    if invitation.revoked_at is not None:
        raise InvitationInvalid(_("This invitation has been withdrawn. Ask for a new one."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(
            _("This invitation has expired. Ask whoever invited you to send a new one.")
        )
    return invitation


def account_exists(email: str) -> bool:
    return (
        get_user_model()
        .objects.filter(models.Q(email__iexact=email) | models.Q(username__iexact=email))
        .exists()
    )


@transaction.atomic
def accept_invitation(token: str, *, password: str | None = None, user: Any = None) -> Membership:
    """Use the invitation: with ``password`` a new account for the invited address is made;
    with ``user`` (signed in, e.g. through single sign-on) that account joins, if its
    e-mail address is the invited one. Once only."""
    invitation = invitation_for(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_for(token)  # again, under the lock: two tabs cannot both use it
    User = get_user_model()
    if user is not None and user.is_authenticated:
        if (user.email or "").strip().lower() != invitation.email:
            raise ValidationError(
                _("You are logged in as %(user)s, but the invitation is for %(email)s.")
                % {"user": user.get_username(), "email": invitation.email}
            )
        account = user
    else:
        if User.objects.filter(
            models.Q(email__iexact=invitation.email) | models.Q(username__iexact=invitation.email)
        ).exists():
            raise ValidationError(
                _("An account with this e-mail address exists: log in first, then open the link.")
            )
        if not password:
            raise ValidationError({"password1": _("Choose a password.")})
        account = User(username=invitation.email, email=invitation.email)
        validate_password(password, account)
        account.set_password(password)
        account.save()
    if not account.is_active:
        account.is_active = True
        account.save(update_fields=["is_active"])
    membership, created = Membership.objects.get_or_create(
        user=account,
        organisation=invitation.organisation,
        defaults={"role": invitation.role, "is_active": True},
    )
    if not created and (not membership.is_active or membership.role != invitation.role):
        membership.is_active, membership.role = True, invitation.role
        membership.save(update_fields=["is_active", "role"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def withdraw_invitation(principal: Principal, invitation: Invitation) -> None:
    _check(principal, invitation.organisation)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def change_role(principal: Principal, membership: Membership, role: str) -> Membership:
    _check(principal, membership.organisation, role)
    if membership.role == Role.ADMINISTRATOR and principal.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only an administrator changes an administrator.")
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def deactivate(principal: Principal, membership: Membership) -> Membership:
    """The person loses access through this organisation at once; with no other active
    membership their account is switched off (logged out everywhere on their next
    request) and their API tokens revoked. What they wrote stays the organisation's."""
    _check(principal, membership.organisation)
    if principal.membership is not None and membership.pk == principal.membership.pk:
        raise ValidationError(_("You cannot deactivate yourself. Ask a colleague."))
    if membership.role == Role.ADMINISTRATOR and principal.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only an administrator deactivates an administrator.")
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
    audit.update(
        ApiToken.objects.filter(membership=membership, revoked_at__isnull=True),
        revoked_at=timezone.now(),
    )
    user = membership.user
    if user.is_active and not Membership.objects.filter(user=user, is_active=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    return membership


@transaction.atomic
def reactivate(principal: Principal, membership: Membership) -> Membership:
    _check(principal, membership.organisation, membership.role)
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    if not membership.user.is_active:
        membership.user.is_active = True
        membership.user.save(update_fields=["is_active"])
    return membership


def purge_invitations(now: dt.datetime | None = None, days: int = 30) -> int:
    """Invitations used, withdrawn or expired more than ``days`` ago: an invitation holds
    an e-mail address, kept no longer than it serves (the audit log keeps that it was
    sent and used). How many went."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=days)
    old = Invitation.objects.filter(
        models.Q(accepted_at__lt=limit)
        | models.Q(revoked_at__lt=limit)
        | models.Q(accepted_at__isnull=True, expires_at__lt=limit)
    )
    return int(old.delete()[0])

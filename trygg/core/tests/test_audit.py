"""The audit log: create/update/delete of domain records, reads of restricted data,
authentication events — and that it cannot be changed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from trygg.core import audit, services
from trygg.core.models import AuditAction, AuditEntry, Notice, Role, Sensitivity
from trygg.core.permissions import Principal
from trygg.core.tests.factories import (
    MembershipFactory,
    NoticeFactory,
    OrganisationFactory,
    UserFactory,
)


@pytest.fixture
def coordinator(db):
    membership = MembershipFactory(role=Role.COORDINATOR)
    return Principal(user=membership.user, membership=membership)


def entries_for(obj, action=None):
    qs = AuditEntry.objects.filter(object_id=str(obj.pk), object_repr=str(obj))
    return qs.filter(action=action) if action else qs


def test_create_update_delete_are_logged_with_actor_and_place(coordinator):
    with audit.acting(
        user=coordinator.user,
        organisation_id=coordinator.membership.organisation_id,
        ip_address="10.1.2.3",
        path="POST /notices/new/",
    ):
        notice = services.create_notice(
            coordinator,
            title="Nattvandring",
            body="Fredag kväll vid Bro centrum.",
            sensitivity=Sensitivity.PARTNERS,
        )
        created = entries_for(notice, AuditAction.CREATE).get()
        assert created.actor == coordinator.user
        assert created.actor_label == coordinator.user.username
        assert created.organisation_id == coordinator.membership.organisation_id
        assert created.municipality == coordinator.municipality
        assert created.ip_address == "10.1.2.3"
        assert created.path == "POST /notices/new/"
        assert created.changes["title"] == "Nattvandring"

        services.update_notice(coordinator, notice, title="Nattvandring i Bro")
        updated = AuditEntry.objects.filter(action=AuditAction.UPDATE).get()
        assert updated.changes == {"title": ["Nattvandring", "Nattvandring i Bro"]}

        pk = notice.pk
        services.delete_notice(coordinator, notice)
        deleted = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=str(pk))
        assert deleted.changes["title"] == "Nattvandring i Bro"  # what was deleted


def test_saving_without_changes_writes_nothing(coordinator):
    notice = NoticeFactory(owner_organisation=coordinator.organisation)
    count = AuditEntry.objects.count()
    notice.save()
    assert AuditEntry.objects.count() == count


def test_changing_who_may_read_a_restricted_record_is_logged(coordinator):
    notice = NoticeFactory(
        owner_organisation=coordinator.organisation, sensitivity=Sensitivity.RESTRICTED
    )
    police = OrganisationFactory(municipality=coordinator.municipality)
    notice.restricted_to.add(police)
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(notice.pk)).get()
    assert entry.changes == {"restricted_to": {"added": [police.pk]}}


def test_reads_of_restricted_records_are_logged_per_record(coordinator):
    org = coordinator.organisation
    restricted = NoticeFactory(owner_organisation=org, sensitivity=Sensitivity.RESTRICTED)
    NoticeFactory(owner_organisation=org, sensitivity=Sensitivity.PARTNERS)
    NoticeFactory(owner_organisation=org, sensitivity=Sensitivity.PUBLIC)

    with audit.acting(user=coordinator.user, ip_address="192.0.2.7", path="GET /notices/"):
        titles = [n.title for n in Notice.objects.visible_to(coordinator)]
    assert len(titles) == 3
    reads = AuditEntry.objects.filter(action=AuditAction.READ)
    assert reads.count() == 1
    read = reads.get()
    assert read.object_id == str(restricted.pk)
    assert read.actor == coordinator.user
    assert read.organisation_id == org.pk
    assert read.ip_address == "192.0.2.7"
    assert read.path == "GET /notices/"


def test_counting_is_not_reading(coordinator):
    NoticeFactory(owner_organisation=coordinator.organisation, sensitivity=Sensitivity.RESTRICTED)
    assert Notice.objects.visible_to(coordinator).count() == 1
    assert Notice.objects.visible_to(coordinator).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()


def test_a_single_get_of_a_restricted_record_is_logged(coordinator):
    notice = NoticeFactory(
        owner_organisation=coordinator.organisation, sensitivity=Sensitivity.RESTRICTED
    )
    Notice.objects.visible_to(coordinator).get(pk=notice.pk)
    assert AuditEntry.objects.filter(action=AuditAction.READ, object_id=str(notice.pk)).count() == 1


def test_iterator_cannot_bypass_the_read_log(coordinator):
    with pytest.raises(TypeError):
        list(Notice.objects.visible_to(coordinator).iterator())


def test_membership_and_user_changes_are_logged_without_password_hashes(db):
    user = UserFactory(username="ny")
    created = AuditEntry.objects.get(action=AuditAction.CREATE, object_repr="ny")
    assert created.changes["password"] == {"changed": True}
    user.set_password("another-long-password")
    user.save()
    updated = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_repr="ny").get()
    assert updated.changes == {"password": {"changed": True}}
    assert "pbkdf2" not in str(updated.changes) and "md5" not in str(updated.changes)

    membership = MembershipFactory(user=user, role=Role.MEMBER)
    membership.role = Role.COORDINATOR
    membership.save()
    entry = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_id=str(membership.pk), content_type__model="membership"
    ).get()
    assert entry.changes == {"role": ["member", "coordinator"]}


def test_login_logout_and_failed_login_are_logged(client, db):
    UserFactory(username="kalle", password="a-long-test-password")
    client.post("/accounts/login/", {"username": "kalle", "password": "wrong-password"})
    client.post("/accounts/login/", {"username": "kalle", "password": "a-long-test-password"})
    client.post("/accounts/logout/")
    actions = list(
        AuditEntry.objects.filter(actor_label="kalle")
        .exclude(action__in=[AuditAction.CREATE, AuditAction.UPDATE])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.LOGIN_FAILED, AuditAction.LOGIN, AuditAction.LOGOUT]
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.ip_address == "127.0.0.1"
    assert "wrong-password" not in str(failed.changes)


def test_the_log_is_append_only(coordinator):
    entry = audit.record_event(AuditAction.LOGIN, user=coordinator.user)
    entry.actor_label = "someone else"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AuditEntry.objects.all().delete()
    with pytest.raises(ValidationError):
        AuditEntry.objects.update(actor_label="x")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger on PostgreSQL")
def test_postgresql_refuses_changes_even_in_raw_sql(coordinator):
    entry = audit.record_event(AuditAction.LOGIN, user=coordinator.user)
    for sql in (
        "UPDATE core_auditentry SET actor_label = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    # Removing the account is allowed: the entry keeps who it was.
    username = coordinator.user.username
    coordinator.user.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_label == username

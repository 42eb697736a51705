"""The Django admin works for every core model (the system operator's tool)."""

import pytest
from django.contrib.auth import get_user_model

from trygg.core.models import AuditAction, AuditEntry, Notice, Sensitivity

pytestmark = pytest.mark.django_db

MODELS = ["municipality", "organisation", "membership", "area", "notice", "auditentry"]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_page(client, demo, model):
    client.force_login(get_user_model().objects.get(username="admin"))
    assert client.get(f"/admin/core/{model}/").status_code == 200


def test_audit_log_cannot_be_edited_in_the_admin(client, demo):
    client.force_login(get_user_model().objects.get(username="admin"))
    entry = AuditEntry.objects.first()
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403


def test_opening_a_restricted_notice_in_the_admin_is_audited(client, demo):
    client.force_login(get_user_model().objects.get(username="admin"))
    notice = Notice.objects.get(sensitivity=Sensitivity.RESTRICTED)
    assert client.get(f"/admin/core/notice/{notice.pk}/change/").status_code == 200
    read = AuditEntry.objects.get(action=AuditAction.READ, object_id=str(notice.pk))
    assert read.actor_label == "admin"

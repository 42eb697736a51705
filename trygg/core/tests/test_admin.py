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


def test_every_registered_model_has_working_admin_pages(client, demo):
    """The changelist and the add page of every model in the admin, across the apps
    (cases, walks, plan, weekly picture): the operator's configuration screens."""
    from django.contrib import admin

    client.force_login(get_user_model().objects.get(username="admin"))
    for model in admin.site._registry:
        meta = model._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/"
        assert client.get(url).status_code == 200, url
        add = client.get(url + "add/")
        assert add.status_code in (200, 403), url + "add/"

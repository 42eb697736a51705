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


def test_restricted_records_are_not_in_the_admin(client, demo):
    """The admin reads past the permission layer, so restricted rows are not in it: they
    are read in Trygg's pages by those they are restricted to, every read audited."""
    client.force_login(get_user_model().objects.get(username="admin"))
    notice = Notice.objects.get(sensitivity=Sensitivity.RESTRICTED)
    assert notice.title not in client.get("/admin/core/notice/").content.decode()
    assert client.get(f"/admin/core/notice/{notice.pk}/change/").status_code == 302  # not found
    assert not AuditEntry.objects.filter(action=AuditAction.READ).exists()


def test_every_sensitive_model_in_the_admin_leaves_restricted_rows_out():
    """A convention: every admin of a SensitiveRecord model is a SensitiveRecordAdmin."""
    from django.contrib import admin

    from trygg.core.admin import SensitiveRecordAdmin
    from trygg.core.models import SensitiveRecord

    sensitive = {m: a for m, a in admin.site._registry.items() if issubclass(m, SensitiveRecord)}
    assert len(sensitive) >= 9
    offenders = [
        m._meta.label for m, a in sensitive.items() if not isinstance(a, SensitiveRecordAdmin)
    ]
    assert not offenders, offenders


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

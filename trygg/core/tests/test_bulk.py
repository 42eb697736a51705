"""bulk.PreparedRows: rows converted outside the write transaction and sent inside it are
stored exactly as save() would store them, get ids that never collide with other writers'
(nor reuse a deleted row's), and are refused outside a transaction."""

import pytest
from django.db import transaction

from trygg.core.bulk import PreparedRows
from trygg.core.models import AuditEntry


def entry(n: int) -> AuditEntry:
    return AuditEntry(
        actor_label=f"bulk {n}", action="create", changes={"n": n, "text": "åäö", "list": [1, 2]}
    )


def test_rows_are_stored_as_save_would_store_them(db):
    saved = entry(0)
    saved.save()
    rows = PreparedRows(AuditEntry, [entry(1), entry(2), entry(3)])
    with transaction.atomic():
        ids = rows.insert(keep=[0, 2])
    assert len(ids) == 2 and min(ids) > saved.pk
    stored = {e.actor_label: e for e in AuditEntry.objects.filter(pk__in=ids)}
    assert set(stored) == {"bulk 1", "bulk 3"}
    assert stored["bulk 3"].changes == {"n": 3, "text": "åäö", "list": [1, 2]}
    assert stored["bulk 1"].at is not None  # auto_now_add, as save() sets it
    assert rows.objects[0].pk == stored["bulk 1"].pk and rows.objects[1].pk is None
    # A row saved afterwards gets the next id, no collision.
    after = entry(4)
    after.save()
    assert after.pk > max(ids)


@pytest.mark.django_db(transaction=True)
def test_the_rows_belong_inside_a_transaction():
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        PreparedRows(AuditEntry, [entry(1)]).insert()


@pytest.mark.django_db(transaction=True)
def test_a_deleted_rows_id_is_never_given_again():
    from trygg.core.models import Municipality

    a = Municipality.objects.create(name="A", code="9991")
    b = Municipality.objects.create(name="B", code="9992")
    last = b.pk
    Municipality.objects.filter(pk=b.pk).delete()
    with transaction.atomic():
        (new,) = PreparedRows(Municipality, [Municipality(name="C", code="9993")]).insert()
    assert new > last and new != a.pk

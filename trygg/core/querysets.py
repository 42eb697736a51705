"""QuerySets that carry the permission layer and the audit log's append-only rule."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query import ModelIterable

from trygg.core.roles import Sensitivity


class SensitiveQuerySet(models.QuerySet):
    """A queryset of ``SensitiveRecord`` rows that knows who is reading.

    ``visible_to(principal)`` filters by the permission rule and remembers the principal;
    when such a queryset is evaluated into model instances, every restricted row in the
    result is written to the audit log as a read. Aggregates (``count()``, ``exists()``)
    read no row's content and are not logged.
    """

    _reader = None

    def _clone(self):
        clone = super()._clone()
        clone._reader = self._reader
        return clone

    def visible_to(self, principal) -> SensitiveQuerySet:
        condition = principal.visibility_filter(self.model)
        qs = self.none() if condition is None else self.filter(condition)
        qs._reader = principal
        return qs

    def editable_by(self, principal) -> SensitiveQuerySet:
        condition = principal.edit_filter(self.model)
        qs = self.none() if condition is None else self.filter(condition)
        qs._reader = principal
        return qs

    def _fetch_all(self):
        first_fetch = self._result_cache is None
        super()._fetch_all()
        if first_fetch and self._reader is not None and self._iterable_class is ModelIterable:
            restricted = [
                obj for obj in self._result_cache if obj.sensitivity == Sensitivity.RESTRICTED
            ]
            if restricted:
                self._reader.record_reads(restricted)

    def iterator(self, chunk_size=None):
        if self._reader is not None:
            # iterator() bypasses the result cache and so the read audit: refuse rather
            # than let restricted rows be read unlogged.
            raise TypeError("Iterate a permission-filtered queryset directly, not .iterator()")
        return super().iterator(chunk_size=chunk_size)


class AuditEntryQuerySet(models.QuerySet):
    """The audit log is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise ValidationError("The audit log is append-only: entries cannot be changed.")

    def delete(self):
        raise ValidationError("The audit log is append-only: entries cannot be deleted.")

    update.queryset_only = True
    delete.queryset_only = True

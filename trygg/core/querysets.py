"""QuerySets that carry the permission layer and the audit log's append-only rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query import ModelIterable

from trygg.core.roles import Sensitivity

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db.models import Q

_M = TypeVar("_M", bound=models.Model)


class Reader(Protocol):
    """What the queryset needs of a principal (``core.permissions.Principal``; this module
    cannot import it: the models need these querysets, and permissions needs the models)."""

    def visibility_filter(self, model: Any) -> Q | None: ...

    def edit_filter(self, model: Any) -> Q | None: ...

    def record_reads(self, objects: Iterable[Any]) -> None: ...


class SensitiveQuerySet(models.QuerySet[_M]):
    """A queryset of ``SensitiveRecord`` rows that knows who is reading.

    ``visible_to(principal)`` filters by the permission rule and remembers the principal;
    when such a queryset is evaluated into model instances, every restricted row in the
    result is written to the audit log as a read. Aggregates (``count()``, ``exists()``)
    read no row's content and are not logged.
    """

    _reader: Reader | None = None

    def _clone(self) -> SensitiveQuerySet[_M]:
        clone: SensitiveQuerySet[_M] = super()._clone()  # type: ignore[misc]  # private in the stubs
        clone._reader = self._reader
        return clone

    def visible_to(self, principal: Reader) -> SensitiveQuerySet[_M]:
        condition = principal.visibility_filter(self.model)
        qs = self.none() if condition is None else self.filter(condition)
        qs._reader = principal
        return qs

    def editable_by(self, principal: Reader) -> SensitiveQuerySet[_M]:
        condition = principal.edit_filter(self.model)
        qs = self.none() if condition is None else self.filter(condition)
        qs._reader = principal
        return qs

    def _fetch_all(self) -> None:
        first_fetch = self._result_cache is None
        super()._fetch_all()
        if first_fetch and self._reader is not None and self._iterable_class is ModelIterable:
            rows: Iterable[Any] = self._result_cache or []
            restricted = [obj for obj in rows if obj.sensitivity == Sensitivity.RESTRICTED]
            if restricted:
                self._reader.record_reads(restricted)

    def iterator(self, chunk_size: int | None = None) -> Iterator[_M]:
        if self._reader is not None:
            # iterator() bypasses the result cache and so the read audit: refuse rather
            # than let restricted rows be read unlogged.
            raise TypeError("Iterate a permission-filtered queryset directly, not .iterator()")
        return super().iterator(chunk_size=chunk_size)


class AuditEntryQuerySet(models.QuerySet[_M]):
    """The audit log is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> int:
        raise ValidationError("The audit log is append-only: entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError("The audit log is append-only: entries cannot be deleted.")

    # Not copied onto the manager: there, too, the refusal is the queryset's.
    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]

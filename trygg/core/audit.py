"""The audit log: every create/update/delete of domain records and every read of
restricted data — who, when, what, from where (docs/privacy.md §5).

Writes are caught by model signals for every model registered with ``register()``, so
that changes made in the Django admin, in services and in importers are all logged.
The actor and the place ("from where": IP address and path, or the management command)
come from a context variable that the web middleware and the management commands set.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from trygg.core.models import AuditAction, AuditEntry, SensitiveRecord

if TYPE_CHECKING:
    from trygg.core.permissions import Principal

# A JSON value as the audit log stores it.
JSONValue = Any


def _account(user: object) -> User | None:
    """The signed-in account among the things the web layer calls a user (an
    ``AnonymousUser`` is none)."""
    return user if isinstance(user, User) and user.is_authenticated else None


@dataclass(frozen=True)
class AuditContext:
    user: object | None = None
    organisation_id: int | None = None
    municipality_id: int | None = None
    ip_address: str | None = None
    path: str = ""
    label: str = ""

    @property
    def actor_label(self) -> str:
        account = _account(self.user)
        if account is not None:
            return account.get_username()
        return self.label or "system"


_NOBODY = AuditContext()
_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "trygg_audit_context", default=None
)


def current_context() -> AuditContext:
    return _context.get() or _NOBODY


@contextlib.contextmanager
def acting(
    *,
    user: object | None = None,
    organisation_id: int | None = None,
    municipality_id: int | None = None,
    ip_address: str | None = None,
    path: str = "",
    label: str = "",
) -> Iterator[AuditContext]:
    """Run a block on behalf of an actor: ``with audit.acting(label="manage.py x"): ...``"""
    ctx = AuditContext(
        user=user,
        organisation_id=organisation_id,
        municipality_id=municipality_id,
        ip_address=ip_address,
        path=path[:300],
        label=label,
    )
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def set_context(**values: Any) -> None:
    """Replace the actor for the rest of the current request or task (e.g. once an API
    token has been authenticated). The surrounding ``acting()`` block restores it."""
    _context.set(AuditContext(**values))


# --- Registry ------------------------------------------------------------------------


@dataclass
class _Registration:
    exclude: frozenset[str] = field(default_factory=frozenset)
    masked: frozenset[str] = field(default_factory=frozenset)


_registry: dict[type[models.Model], _Registration] = {}


def register(
    model: type[models.Model], *, exclude: Iterable[str] = (), masked: Iterable[str] = ()
) -> None:
    """Audit every create/update/delete of ``model``. ``exclude``: fields whose changes
    are not worth a line (timestamps); ``masked``: fields logged as changed, never with
    their values (password hashes)."""
    _registry[model] = _Registration(exclude=frozenset(exclude), masked=frozenset(masked))
    uid = f"trygg-audit-{model._meta.label}"
    pre_save.connect(_remember_before, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_log_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_log_delete, sender=model, dispatch_uid=uid + "-delete")
    for m2m in model._meta.many_to_many:
        m2m_changed.connect(
            _log_m2m, sender=m2m.remote_field.through, dispatch_uid=f"{uid}-{m2m.name}"
        )


def is_registered(model: type[models.Model]) -> bool:
    return model in _registry


def jsonable(value: object) -> JSONValue:
    """A value as it goes into a JSON field (dates as ISO text)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _snapshot(instance: models.Model) -> dict[str, JSONValue]:
    reg = _registry[type(instance)]
    values: dict[str, JSONValue] = {}
    for f in instance._meta.concrete_fields:
        if f.name in reg.exclude:
            continue
        values[f.attname] = jsonable(f.value_from_object(instance))
    return values


def _remember_before(
    sender: type[models.Model], instance: Any, raw: bool = False, **kwargs: Any
) -> None:
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(old) if old is not None else None


def _diff(
    before: dict[str, JSONValue] | None, after: dict[str, JSONValue], masked: frozenset[str]
) -> dict[str, JSONValue]:
    changes: dict[str, JSONValue] = {}
    for key, new in after.items():
        old = None if before is None else before.get(key)
        if before is not None and old == new:
            continue
        if key in masked or key.removesuffix("_id") in masked:
            changes[key] = {"changed": True}
        elif before is None:
            changes[key] = new
        else:
            changes[key] = [old, new]
    return changes


def _municipality_of(instance: Any) -> int | None:
    if hasattr(instance, "municipality_id"):
        return int(instance.municipality_id) if instance.municipality_id is not None else None
    if hasattr(instance, "organisation") and getattr(instance, "organisation_id", None):
        return int(instance.organisation.municipality_id)
    return None


def _write(action: str, instance: models.Model | None, changes: dict[str, JSONValue]) -> AuditEntry:
    ctx = current_context()
    entry = AuditEntry(
        actor=_account(ctx.user),
        actor_label=ctx.actor_label[:200],
        organisation_id=ctx.organisation_id,
        municipality_id=ctx.municipality_id,
        action=action,
        changes=changes,
        ip_address=ctx.ip_address,
        path=ctx.path,
    )
    if instance is not None:
        entry.content_type = ContentType.objects.get_for_model(type(instance))
        entry.object_id = str(instance.pk)
        entry.object_repr = str(instance)[:300]
        entry.municipality_id = _municipality_of(instance) or ctx.municipality_id
    entry.save()
    return entry


def _log_save(
    sender: type[models.Model], instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    reg = _registry[sender]
    before = None if created else getattr(instance, "_audit_before", None)
    changes = _diff(before, _snapshot(instance), reg.masked)
    if not created and not changes:
        return  # a save that changed nothing is not a change
    _write(AuditAction.CREATE if created else AuditAction.UPDATE, instance, changes)


def _log_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    _write(AuditAction.DELETE, instance, _snapshot(instance))


def _log_m2m(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    model: type[models.Model],
    pk_set: set[int] | None,
    reverse: bool,
    **kwargs: Any,
) -> None:
    if reverse or action not in {"post_add", "post_remove", "post_clear"}:
        return
    if type(instance) not in _registry:
        return
    for m2m in instance._meta.many_to_many:
        if m2m.remote_field.through is sender:
            name = m2m.name
            break
    else:  # pragma: no cover - the signal is only connected for registered fields
        return
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    _write(
        AuditAction.UPDATE,
        instance,
        {name: {verb: sorted(pk_set) if pk_set else []}},
    )


# --- Bulk changes -----------------------------------------------------------------


def update(queryset: models.QuerySet[Any], **values: Any) -> int:
    """``queryset.update(**values)``, audited: the one way Trygg changes many rows at once.

    ``QuerySet.update()`` sends no signals, so on a registered model it would bypass the
    audit log; here each changed row gets its UPDATE entry (fields the registration
    excludes, such as timestamps, make no entry of their own). A convention check in the
    test suite refuses a bare ``.update(`` on a registered model anywhere else."""
    model = queryset.model
    reg = _registry.get(model)
    if reg is None:
        return queryset.update(**values)
    before = {obj.pk: _snapshot(obj) for obj in queryset}
    if not before:
        return 0
    count: int = model._base_manager.filter(pk__in=list(before)).update(**values)
    for obj in model._base_manager.filter(pk__in=list(before)):
        changes = _diff(before[obj.pk], _snapshot(obj), reg.masked)
        if changes:
            _write(AuditAction.UPDATE, obj, changes)
    return count


def record_bulk_created(
    model: type[models.Model], ids: Sequence[int], *, about: models.Model | None = None
) -> AuditEntry | None:
    """One CREATE entry for many rows stored at once (a partner's file of 15 000 reports):
    how many, which ids (as ranges), and — as its record — what brought them (the upload
    job), instead of 15 000 lines that would bury everything else in the log."""
    if not ids or model not in _registry:
        return None
    ranges: list[list[int]] = []
    for pk in sorted(ids):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    label = str(model._meta.verbose_name_plural)
    changes: dict[str, JSONValue] = {
        "created": len(ids),
        "model": model._meta.label_lower,
        "ids": ranges,
    }
    if about is not None:
        return _write(AuditAction.CREATE, about, changes)
    return _write(AuditAction.CREATE, None, {**changes, "record": label})


# --- Reads of restricted data -----------------------------------------------------


def record_reads(principal: Principal | None, objects: Iterable[models.Model]) -> None:
    """Log that ``principal`` read each of ``objects`` (restricted rows)."""
    ctx = current_context()
    objects = list(objects)
    if not objects:
        return
    user = _account(principal.user) if principal is not None else None
    membership = principal.membership if principal is not None else None
    content_type = ContentType.objects.get_for_model(type(objects[0]))
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=user,
                actor_label=(user.get_username() if user else ctx.actor_label)[:200],
                organisation_id=membership.organisation_id if membership else None,
                municipality_id=getattr(obj, "municipality_id", None),
                action=AuditAction.READ,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                changes={"sensitivity": getattr(obj, "sensitivity", "")},
                ip_address=ctx.ip_address,
                path=ctx.path,
            )
            for obj in objects
        ]
    )


def record_event(
    action: str,
    *,
    user: object | None = None,
    label: str = "",
    changes: dict[str, JSONValue] | None = None,
    municipality_id: int | None = None,
) -> AuditEntry:
    """Log an event that is not a change of a record (login, logout, failed login, an
    import of reference data for ``municipality_id``)."""
    ctx = current_context()
    account = _account(user)
    actor_label = account.get_username() if account is not None else label or ctx.actor_label
    entry = AuditEntry(
        actor=account,
        actor_label=actor_label[:200],
        organisation_id=ctx.organisation_id,
        municipality_id=municipality_id or ctx.municipality_id,
        action=action,
        changes=changes or {},
        ip_address=ctx.ip_address,
        path=ctx.path,
    )
    entry.save()
    return entry


# --- Showing the log ----------------------------------------------------------------


@dataclass(frozen=True)
class ShownEntry:
    """An audit entry as a reader of the log may see it: a record they may not read
    keeps its kind, id and which fields changed — never its text or values."""

    entry: AuditEntry
    record: str
    changes: dict[str, JSONValue] | list[str]
    withheld: bool


def for_reader(entries: Iterable[AuditEntry], principal: Principal) -> list[ShownEntry]:
    """``entries`` with what the principal may not read withheld: entries about records of
    a sensitive model that the principal cannot read now (restricted to others, or
    deleted)."""
    entries = list(entries)
    wanted: dict[type[models.Model], set[str]] = {}
    for e in entries:
        model = e.content_type.model_class() if e.content_type else None
        if model is not None and issubclass(model, SensitiveRecord):
            wanted.setdefault(model, set()).add(e.object_id)
    readable: dict[type[models.Model], set[str]] = {}
    for model, ids in wanted.items():
        numeric = [int(i) for i in ids if i.isdigit()]
        visible = model._default_manager.visible_to(principal)  # type: ignore[attr-defined]
        readable[model] = {
            str(pk) for pk in visible.filter(pk__in=numeric).values_list("pk", flat=True)
        }
    shown = []
    for e in entries:
        model = e.content_type.model_class() if e.content_type else None
        withheld = model in readable and e.object_id not in readable[model]
        shown.append(
            ShownEntry(
                entry=e,
                record="" if withheld else e.object_repr,
                changes=sorted(e.changes) if withheld else e.changes,
                withheld=withheld,
            )
        )
    return shown

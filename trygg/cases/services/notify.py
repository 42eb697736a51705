"""Cases: e-mail on commit to the responsible organisation and to residents (through the
task queue), and a switch to mute it (demo data, bulk corrections)."""

from __future__ import annotations

import contextlib
import contextvars

from django.db import transaction

from trygg.cases import tasks
from trygg.cases.mailing import (  # noqa: F401 - part of the services' interface
    erase_expired_emails,
    follower_addresses,
    overdue_by_organisation,
    responsible_addresses,
)
from trygg.cases.models import (
    Case,
    CaseUpdate,
)

# --- Notifications ------------------------------------------------------------------

_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("trygg_cases_muted", default=False)


@contextlib.contextmanager
def notifications_muted():
    """No e-mail for what happens inside (loading demo data, bulk corrections)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _after_commit_notify_responsible(case: Case) -> None:
    if _muted.get():
        return
    case_id = case.pk
    transaction.on_commit(lambda: tasks.notify_responsible.enqueue(case_id))


def _after_commit_confirm_report(case: Case) -> None:
    """The reporter's receipt, once the case is stored."""
    if _muted.get() or not case.reporter_email:
        return
    case_id = case.pk
    transaction.on_commit(lambda: tasks.confirm_report.enqueue(case_id))


def _after_commit_notify_reporters(case: Case, update: CaseUpdate) -> None:
    if _muted.get():
        return
    if not follower_addresses(case):
        return
    case_id, update_id = case.pk, update.pk
    transaction.on_commit(lambda: tasks.notify_reporters.enqueue(case_id, update_id))

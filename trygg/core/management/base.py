"""Shared plumbing for Trygg's management commands: the audit actor and progress bars."""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Callable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from trygg.core import audit
from trygg.core.importing import ImportRefused
from trygg.core.models import Municipality


class TryggCommand(BaseCommand):
    """A command whose writes are audited as made by ``manage.py <name>`` run by the
    operating-system user who ran it."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        self.verbosity = options.get("verbosity", 1)
        name = self.__class__.__module__.rsplit(".", 1)[-1]
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # pragma: no cover - no passwd entry
            who = "unknown"
        self.actor_label = f"{who} via manage.py {name}"
        with audit.acting(label=self.actor_label, path=f"manage.py {name}"):
            return super().execute(*args, **options)

    @contextlib.contextmanager
    def progress(self, total: int | None, desc: str) -> Iterator[Callable[[int], None]]:
        quiet = self.verbosity == 0
        with tqdm(total=total, desc=desc, unit="row", disable=quiet, file=self.stderr._out) as bar:
            yield bar.update

    def refused(self, name: str, exc: ImportRefused, shown: int = 200) -> CommandError:
        """Write a refused file's errors (row, field, reason) to stderr and return the
        CommandError that ends the command: "FILE: row 3, lat: …; nothing was imported."."""
        for error in exc.errors[:shown]:
            self.stderr.write(f"  {error}")
        if exc.count > min(len(exc.errors), shown):
            self.stderr.write(f"  … and {exc.count - min(len(exc.errors), shown)} more")
        what = str(exc.errors[0]) if exc.count == 1 else f"{exc.count} errors"
        return CommandError(f"{name}: {what}; nothing was imported.")

    def municipality(self, code: str | None) -> Municipality:
        if code:
            try:
                return Municipality.objects.get(code=code)
            except Municipality.DoesNotExist as exc:
                raise CommandError(f"No municipality with code {code!r}.") from exc
        municipalities = list(Municipality.objects.all()[:2])
        if len(municipalities) == 1:
            return municipalities[0]
        if not municipalities:
            raise CommandError("No municipality exists yet: run load_demo or create one first.")
        raise CommandError("Several municipalities exist: name one with --municipality CODE.")

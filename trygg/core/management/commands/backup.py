"""python manage.py backup PATH: the database (pg_dump's custom format on PostgreSQL, the
SQLite online backup API on SQLite) and the media files into the new folder PATH, with a
manifest of sizes and SHA-256 checksums. See trygg.core.backup and docs/deployment.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from trygg.core import backup
from trygg.core.management.base import TryggCommand


class Command(TryggCommand):
    help = "Back up the database and the media files into a new folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a new (or empty) folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.backup(options["path"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = sum(f["bytes"] for f in manifest.files.values())
        self.stdout.write(
            f"Backup of the {manifest.vendor} database and {len(manifest.files) - 1} media "
            f"file(s) in {options['path']} ({size / 1e6:.1f} MB), checksums in "
            f"{backup.MANIFEST}."
        )

"""python manage.py restore PATH [--noinput]: replace the database's content and the media
folder with a backup made by ``manage.py backup``. Every checksum is checked first; it asks
before overwriting unless --noinput. Stop the web server and the worker while it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import connections

from trygg.core import backup
from trygg.core.management.base import TryggCommand


class Command(TryggCommand):
    help = "Restore the database and the media files from a backup folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a folder made by manage.py backup")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="do not ask before overwriting",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["path"]
        try:
            manifest = backup.read_manifest(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        name = connections["default"].settings_dict["NAME"]
        if options["interactive"]:
            answer = input(
                f"This replaces everything in the database {name} and the media folder with "
                f"the backup of {manifest.created_at}.\nType 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            backup.restore(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the backup of {manifest.created_at} into {name}. Run "
            "'python manage.py migrate' if this version has newer migrations."
        )

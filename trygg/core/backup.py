"""Backup and restore of a whole installation: the database and the media files (photos,
generated documents), in one folder with a manifest of checksums.

A backup folder holds

* ``database.dump`` — PostgreSQL: ``pg_dump`` in its custom format; or
  ``database.sqlite3`` — SQLite: a consistent copy made with SQLite's online backup API
  (the app may keep running while it is made);
* ``media/`` — a copy of ``MEDIA_ROOT``;
* ``manifest.json`` — when, from which database, the applied migrations, and the size and
  SHA-256 of every file in the folder.

``restore`` checks every checksum before it touches anything, then replaces the database's
content and the media folder with the backup's. For production PostgreSQL, nightly backups
like these complement continuous archiving (point-in-time recovery), described in
``docs/deployment.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    vendor: str
    database_file: str
    migrations: dict[str, str]
    files: dict[str, dict[str, Any]]

    def as_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "created_at": self.created_at,
                "vendor": self.vendor,
                "database_file": self.database_file,
                "migrations": self.migrations,
                "files": self.files,
            },
            indent=2,
            sort_keys=True,
        )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tool(name: str) -> str:
    """A PostgreSQL client program: from PG_BIN_DIR, else the newest installed server's
    bin folder, else the PATH (its major version must be at least the server's)."""
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client)")


def _pg_args(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    db = connections[alias].settings_dict
    args = ["--dbname", db["NAME"], "--username", db["USER"] or "postgres"]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _applied_migrations() -> dict[str, str]:
    """The last applied migration of each app."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections["default"]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _copy_tree(source: Path, target: Path) -> None:
    if source.exists():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        target.mkdir(parents=True)


def backup(folder: Path) -> Manifest:
    """Write a backup of the database and the media files into ``folder`` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: choose a new folder for the backup")
    folder.mkdir(parents=True, exist_ok=True)
    connection = connections["default"]
    vendor = connection.vendor
    if vendor == "postgresql":
        database_file = "database.dump"
        args, env = _pg_args()
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file",
             str(folder / database_file), *args],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    elif vendor == "sqlite":
        database_file = "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(folder / database_file)
        try:
            connection.connection.backup(target)  # consistent even while others write
        finally:
            target.close()
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")
    _copy_tree(_media_root(), folder / "media")
    files = {
        str(path.relative_to(folder)): {"bytes": path.stat().st_size, "sha256": sha256(path)}
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    manifest = Manifest(
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        vendor=vendor,
        database_file=database_file,
        migrations=_applied_migrations(),
        files=files,
    )
    (folder / MANIFEST).write_text(manifest.as_json(), encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> Manifest:
    """The backup's manifest, after checking that every file it lists is there, unchanged,
    and that no file was added."""
    folder = Path(folder)
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} has no readable {MANIFEST}: not a Trygg backup") from exc
    if data.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {data.get('format')!r}")
    problems = []
    for name, facts in data["files"].items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != facts["bytes"] or sha256(path) != facts["sha256"]:
            problems.append(f"{name}: changed since the backup (checksum differs)")
    present = {
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST
    }
    problems += [f"{name}: not in the manifest" for name in sorted(present - set(data["files"]))]
    if problems:
        raise BackupError("the backup is damaged: " + "; ".join(problems[:20]))
    return Manifest(
        created_at=data["created_at"],
        vendor=data["vendor"],
        database_file=data["database_file"],
        migrations=data["migrations"],
        files=data["files"],
    )


def restore(folder: Path) -> Manifest:
    """Replace the database's content and the media folder with the backup in ``folder``."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    connection = connections["default"]
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"the backup is of a {manifest.vendor} database; this installation uses "
            f"{connection.vendor}"
        )
    source = folder / manifest.database_file
    if connection.vendor == "postgresql":
        connection.close()
        args, env = _pg_args()
        psql = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [_tool("psql"), "--quiet", "--no-psqlrc", "--set", "ON_ERROR_STOP=1", *args,
             "--command", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if psql.returncode != 0:
            raise BackupError(f"emptying the database failed: {psql.stderr.strip()}")
        done = subprocess.run(  # noqa: S603
            [_tool("pg_restore"), "--no-owner", "--single-transaction", "--exit-on-error",
             *args, str(source)],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    else:
        connection.ensure_connection()
        backup_db = sqlite3.connect(source)
        try:
            backup_db.backup(connection.connection)
        finally:
            backup_db.close()
    _replace_media(folder / "media")
    return manifest


def _replace_media(source: Path) -> None:
    """The media folder becomes the backup's: copied beside it first, then swapped in."""
    media = _media_root()
    staging = media.with_name(media.name + ".restoring")
    old = media.with_name(media.name + ".before-restore")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    _copy_tree(source, staging)
    if media.exists():
        media.rename(old)
    staging.rename(media)
    shutil.rmtree(old, ignore_errors=True)

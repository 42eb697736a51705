"""manage.py backup and restore: a round trip of the demo gives back every table's rows and
every media file, byte for byte; a damaged backup is refused before anything is touched; the
restore asks before it overwrites."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from trygg.core.models import Organisation
from trygg.est.models import Observation


def every_table() -> dict[str, list[tuple]]:
    """Every row of every table Django knows (models and many-to-many tables), in key order."""
    tables: dict[str, list[tuple]] = {}
    names = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table not in names or table in tables:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = cursor.fetchall()
        tables[table] = sorted(rows, key=repr)
    return tables


def media_files() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def demo_with_media(db):
    from trygg.cases import demo as cases_demo
    from trygg.core import demo as core_demo
    from trygg.est import demo as est_demo

    core_demo.load()
    est_demo.load()
    cases_demo.load()
    root = Path(settings.MEDIA_ROOT)
    (root / "photos" / "2026").mkdir(parents=True, exist_ok=True)
    (root / "photos" / "2026" / "case-1.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    (root / "documents").mkdir(exist_ok=True)
    (root / "documents" / "lagesbild.pdf").write_bytes(b"%PDF-1.7 demo")


@pytest.mark.django_db(transaction=True)
def test_a_backup_round_trips_every_row_and_every_file(demo_with_media, tmp_path):
    before_rows, before_media = every_table(), media_files()
    assert sum(len(rows) for rows in before_rows.values()) > 500 and len(before_media) >= 2
    call_command("backup", str(tmp_path / "b"), verbosity=0)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor and "core" in manifest["migrations"]
    assert "media/documents/lagesbild.pdf" in manifest["files"]

    # Then things change: rows added and removed, a file changed, one deleted, one added.
    Organisation.objects.filter(name__startswith="Polisen").update(name="Ändrad")
    Observation.objects.filter(
        pk__in=list(Observation.objects.values_list("pk", flat=True)[:5])
    ).delete()
    root = Path(settings.MEDIA_ROOT)
    (root / "documents" / "lagesbild.pdf").write_bytes(b"changed")
    (root / "photos" / "2026" / "case-1.jpg").unlink()
    (root / "new.txt").write_text("after the backup")
    assert every_table() != before_rows

    call_command("restore", str(tmp_path / "b"), "--noinput", verbosity=0)
    connection.close()
    assert every_table() == before_rows
    assert media_files() == before_media


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_nothing_changes(demo_with_media, tmp_path):
    call_command("backup", str(tmp_path / "b"), verbosity=0)
    before = every_table()
    (tmp_path / "b" / "media" / "documents" / "lagesbild.pdf").write_bytes(b"tampered")
    with pytest.raises(CommandError, match=r"lagesbild\.pdf: changed since the backup"):
        call_command("restore", str(tmp_path / "b"), "--noinput", verbosity=0)
    (tmp_path / "b" / "manifest.json").unlink()
    with pytest.raises(CommandError, match="not a Trygg backup"):
        call_command("restore", str(tmp_path / "b"), "--noinput", verbosity=0)
    assert every_table() == before
    # A backup never overwrites an earlier one.
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "b"), verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_restore_asks_before_it_overwrites(demo_with_media, tmp_path, monkeypatch):
    call_command("backup", str(tmp_path / "b"), verbosity=0)
    Organisation.objects.filter(name__startswith="Polisen").update(name="Ändrad")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(tmp_path / "b"), verbosity=0)
    assert Organisation.objects.filter(name="Ändrad").exists()

"""A large log is read as a stream (issue #17): checked row by row, the checked rows kept
on disk and written a chunk at a time inside one transaction. These tests shrink the
chunks to a few rows so that every boundary is crossed: results must be exactly those of
reading the file at once. Memory itself is measured by ``benchmarks/ingest.py``."""

import datetime as dt

import pytest
from django.core.management import CommandError

from trygg.incidents import services
from trygg.incidents.importers import base, tabular
from trygg.incidents.models import DailyCount, ImportJob, Incident, IncidentRevision

HEADER = "id;datum;typ;område;beskrivning;x;y\n"


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(tabular, "CHUNK", 3)
    monkeypatch.setattr(services, "BATCH", 4)


def log_rows(n, *, changed=(), start=1):
    """n rows, half placed by SWEREF 99 TM coordinates, half by area name."""
    lines = []
    for i in range(start, start + n):
        day = dt.date(2026, 3, 1) + dt.timedelta(days=i % 20)
        kind = "Brand" if i in changed else "Klotter"
        if i % 2:
            lines.append(f"R{i};{day};{kind};;Rad {i};{647900 + i};{6597300 + i}")
        else:
            lines.append(f"R{i};{day};{kind};Bro;Rad {i};;")
    return HEADER + "\n".join(lines) + "\n"


def run_import(run_command, path):
    return run_command("import_incidents", path, "--source", "upplands-brohus")


def test_chunked_import_equals_the_whole_file_and_a_rerun_writes_nothing(
    housing, write_file, run_command, small_chunks
):
    out, _ = run_import(run_command, write_file(log_rows(23), "log.csv"))
    assert "23 created, 0 updated, 0 unchanged" in out
    stored = {i.source_ref: i for i in Incident.objects.all()}
    assert len(stored) == 23
    for i in (1, 3, 23):  # SWEREF rows on either side of chunk boundaries, converted
        incident = stored[f"R{i}"]
        assert 59.4 < incident.lat < 59.6 and 17.6 < incident.lon < 17.8
        assert incident.cell_e == (647900 + i) // 250
    assert stored["R2"].lat is None and stored["R2"].area.name == "Bro"
    assert sum(DailyCount.objects.values_list("count", flat=True)) == 23

    out, _ = run_import(run_command, write_file(log_rows(23), "again.csv"))
    assert "0 created, 0 updated, 23 unchanged" in out

    # Two changed rows in different chunks, and three new ones at the end.
    out, _ = run_import(run_command, write_file(log_rows(26, changed={2, 17}), "more.csv"))
    assert "3 created, 2 updated, 21 unchanged" in out
    assert IncidentRevision.objects.count() == 2
    assert Incident.objects.get(source_ref="R17").category == "fire"


def test_an_error_in_the_last_chunk_leaves_nothing_written(
    housing, write_file, run_command, small_chunks
):
    content = log_rows(20) + "R99;igår;Klotter;Bro;;;\n"
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(run_command, write_file(content, "bad.csv"))
    job = ImportJob.objects.latest("id")
    assert [(e["row"], e["field"]) for e in job.errors] == [(22, "date")]
    assert not Incident.objects.exists() and not DailyCount.objects.exists()


def test_a_repeated_id_is_named_with_both_rows_whatever_their_distance(
    housing, write_file, run_command, small_chunks
):
    content = log_rows(12) + "R4;2026-03-02;Klotter;Bro;;;\n" + log_rows(5, start=40)[len(HEADER) :]
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(run_command, write_file(content, "dup.csv"))
    errors = ImportJob.objects.latest("id").errors
    assert errors == [
        {"row": 14, "field": "ref", "message": "id 'R4' occurs twice in the file (also row 5)"}
    ]


def test_ids_whose_hashes_collide_are_not_called_repeats(
    housing, write_file, run_command, monkeypatch
):
    # Every id hashed alike: each row is a suspect, and reading them again clears them.
    monkeypatch.setattr(tabular, "hash", lambda ref: 42, raising=False)
    out, _ = run_import(run_command, write_file(log_rows(7), "log.csv"))
    assert "7 created" in out
    content = log_rows(7) + "R3;2026-03-02;Klotter;Bro;;;\n"
    with pytest.raises(CommandError):
        run_import(run_command, write_file(content, "dup.csv"))
    assert [e["row"] for e in ImportJob.objects.latest("id").errors] == [9]


def test_a_file_of_many_bad_rows_counts_them_all_and_keeps_the_first(
    housing, write_file, run_command
):
    lines = [f"R{i};igår;Klotter;Bro;;;" for i in range(base.MAX_ISSUES_KEPT + 150)]
    with pytest.raises(CommandError, match=f"{base.MAX_ISSUES_KEPT + 150} errors"):
        run_import(run_command, write_file(HEADER + "\n".join(lines) + "\n", "bad.csv"))
    job = ImportJob.objects.latest("id")
    assert job.error_count == base.MAX_ISSUES_KEPT + 150
    assert len(job.errors) == base.MAX_ISSUES_KEPT and job.errors[0]["row"] == 2


def test_a_byte_of_another_encoding_deep_in_the_file_is_named_by_its_line(
    housing, write_file, run_command
):
    content = log_rows(30).encode() + "R77;2026-03-02;Skadegörelse;Bro;;;\n".encode("cp1252")
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(run_command, write_file(content, "mixed.csv"))
    message = ImportJob.objects.latest("id").errors[0]["message"]
    assert "not utf-8 text (line 32)" in message and "--encoding cp1252" in message
    assert not Incident.objects.exists()


def test_the_checked_rows_live_in_a_temporary_file_removed_once_written(
    housing, write_file, run_command, monkeypatch
):
    spills = []
    original = base.RowSpill.__init__

    def remember(self):
        original(self)
        spills.append(self)

    monkeypatch.setattr(base.RowSpill, "__init__", remember)
    run_import(run_command, write_file(log_rows(9), "log.csv"))
    (spill,) = spills
    assert spill.count == 9 and spill._file is None  # read to the end, closed, deleted

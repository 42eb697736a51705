"""A worker killed in the middle of a job (#17 item 12): the supervisor (manage.py
run_worker) starts a new worker and queues the job again; the job completes exactly once —
an import stores each row once, a lägesbild document is made once — with two attempts on
record. The test holds a lock on the tables the job reads, so the kill lands mid-job on a
machine of any speed. Real processes on a PostgreSQL database of its own (run in make
test's PostgreSQL pass; the supervisor's part does not depend on the database)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.support.live import REQUEST_DOCUMENT, LiveSite, on_postgresql

pytestmark = pytest.mark.skipif(not on_postgresql(), reason="run in the PostgreSQL pass")

ROWS = 40_000

SETUP = """
import json
from trygg.core import demo
from trygg.incidents import demo as incidents_demo
from trygg.incidents.models import Source
from trygg.core.models import Organisation
municipality = demo.load()
incidents_demo.load()
Source.objects.create(municipality=municipality, slug="logg", name="Bostadsbolagets logg",
                      kind="partner_log",
                      owner_organisation=Organisation.objects.get(name="Upplands-Brohus"))
print(json.dumps({"municipality": municipality.pk}))
"""

START_IMPORT = """
from trygg.core.models import Municipality
from trygg.incidents.services import start_import
from trygg.incidents.tasks import run_import
job = start_import(Municipality.objects.get(code="0139"), "incidents", file_name="logg.csv",
                   label="test", options={"path": PATH, "source": "logg"})
run_import.enqueue(job.pk)
print(job.pk)
"""


def incident_log(path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id;datum;tid;typ;område;beskrivning\n")
        for k in range(rows):
            fh.write(
                f"L{k};2025-{1 + k % 12:02d}-{1 + k % 28:02d};21:10;Skadegörelse;Bro;Rond {k}\n"
            )


def kill_worker_when_running(site: LiveSite, table: str, pk: int) -> None:
    """SIGKILL the worker as soon as the job is running (no chance to clean up)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        (status,) = site.sql(f"SELECT status FROM {table} WHERE id = %s", (pk,))[0]  # noqa: S608
        if status == "running":
            time.sleep(0.3)  # well inside the work
            children = site.worker_children()
            assert children, site.log_text("worker")
            for pid in children:
                os.kill(pid, signal.SIGKILL)
            return
        assert status == "queued", (status, site.log_text("worker"))
        time.sleep(0.05)
    raise AssertionError("the job never started:\n" + site.log_text("worker"))


def wait_finished(site: LiveSite, table: str, pk: int) -> tuple:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        row = site.sql(f"SELECT status, attempts, message FROM {table} WHERE id = %s", (pk,))[0]  # noqa: S608
        if row[0] in ("done", "failed"):
            return row
        time.sleep(0.5)
    raise AssertionError("the job never finished:\n" + site.log_text("worker"))


def test_a_worker_killed_mid_import_and_mid_document_does_each_once(tmp_path):
    log = tmp_path / "logg.csv"
    incident_log(log, ROWS)
    with LiveSite(tmp_path / "site", setup=SETUP) as site:
        before = site.sql("SELECT COUNT(*) FROM incidents_incident")[0][0]
        with site.tables_locked("incidents_incident"):  # the import stops before writing
            job = int(
                site.manage("shell", code=f"PATH = {str(log)!r}\n" + START_IMPORT).split()[-1]
            )
            kill_worker_when_running(site, "incidents_importjob", job)
        status, attempts, message = wait_finished(site, "incidents_importjob", job)
        assert (status, attempts) == ("done", 2), (message, site.log_text("worker"))
        after = site.sql("SELECT COUNT(*) FROM incidents_incident")[0][0]
        assert after - before == ROWS  # every row once
        refs = site.sql(
            "SELECT COUNT(DISTINCT source_ref) FROM incidents_incident i "
            "JOIN incidents_source s ON s.id = i.source_id WHERE s.slug = 'logg'"
        )[0][0]
        assert refs == ROWS

        with site.tables_locked("incidents_incident", "incidents_dailycount"):
            doc = int(site.manage("shell", code=REQUEST_DOCUMENT).split()[-1])
            kill_worker_when_running(site, "assessment_lagesbilddocument", doc)
        status, attempts, message = wait_finished(site, "assessment_lagesbilddocument", doc)
        assert (status, attempts) == ("done", 2), (message, site.log_text("worker"))
        (pdf,) = site.sql("SELECT pdf FROM assessment_lagesbilddocument WHERE id = %s", (doc,))[0]
        assert pdf and (tmp_path / "site" / "media" / pdf).read_bytes().startswith(b"%PDF")
        assert site.sql("SELECT COUNT(*) FROM assessment_lagesbilddocument")[0][0] == 1
        worker_log = site.log_text("worker")
    assert worker_log.count("started (process") >= 3  # the first worker, and one per kill
    assert "was running when worker" in worker_log

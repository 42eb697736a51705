"""PostgreSQL run as large installations run it (#20): real processes on a database of
their own — two app servers (gunicorn) behind two addresses, three supervised task
workers, every connection through PgBouncer in transaction mode, and a streaming replica
(started by make test with ``pg_basebackup -R``) serving the read-only requests.

* Reads reach the replica (its ``pg_stat_activity`` shows the app's replica connection);
  a client that has just written reads from the primary and sees its write.
* PgBouncer carries the app's transactions (its own statistics count them), with no
  server-side cursors and no prepared statements.
* Log in on one server and carry on on the other; a photo uploaded on one is read on the
  other (shared media); the login throttle counts failures across both.
* Three workers run every job exactly once; a worker killed with its supervisor leaves its
  job to another worker once the lease runs out — done once, with two attempts on record.

Run in make test's PostgreSQL pass, which provides the replica and PgBouncer.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import subprocess
import time
import urllib.parse

import psycopg
import pytest

from tests.support.live import PYTHON, ROOT, Browser, LiveSite, on_postgresql

REPLICA = os.environ.get("TRYGG_TEST_REPLICA_URL", "")
POOLER = os.environ.get("TRYGG_TEST_PGBOUNCER_URL", "")

pytestmark = pytest.mark.skipif(not on_postgresql(), reason="run in the PostgreSQL pass")

SETUP = """
import json
from trygg.core import demo
from trygg.incidents import demo as incidents_demo
from trygg.est import demo as est_demo
from trygg.cases import demo as cases_demo
from trygg.cases.models import CaseCategory
from trygg.core.models import Membership, Organisation
from trygg.core.tokens import create_token
from trygg.incidents.models import Source
municipality = demo.load(addresses=False)
incidents_demo.load()
est_demo.load()
cases_demo.load()
Source.objects.create(municipality=municipality, slug="logg", name="Bostadsbolagets logg",
                      kind="partner_log",
                      owner_organisation=Organisation.objects.get(name="Upplands-Brohus"))
_t, token = create_token(Membership.objects.get(user__username="polis"), "scale")
category = CaseCategory.objects.filter(municipality=municipality).first().pk
print(json.dumps({"token": token, "category": category}))
"""

START_IMPORTS = """
import json
from trygg.core.models import Municipality
from trygg.incidents.services import start_import
from trygg.incidents.tasks import run_import
ids = []
for path in PATHS:
    job = start_import(Municipality.objects.get(code="0139"), "incidents", file_name="logg.csv",
                       label="scale", options={"path": path, "source": "logg"})
    run_import.enqueue(job.pk)
    ids.append(job.pk)
print(json.dumps(ids, separators=(",", ":")))
"""


def _need_servers() -> None:
    if not (REPLICA and POOLER):
        pytest.fail(
            "make test starts a streaming replica and PgBouncer and names them in "
            "TRYGG_TEST_REPLICA_URL and TRYGG_TEST_PGBOUNCER_URL"
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _need_servers()
    folder = tmp_path_factory.mktemp("scale")
    with LiveSite(
        folder,
        setup=SETUP,
        servers=2,
        task_workers=3,
        pooler_url=POOLER,
        replica_urls=(REPLICA,),
        env={
            "READ_YOUR_WRITES_SECONDS": "2",
            # Short leases, looked for often: the killed worker's job is taken over soon.
            "JOB_LEASE_MINUTES": "0.2",
            "JOB_RECLAIM_SECONDS": "2",
            "LOGIN_FAILURE_LIMIT": "3",
            "PASSWORD_RESETS_PER_HOUR": "2",
        },
    ) as running:
        yield running


def _database(site: LiveSite) -> str:
    return urllib.parse.urlsplit(site.env["DATABASE_URL"]).path.lstrip("/")


def _replica_connections(site: LiveSite) -> int:
    with psycopg.connect(site.env["DATABASE_REPLICA_URLS"], autocommit=True) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (_database(site), "trygg (replica_0)"),
        ).fetchone()[0]


def test_reads_reach_the_replica_and_a_writer_reads_its_own_write(site):
    browser = Browser(site.bases[0])
    assert browser.login("samordnare") == 302
    assert _replica_connections(site) == 0
    # Just logged in (a write): the lägesbild is read from the primary.
    status, _html, _h = browser.request("GET", "/lagesbild/")
    assert status == 200
    assert _replica_connections(site) == 0
    time.sleep(2.5)  # READ_YOUR_WRITES_SECONDS later
    status, html, _h = browser.request("GET", "/lagesbild/")
    assert status == 200 and b"<h1" in html
    assert _replica_connections(site) >= 1

    # Write, then read at once: the writer reads from the primary and sees its write.
    api = Browser(site.bases[1])
    auth = {"Authorization": f"Bearer {site.info['token']}", "Content-Type": "application/json"}
    ref = f"scale-{time.time_ns()}"
    body = json.dumps(
        {
            "category": "krossat",
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
            "lat": 59.508,
            "lon": 17.636,
            "description": "Krossad ruta vid porten",
            "ref": ref,
        }
    ).encode()
    status, answer, _h = api.request("POST", "/api/v1/observations", body, auth)
    assert status in (200, 201), answer
    status, listing, _h = api.request("GET", "/api/v1/observations", None, auth)
    assert status == 200 and ref in listing.decode()
    # Later, from the replica, the same.
    time.sleep(2.5)
    status, listing, _h = api.request("GET", "/api/v1/observations", None, auth)
    assert status == 200 and ref in listing.decode()


def test_pgbouncer_carries_the_apps_transactions(site):
    with psycopg.connect(
        urllib.parse.urlunsplit(urllib.parse.urlsplit(POOLER)._replace(path="/pgbouncer")),
        autocommit=True,
        prepare_threshold=None,
    ) as admin:
        cursor = admin.execute("SHOW STATS")
        names = [c.name for c in cursor.description]
        stats = {row[names.index("database")]: dict(zip(names, row, strict=True)) for row in cursor}
        pools = admin.execute("SHOW CONFIG").fetchall()
    assert stats[_database(site)]["total_xact_count"] > 100
    assert ("pool_mode", "transaction") in {(row[0], row[1]) for row in pools}
    # A streamed export (iterator() without server-side cursors through the pooler).
    browser = Browser(site.bases[0])
    assert browser.login("samordnare") == 302
    status, csv, _h = browser.request("GET", "/lagesbild/export.csv")
    assert status == 200 and csv.count(b"\n") > 10


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def test_two_app_servers_share_sessions_media_and_the_login_throttle(site):
    browser = Browser(site.bases[0])
    assert browser.login("samordnare") == 302
    # The same session on the other server.
    browser.base = site.bases[1]
    status, _html, _h = browser.request("GET", "/cases/")
    assert status == 200
    # A photo uploaded on server 2, read on server 1.
    token = browser.csrf("/cases/new/")
    status, _body, _headers = browser.post_file(
        "/cases/new/",
        "photo",
        "ruta.jpg",
        _jpeg(),
        {
            "csrfmiddlewaretoken": token,
            "category": str(site.info["category"]),
            "lat": "59.508",
            "lon": "17.636",
            "address": "Bro centrum",
            "description": "Krossad ruta i busskuren",
            "sensitivity": "partners",
            "create_anyway": "on",
        },
    )
    assert status == 302, _body[:2000]
    case_id, photo_id = site.sql(
        "SELECT case_id, id FROM cases_casephoto ORDER BY id DESC LIMIT 1"
    )[0]
    browser.base = site.bases[0]
    status, image, _h = browser.request("GET", f"/cases/{case_id}/photos/{photo_id}.jpg")
    assert status == 200 and image[:2] == b"\xff\xd8"
    # Three failed logins — two on one server, one on the other — lock the account on both.
    intruder = Browser(site.bases[0])
    for base in (site.bases[0], site.bases[1], site.bases[0]):
        intruder.base = base
        token = intruder.csrf("/accounts/login/")
        intruder.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": "analytiker", "password": "fel-lösenord"},
        )
    intruder.base = site.bases[1]
    assert intruder.login("analytiker") != 302  # the right password, but locked out
    # The rate limit of password-reset e-mails (two an hour per account) counts across
    # both servers: the third, on either, is refused.
    statuses = []
    for base in (site.bases[0], site.bases[1], site.bases[0]):
        visitor = Browser(base)
        token = visitor.csrf("/accounts/password/reset/")
        status, _b, _h = visitor.request(
            "POST",
            "/accounts/password/reset/",
            {"csrfmiddlewaretoken": token, "email": "polis@demo.trygg.invalid"},
        )
        statuses.append(status)
    assert statuses == [302, 302, 429]


def _log(path, rows: int, prefix: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id;datum;tid;typ;område;beskrivning\n")
        for k in range(rows):
            fh.write(
                f"{prefix}{k};2025-{1 + k % 12:02d}-{1 + k % 28:02d};21:10;Skadegörelse;Bro;R {k}\n"
            )


def _wait(site: LiveSite, ids: list[int], timeout: float = 240) -> list[tuple]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = site.sql(
            "SELECT id, status, attempts, worker FROM incidents_importjob WHERE id = ANY(%s)",
            (ids,),
        )
        if all(r[1] in ("done", "failed") for r in rows):
            return rows
        time.sleep(0.5)
    raise AssertionError(
        "jobs still running:\n" + "".join(site.log_text(n) for n in site.processes)
    )


def test_three_workers_run_each_job_once_and_take_over_a_killed_workers_job(site, tmp_path):
    before = site.sql("SELECT COUNT(*) FROM incidents_incident")[0][0]
    paths = []
    for k in range(9):
        path = tmp_path / f"logg-{k}.csv"
        _log(path, 800, f"J{k}-")
        paths.append(str(path))
    ids = json.loads(site.manage("shell", code=f"PATHS = {paths!r}\n" + START_IMPORTS).split()[-1])
    rows = _wait(site, ids)
    assert {r[1] for r in rows} == {"done"} and {r[2] for r in rows} == {1}
    assert len({r[3].rsplit(":", 1)[0] for r in rows}) >= 2  # shared out among the workers
    assert site.sql("SELECT COUNT(*) FROM incidents_incident")[0][0] - before == 9 * 800

    # A big import; the worker running it is killed together with its supervisor.
    big = tmp_path / "stor.csv"
    _log(big, 30_000, "K-")
    before = site.sql("SELECT COUNT(*) FROM incidents_incident")[0][0]
    with site.tables_locked("incidents_incident"):  # the import stops before writing
        (job,) = json.loads(
            site.manage("shell", code=f"PATHS = {[str(big)]!r}\n" + START_IMPORTS).split()[-1]
        )
        deadline = time.monotonic() + 120
        while (
            site.sql("SELECT status FROM incidents_importjob WHERE id = %s", (job,))[0][0]
            != "running"
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        (worker,) = site.sql("SELECT worker FROM incidents_importjob WHERE id = %s", (job,))[0]
        for name, process in list(site.processes.items()):
            if not name.startswith("worker"):
                continue
            children = site.worker_children(name)
            if f":{process.pid}:" in worker:  # this supervisor's worker (host:pid:run)
                for pid in children:
                    os.kill(pid, signal.SIGKILL)
                process.send_signal(signal.SIGKILL)
                process.wait()
                break
        else:
            raise AssertionError(f"no supervisor runs {worker}")
    ((_id, status, attempts, last_worker),) = _wait(site, [job])
    assert (status, attempts) == ("done", 2)
    assert last_worker != worker
    refs = site.sql(
        "SELECT COUNT(*), COUNT(DISTINCT source_ref) FROM incidents_incident "
        "WHERE source_ref LIKE 'K-%%'"
    )[0]
    assert refs == (30_000, 30_000)
    assert site.sql("SELECT COUNT(*) FROM incidents_incident")[0][0] - before == 30_000


def test_the_scheduler_enqueues_each_slot_once_however_many_run(site):
    runs_before = site.sql("SELECT COUNT(*) FROM core_scheduledrun")[0][0]
    tasks_before = site.sql("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult")[0][0]
    # Three schedulers at the same moment, as on three machines.
    schedulers = [
        subprocess.Popen(
            [PYTHON, "manage.py", "run_scheduler", "--once"],
            env=site.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]  # fmt: skip
    for scheduler in schedulers:
        _out, err = scheduler.communicate(timeout=300)
        assert scheduler.returncode == 0, err[-2000:]
    duplicates = site.sql(
        "SELECT job, slot, COUNT(*) FROM core_scheduledrun GROUP BY job, slot HAVING COUNT(*) > 1"
    )
    assert duplicates == []
    new_runs = site.sql("SELECT COUNT(*) FROM core_scheduledrun")[0][0] - runs_before
    new_tasks = (
        site.sql("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult")[0][0] - tasks_before
    )
    assert new_runs > 0
    assert new_tasks == new_runs  # each slot enqueued once, by one of the three

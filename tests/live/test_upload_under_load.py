"""One partner's big upload may not stall the site (#17 item 1): a housing company's
15 000-row weekly file goes in through the web form while 20 other clients write — reports
through the JSON API, Open311 requests, logins. Real processes: gunicorn as in production,
the supervised task worker, a database of its own (a SQLite file in WAL mode). Nothing may
answer 5xx and no accepted write may be missing. Run in make test's SQLite pass: SQLite is
where one long write stalled every other writer (PostgreSQL locks rows, not the database;
`benchmarks/load_cases.py --with-faults` loads it with an upload and a document)."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import threading
import time
from collections import Counter

import pytest

from tests.support.live import BRO, Browser, LiveSite, on_postgresql, partner_report_file

pytestmark = pytest.mark.skipif(on_postgresql(), reason="run in the SQLite pass")

SETUP = """
import json
from trygg.core import demo
from trygg.est import demo as est_demo
from trygg.cases import demo as cases_demo
from trygg.cases.models import CaseCategory
from trygg.cases.open311.keys import create_key
from trygg.core.models import Membership
from trygg.core.tokens import create_token
municipality = demo.load()
est_demo.load()
cases_demo.load()
_k, key = create_key(municipality, "load", requests_per_minute=10_000_000)
police = Membership.objects.get(user__username="polis")
_t, token = create_token(police, "load")
codes = list(CaseCategory.objects.filter(municipality=municipality, is_public=True)
             .values_list("code", flat=True))
print(json.dumps({"key": key, "token": token, "codes": codes}))
"""

COUNT = """
from trygg.est.models import Observation, ObservationUpload
from trygg.cases.models import Case
job = ObservationUpload.objects.get()
print(json.dumps({
    "job": [job.status, job.rows_total, job.created_count, job.message],
    "uploaded": Observation.objects.filter(source="upload").count(),
    "api_refs": list(Observation.objects.filter(source="api").values_list("client_ref", flat=True)),
    "open311": list(Case.objects.filter(origin="open311").values_list("pk", flat=True)),
}))
"""

ROWS = 15_000
WRITERS = 20


def test_a_15000_row_upload_while_20_clients_write_loses_nothing(tmp_path):
    with LiveSite(tmp_path, setup=SETUP) as site:
        info = site.info
        failures: list[str] = []
        accepted_refs: set[str] = set()
        accepted_cases: set[int] = set()
        logins = Counter()
        lock = threading.Lock()
        upload_done = threading.Event()
        upload_seconds = float("nan")

        def writer(n: int) -> None:
            client = Browser(site.base)
            rng = random.Random(n)
            sent = 0
            # Until the upload has finished, and at least 5 writes each.
            while not upload_done.is_set() or sent < 5:
                sent += 1
                kind = n % 3
                if kind == 0:
                    ref = f"api-{n}-{sent}"
                    body = json.dumps({
                        "category": "klotter", "ref": ref, "lat": BRO[0], "lon": BRO[1],
                        "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
                        .isoformat(),
                    }).encode()  # fmt: skip
                    status, text, _h = client.request(
                        "POST", "/api/v1/observations", body,
                        {"Authorization": f"Bearer {info['token']}",
                         "Content-Type": "application/json"},
                    )  # fmt: skip
                    ok = status == 201
                    if ok:
                        with lock:
                            accepted_refs.add(ref)
                elif kind == 1:
                    status, text, _h = client.request(
                        "POST", "/open311/v2/requests.json",
                        {"api_key": info["key"], "service_code": rng.choice(info["codes"]),
                         "lat": f"{BRO[0]:.6f}", "long": f"{BRO[1]:.6f}",
                         "description": "Trasig belysning vid gångvägen."},
                    )  # fmt: skip
                    ok = status == 201
                    if ok:
                        with lock:
                            accepted_cases.add(int(json.loads(text)[0]["service_request_id"]))
                else:
                    client = Browser(site.base)
                    status = client.login("analytiker")
                    ok = status == 302
                    text = b""
                    if ok:
                        with lock:
                            logins["ok"] += 1
                if not ok:
                    with lock:
                        failures.append(f"writer {n}: {status} {text[:200]!r}")
                time.sleep(rng.uniform(0, 0.05))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        try:
            uploader = Browser(site.base)
            assert uploader.login("bostad") == 302
            token = uploader.csrf("/veckobild/upload/")
            status, _body, headers = uploader.post_file(
                "/veckobild/upload/", "file", "brohus-vecka.csv", partner_report_file(ROWS),
                {"csrfmiddlewaretoken": token},
            )  # fmt: skip
            assert status == 302, _body[:500]
            job_path = headers["Location"]
            posted = time.monotonic()
            assert re.fullmatch(r"/veckobild/upload/\d+/", job_path)
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                status, page, _h = uploader.request("GET", job_path)
                assert status == 200
                if b"job-status--done" in page or b"job-status--failed" in page:
                    upload_seconds = time.monotonic() - posted
                    break
                time.sleep(0.5)
        finally:
            upload_done.set()
            for t in threads:
                t.join(timeout=120)

        counts = json.loads(site.manage("shell", code="import json\n" + COUNT).splitlines()[-1])
        worker_log = site.log_text("worker")
        server_log = site.log_text("server")

    print(
        f"upload of {ROWS} rows: {upload_seconds:.1f} s from POST to done; meanwhile "
        f"{len(accepted_refs)} API reports, {len(accepted_cases)} Open311 requests, "
        f"{logins['ok']} logins; failures: {len(failures)}"
    )
    assert failures == [], failures[:10]
    assert counts["job"][:3] == ["done", ROWS, ROWS], (counts["job"], worker_log)
    assert counts["uploaded"] == ROWS
    # Every write the server accepted is in the database.
    assert accepted_refs and set(counts["api_refs"]) == accepted_refs
    assert accepted_cases and accepted_cases <= set(counts["open311"])
    assert logins["ok"] > 0
    assert "Traceback" not in server_log, server_log

"""Load on the field loop: the app under its production server (gunicorn) on 127.0.0.1
with PostgreSQL, N concurrent clients for a bounded time mixing public reports (the web
form, CSRF and all), Open311 POST and GET, and case updates through the JSON API.

Prints throughput, p50/p95/p99 per kind and overall, the errors, and the write check:
cases and case updates in the database must equal the writes the server accepted.
Target (issue #6): 0 errors, 0 lost writes, p95 ≤ 200 ms at 50 clients for 60 s.

    python benchmarks/load_cases.py [--clients 50] [--duration 60] [--think 0] [--workers 4]
                                    [--with-faults]

--with-faults (issue #17): five seconds into the load, a housing company uploads its
15 000-row weekly file through the web form and the coordinator asks for a lägesbild
document; the task worker (manage.py run_worker) does both while the clients go on. The
run then also reports how long each job took and checks that every uploaded report is
stored once and the document was made.

With --think 0 every client sends its next request as soon as the last was answered: the
machine's capacity, and the latency at saturation. --think 1 gives each client a pause
of one second on average, like a person or an app between two actions.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

ROOT = _setup.ROOT
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
BRO = (59.5150, 17.6450)

SETUP = """
import json
from trygg.core import demo
from trygg.cases import demo as cases_demo
from trygg.cases.models import Case
from trygg.cases.open311.keys import create_key
from trygg.core.models import Membership
from trygg.core.tokens import create_token
municipality = demo.load()
cases_demo.load()
from trygg.est import demo as est_demo
from trygg.incidents import demo as incidents_demo
est_demo.load()
incidents_demo.load()
_k, key = create_key(municipality, "load test", requests_per_minute=10_000_000)
coordinator = Membership.objects.get(user__username="samordnare")
_t, token = create_token(coordinator, "load test")
categories = list(
    cases_demo.CaseCategory.objects.filter(municipality=municipality).values_list("pk", "code")
)
print(json.dumps({"key": key, "token": token, "categories": categories,
                  "cases": list(Case.objects.filter(sensitivity="public", moderation="approved")
                                .values_list("pk", flat=True))}))
"""

COUNT = """
from trygg.cases.models import Case, CaseUpdate
print(Case.objects.count(), CaseUpdate.objects.count())
"""


JOBS = """
import json
from trygg.assessment.models import LagesbildDocument
from trygg.est.models import Observation, ObservationUpload
u = ObservationUpload.objects.get()
d = LagesbildDocument.objects.get()
took = lambda job: (job.finished_at - job.created_at).total_seconds() if job.finished_at else 0
print(json.dumps({
    "upload": [u.status, took(u), u.created_count],
    "document": [d.status, took(d), d.attempts],
    "uploaded": Observation.objects.filter(source="upload").count(),
}))
"""
UPLOAD_ROWS = 15_000


def faults(base: str, env: dict, started: threading.Event) -> None:
    """The faults of --with-faults: a big upload through the web form, a document."""
    from tests.support.live import REQUEST_DOCUMENT, Browser, partner_report_file

    time.sleep(5)
    uploader = Browser(base)
    assert uploader.login("bostad") == 302, "the housing company could not log in"
    token = uploader.csrf("/veckobild/upload/")
    status, body, _h = uploader.post_file(
        "/veckobild/upload/", "file", "brohus-vecka.csv", partner_report_file(UPLOAD_ROWS),
        {"csrfmiddlewaretoken": token},
    )  # fmt: skip
    assert status == 302, f"the upload answered {status}: {body[:300]!r}"
    manage(env, "shell", code=REQUEST_DOCUMENT)
    started.set()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, code: str | None = None) -> str:
    command = [PYTHON, "manage.py", *args] + (["--no-imports", "-c", code] if code else [])
    return subprocess.run(
        command, env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is the answer (the report form's "thank you"), not a page to fetch."""

    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One simulated client: its own cookies (CSRF), its own random mix."""

    def __init__(self, base: str, info: dict, rng: random.Random):
        self.base, self.info, self.rng = base, info, rng
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.csrf = None
        self.posted: list[int] = []

    def request(self, method, path, data=None, headers=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if isinstance(data, dict) else data
        req = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path, data=body, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def point(self):
        return BRO[0] + self.rng.uniform(-0.004, 0.004), BRO[1] + self.rng.uniform(-0.006, 0.006)

    def public_report(self):
        if self.csrf is None:
            status, html = self.request("GET", "/rapportera/")
            self.csrf = (
                re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
            )
        lat, lon = self.point()
        pk, _code = self.rng.choice(self.info["categories"])
        status, _ = self.request(
            "POST",
            "/rapportera/",
            {"csrfmiddlewaretoken": self.csrf, "category": pk, "lat": f"{lat:.6f}",
             "lon": f"{lon:.6f}", "description": "Mörkt och otryggt vid gångvägen."},
            {"Origin": self.base, "Referer": self.base + "/rapportera/"},
        )  # fmt: skip
        return status, status == 302  # redirected to the thank-you page: stored

    def open311_post(self):
        lat, lon = self.point()
        _pk, code = self.rng.choice(self.info["categories"])
        status, body = self.request(
            "POST",
            "/open311/v2/requests.json",
            {"api_key": self.info["key"], "service_code": code, "lat": f"{lat:.6f}",
             "long": f"{lon:.6f}", "description": "Trasig belysning."},
        )  # fmt: skip
        if status == 201:
            self.posted.append(int(json.loads(body)[0]["service_request_id"]))
        return status, status == 201

    def open311_get(self):
        """What apps read: mostly the status of one request (one they posted), sometimes
        the service list, now and then the full default list (the last 90 days, up to
        1 000 requests — it grows through the run)."""
        fmt = self.rng.choice(["json", "xml"])
        roll = self.rng.random()
        if roll < 0.6:
            case = self.rng.choice(self.posted or self.info["cases"])
            path = f"/open311/v2/requests/{case}.{fmt}"
        elif roll < 0.9:
            path = f"/open311/v2/services.{fmt}"
        else:
            path = f"/open311/v2/requests.{fmt}"
        status, _ = self.request("GET", path)
        return status, False

    def case_update(self):
        case = self.rng.choice(self.info["cases"])
        status, _ = self.request(
            "POST",
            f"/api/v1/cases/{case}/updates",
            b'{"text": "Kontrollerat p\\u00e5 plats.", "is_public": false}',
            {"Authorization": f"Bearer {self.info['token']}", "Content-Type": "application/json"},
        )
        return status, status == 201


MIX = [("public report", "public_report", 0.25), ("Open311 POST", "open311_post", 0.25),
       ("Open311 GET", "open311_get", 0.30), ("case update", "case_update", 0.20)]  # fmt: skip
EXPECTED = {"public report": {302}, "Open311 POST": {201}, "Open311 GET": {200},
            "case update": {201}}  # fmt: skip


def run_load(base: str, info: dict, clients: int, duration: float, think: float):
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[int]] = defaultdict(list)
    accepted = defaultdict(int)
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker(seed: int):
        rng = random.Random(seed)  # noqa: S311 - a traffic mix, not a secret
        client = Client(base, info, rng)
        while time.monotonic() < stop_at:
            label, method, _w = rng.choices(MIX, weights=[m[2] for m in MIX])[0]
            started = time.perf_counter()
            try:
                status, wrote = getattr(client, method)()
            except OSError:
                status, wrote = 0, False
            elapsed = time.perf_counter() - started
            with lock:
                latencies[label].append(elapsed)
                if status not in EXPECTED[label]:
                    errors[label].append(status)
                if wrote:
                    accepted[label] += 1
            if think:
                time.sleep(min(rng.expovariate(1 / think), 10 * think))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, accepted


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--with-faults",
        action="store_true",
        help="A 15 000-row upload and a lägesbild document during the load.",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="Mean pause (s) between a client's requests, exponential; 0: back to back.",
    )
    args = parser.parse_args()
    mode = f"mean think time {args.think:g} s" if args.think else "back to back (closed loop)"
    print(
        f"cases load benchmark: {args.clients} clients, {args.duration:.0f} s, {mode}, gunicorn "
        f"{args.workers}×{args.threads} — {_setup.machine()}"
    )
    with _setup.postgres_cluster() as url:
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "trygg.settings",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef",
            "SECURE_HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "MAP_TILE_URL": "",
            "LOG_LEVEL": "WARNING",
            # One machine plays every resident: lift the per-address limit for the run.
            "PUBLIC_REPORTS_PER_HOUR": "100000000",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        info = json.loads(manage(env, "shell", code=SETUP).strip().splitlines()[-1])
        before = [int(x) for x in manage(env, "shell", code=COUNT).split()]
        server = subprocess.Popen(
            [GUNICORN, "trygg.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
             str(args.workers), "--threads", str(args.threads), "--log-level", "warning"],
            env=env, cwd=ROOT,
        )  # fmt: skip
        worker = None
        if args.with_faults:
            worker = subprocess.Popen(
                [PYTHON, "manage.py", "run_worker", "--interval", "0.5", "-v", "0"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            started = time.monotonic()
            faults_started = threading.Event()
            if args.with_faults:
                threading.Thread(
                    target=faults, args=(base, env, faults_started), daemon=True
                ).start()
            latencies, errors, accepted = run_load(
                base, info, args.clients, args.duration, args.think
            )
            wall = time.monotonic() - started
            jobs = None
            if args.with_faults:
                assert faults_started.wait(120), "the upload or the document was not started"
                for _ in range(600):  # the jobs may outlast the load
                    jobs = json.loads(manage(env, "shell", code=JOBS).splitlines()[-1])
                    if jobs["upload"][0] in ("done", "failed") and jobs["document"][0] in (
                        "done",
                        "failed",
                    ):
                        break
                    time.sleep(1)
        finally:
            server.terminate()
            server.wait(timeout=30)
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=60)
        after = [int(x) for x in manage(env, "shell", code=COUNT).split()]

    every = [x for values in latencies.values() for x in values]
    print(f"  {'kind':<14} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  errors")
    for label, _m, _w in MIX:
        values = latencies[label]
        if values:
            p50, p95, p99 = (pct(values, p) for p in (0.5, 0.95, 0.99))
            print(
                f"  {label:<14} {len(values):>9,} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}"
                f"  {len(errors[label])}"
                + (f" {sorted(set(errors[label]))}" if errors[label] else "")
            )
    print(
        f"  {'all':<14} {len(every):>9,} {pct(every, 0.5):>8.1f} {pct(every, 0.95):>8.1f}"
        f" {pct(every, 0.99):>8.1f}  {sum(len(e) for e in errors.values())}"
    )
    print(f"  throughput: {len(every) / wall:.0f} requests/s over {wall:.1f} s")
    created = accepted["public report"] + accepted["Open311 POST"]
    new_cases = after[0] - before[0]
    new_updates = after[1] - before[1]
    expected_updates = created + accepted["case update"]  # each new case has its first update
    cases_ok = "OK" if new_cases == created else "MISMATCH"
    updates_ok = "OK" if new_updates == expected_updates else "MISMATCH"
    print(
        f"  write check: cases {new_cases:,} in the database = {created:,} accepted ({cases_ok});"
        f" case updates {new_updates:,} = {expected_updates:,} accepted ({updates_ok})"
    )
    if jobs is not None:
        upload, document = jobs["upload"], jobs["document"]
        stored_ok = "OK" if jobs["uploaded"] == UPLOAD_ROWS else "MISMATCH"
        print(
            f"  faults: the {UPLOAD_ROWS:,}-row upload {upload[0]} in {upload[1]:.1f} s "
            f"({jobs['uploaded']:,} reports stored, {stored_ok}); the lägesbild document "
            f"{document[0]} in {document[1]:.1f} s ({document[2]} attempt(s))"
        )


if __name__ == "__main__":
    main()

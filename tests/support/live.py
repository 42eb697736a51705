"""A running Trygg made of real processes, for the tests and benchmarks that need them
(load, faults, a worker killed mid-job): a database of its own, gunicorn as in production,
and the supervised task worker (``manage.py run_worker``).

    with LiveSite(tmp_path, setup=SETUP_CODE) as site:
        site.info        # what SETUP_CODE printed as JSON on its last line
        site.base        # http://127.0.0.1:<port>
        site.manage("shell", code="...")

The database is a new SQLite file, or — when ``DATABASE_URL`` names PostgreSQL — a new
database on that server, dropped afterwards; so the same test runs on both databases.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def on_postgresql() -> bool:
    """Whether this test run's DATABASE_URL names PostgreSQL (make test's second pass)."""
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveSite:
    def __init__(
        self,
        folder: Path,
        *,
        setup: str = "",
        database_url: str | None = None,
        workers: int = 2,
        threads: int = 4,
        env: dict[str, str] | None = None,
        worker: bool = True,
        servers: int = 1,
        task_workers: int = 1,
        pooler_url: str = "",
        replica_urls: tuple[str, ...] = (),
    ) -> None:
        self.folder = Path(folder)
        self.setup = setup
        self.source_url = database_url or os.environ.get("DATABASE_URL", "")
        self.workers, self.threads = workers, threads
        self.extra_env = env or {}
        self.with_worker = worker
        self.info: Any = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._pg_database = ""
        self.ports = [free_port() for _ in range(servers)]
        self.port = self.ports[0]
        self.bases = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.base = self.bases[0]
        self.task_workers = task_workers
        # The app's connections through a pooler (PgBouncer) and to replicas: the same
        # database name on those servers (the database is created on the primary).
        self.pooler_url = pooler_url
        self.replica_urls = replica_urls

    # --- the database ---------------------------------------------------------------

    @property
    def is_postgresql(self) -> bool:
        return self.source_url.startswith(("postgres://", "postgresql://"))

    def _admin(self, sql: str) -> None:
        import psycopg

        parts = urllib.parse.urlsplit(self.source_url)
        with psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql)

    def _database_url(self) -> str:
        if not self.is_postgresql:
            return f"sqlite:///{self.folder / 'live.sqlite3'}"
        self._pg_database = f"trygg_live_{secrets.token_hex(4)}"
        self._admin(f'CREATE DATABASE "{self._pg_database}"')
        parts = urllib.parse.urlsplit(self.source_url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + self._pg_database))

    # --- processes ------------------------------------------------------------------

    def __enter__(self) -> LiveSite:
        self.folder.mkdir(parents=True, exist_ok=True)
        direct = self._database_url()
        self.env = {
            **os.environ,
            "DATABASE_URL": self._on(self.pooler_url, direct) if self.pooler_url else direct,
            "DATABASE_POOLER": "pgbouncer" if self.pooler_url else "",
            "DATABASE_REPLICA_URLS": ",".join(self._on(u, direct) for u in self.replica_urls),
            "DJANGO_SETTINGS_MODULE": "trygg.settings",
            "SECRET_KEY": "live-test-only-secret-key-0123456789abcdef0123456789",
            "DEBUG": "0",
            "SECURE_HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "MAP_TILE_URL": "",
            "DATA_DIR": str(self.folder),
            "MEDIA_ROOT": str(self.folder / "media"),
            "STATIC_ROOT": str(self.folder / "static"),
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PUBLIC_BASE_URL": self.base,
            # One machine plays every client: lift the per-address limits.
            "PUBLIC_REPORTS_PER_HOUR": "100000000",
            **self.extra_env,
        }
        try:
            self.manage("migrate", "--noinput")
            self.manage("collectstatic", "--noinput", "-v", "0")
            if self.setup:
                self.info = json.loads(self.manage("shell", code=self.setup).splitlines()[-1])
            self.start_server()
            if self.with_worker:
                self.start_worker()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    @staticmethod
    def _on(server_url: str, database_url: str) -> str:
        """``database_url``'s database on the server of ``server_url``."""
        server = urllib.parse.urlsplit(server_url)
        return urllib.parse.urlunsplit(
            server._replace(path=urllib.parse.urlsplit(database_url).path)
        )

    def manage(self, *args: str, code: str | None = None, timeout: float = 600) -> str:
        command = [PYTHON, "manage.py", *args] + (["--no-imports", "-c", code] if code else [])
        done = subprocess.run(
            command, env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query on the site's database, read directly (no Django start-up):
        for watching a job while the processes run. ``%s`` placeholders."""
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite:///"):
            import sqlite3

            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
                return conn.execute(query.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute(query, params).fetchall()

    @contextlib.contextmanager
    def tables_locked(self, *tables: str) -> Iterator[None]:
        """Hold an exclusive lock on ``tables`` (PostgreSQL): a job that reads one of them
        waits there, in the middle of its work, until the block ends — so a test can kill a
        worker mid-job on a machine of any speed."""
        import psycopg

        assert self.is_postgresql
        with psycopg.connect(self.env["DATABASE_URL"]) as conn:
            conn.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
            yield
            conn.rollback()

    def start_server(self) -> None:
        for k, port in enumerate(self.ports):
            name = "server" if k == 0 else f"server{k + 1}"
            self.processes[name] = subprocess.Popen(
                [GUNICORN, "trygg.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
                 str(self.workers), "--threads", str(self.threads), "--log-level", "warning",
                 "--timeout", "120"],
                env=self.env, cwd=ROOT, stdout=self._log(name), stderr=subprocess.STDOUT,
            )  # fmt: skip
        for base in self.bases:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"{base} did not answer /healthz:\n" + self.log_text("server"))

    def start_worker(self) -> None:
        for k in range(self.task_workers):
            name = "worker" if k == 0 else f"worker{k + 1}"
            self.processes[name] = subprocess.Popen(
                [PYTHON, "manage.py", "run_worker", "--interval", "0.2"],
                env=self.env, cwd=ROOT, stdout=self._log(name), stderr=subprocess.STDOUT,
            )  # fmt: skip

    def worker_children(self, name: str = "worker") -> list[int]:
        """The process ids of the worker the supervisor runs (its children)."""
        supervisor = self.processes[name].pid
        found = subprocess.run(["pgrep", "-P", str(supervisor)], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]

    def _log(self, name: str) -> Any:
        return open(self.folder / f"{name}.log", "ab")

    def log_text(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-5000:] if path.exists() else ""

    def __exit__(self, *exc: object) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._pg_database:
            self._admin(f'DROP DATABASE IF EXISTS "{self._pg_database}" WITH (FORCE)')


# --- what a test asks the site to do (manage.py shell code) ---------------------------

# The coordinator asks for last year's partners' lägesbild document; prints its id.
REQUEST_DOCUMENT = """
import datetime as dt
from django.contrib.auth import get_user_model
from trygg.assessment.documents import request_document
from trygg.core.permissions import Principal
principal = Principal.for_user(get_user_model().objects.get(username="samordnare"))
today = dt.date.today()
doc = request_document(principal, date_from=dt.date(today.year - 1, 1, 1),
                       date_to=dt.date(today.year - 1, 12, 31), audience="partners",
                       language="sv")
print(doc.pk)
"""


# --- test files -----------------------------------------------------------------------

BRO = (59.5080, 17.6360)  # a point in the demo district Bro


def partner_report_file(rows: int, prefix: str = "BH") -> bytes:
    """A housing company's weekly file of ``rows`` reports (the upload format of
    ``est.importers``), dated over the last six days, around Bro."""
    import datetime as dt
    import random

    rng = random.Random(17)
    today = dt.date.today()
    lines = ["ref;kategori;datum;tid;lat;lon;plats;område;allvarlighet;beskrivning"]
    for k in range(rows):
        day = today - dt.timedelta(days=1 + k % 6)
        lat = BRO[0] + rng.uniform(-0.0008, 0.0008)
        lon = BRO[1] + rng.uniform(-0.0012, 0.0012)
        kind = ("klotter", "krossat", "nedskrapning")[k % 3]
        lines.append(
            f"{prefix}-{k:05d};{kind};{day.isoformat()};{18 + k % 5}:{k % 60:02d};"
            f"{lat:.6f};{lon:.6f};;;{1 + k % 3};Rond {k}: {kind} vid port {k % 40}"
        )
    return "\n".join(lines).encode()


# --- a client -----------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """One client with its own cookies; a redirect is an answer, not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, Any] | bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[int, bytes, dict[str, str]]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if isinstance(data, dict) else data
        all_headers = {"Origin": self.base, "Referer": self.base + path, **(headers or {})}
        req = urllib.request.Request(
            self.base + path, data=body, method=method, headers=all_headers
        )
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def csrf(self, path: str) -> str:
        _status, html, _h = self.request("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert found, f"no CSRF token on {path}"
        return found.group(1).decode()

    def login(self, username: str, password: str = "trygg-demo") -> int:
        token = self.csrf("/accounts/login/")
        status, _b, _h = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        return status

    def post_file(
        self, path: str, field: str, name: str, content: bytes, fields: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        boundary = "trygg" + secrets.token_hex(8)
        parts = []
        for key, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            path,
            b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )

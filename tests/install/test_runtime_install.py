"""Trygg installed the way a municipality's IT department installs it, and run.

A fresh virtual environment outside the checkout gets a non-editable ``pip install .`` —
the runtime dependencies only, never the ``dev`` extra — and then, from a folder that holds
nothing but ``manage.py`` and ``scripts/demo.sh`` (so every ``trygg`` import resolves to the
installed package, with its templates, static files and translations):

1. every module under ``trygg/`` imports (tests excluded);
2. ``manage.py check``, ``migrate`` on a fresh SQLite file and ``load_demo`` succeed;
3. ``scripts/demo.sh`` — the very script ``make demo`` runs — serves ``/`` and
   ``/rapportera/``, accepts a login as ``samordnare``, serves ``/lagesbild/`` to it, and
   on Ctrl-C stops with its web server, task worker and scheduler all gone.

A failure names the missing module, the failing command or the failing URL. Run by
``make test`` once per run (``pytest --runtime-install tests/install``); pip's wheel cache
keeps it to a minute or two.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.runtime_install

REPO = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "trygg-demo"  # the documented demo password

# Run inside the fresh environment: import every non-test module of the installed package.
IMPORT_ALL = r"""
import importlib, json, pkgutil, sys, traceback
import django
django.setup()
import trygg
report = {"package": trygg.__file__, "failures": [], "count": 0}
def is_test(name):
    parts = name.split(".")
    return "tests" in parts or parts[-1].startswith("test_") or parts[-1] == "conftest"
for info in pkgutil.walk_packages(trygg.__path__, "trygg."):
    if is_test(info.name):
        continue
    report["count"] += 1
    try:
        importlib.import_module(info.name)
    except BaseException as exc:  # noqa: BLE001 - every failure is reported by name
        missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
        report["failures"].append({
            "module": info.name,
            "missing": missing,
            "error": f"{type(exc).__name__}: {exc}",
            "trace": traceback.format_exc(limit=3),
        })
print(json.dumps(report))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd: list[str], *, env: dict, cwd: Path, what: str, timeout: int = 600) -> str:
    result = subprocess.run(
        cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"{what} failed (exit {result.returncode}) in the runtime-only install:\n"
            f"$ {' '.join(cmd)}\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}",
            pytrace=False,
        )
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A fresh venv with ``pip install .`` (no extras), and an empty site folder."""
    root = tmp_path_factory.mktemp("runtime-install")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(root)),
        "LANG": "C.UTF-8",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    # Non-editable, runtime dependencies only; pip's wheel cache (in HOME) is reused.
    # Built from a copy of the tracked files so the checkout gets no build/ folder.
    source = root / "source"
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, target)
    run(
        [str(python), "-m", "pip", "install", "--quiet", str(source)],
        env=env,
        cwd=root,
        what="pip install . (runtime dependencies only)",
        timeout=900,
    )
    # The site: only manage.py and the demo script, as an IT department would run them.
    site = root / "site"
    (site / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "manage.py", site / "manage.py")
    shutil.copy2(REPO / "scripts" / "demo.sh", site / "scripts" / "demo.sh")
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "trygg.settings",
            "DATA_DIR": str(site / "var"),
            "SECRET_KEY": "runtime-install-test-secret-key-0123456789-abcdefghijklmnop",
            "SECURE_HTTPS": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "MAP_TILE_URL": "",
        }
    )
    return {"venv": venv, "python": python, "site": site, "env": env}


def test_every_module_imports_from_the_installed_package(installed):
    out = run(
        [str(installed["python"]), "-c", IMPORT_ALL],
        env=installed["env"],
        cwd=installed["site"],
        what="importing every trygg module",
    )
    report = json.loads(out.strip().splitlines()[-1])
    assert report["package"].startswith(str(installed["venv"])), (
        f"trygg was imported from {report['package']}, not from the installed package"
    )
    assert report["count"] > 100
    if report["failures"]:
        lines = []
        for failure in report["failures"]:
            if failure["missing"]:
                lines.append(
                    f"{failure['module']}: no module named {failure['missing']!r} — a runtime "
                    "import missing from [project] dependencies in pyproject.toml"
                )
            else:
                lines.append(f"{failure['module']}: {failure['error']}\n{failure['trace']}")
        pytest.fail("\n".join(lines), pytrace=False)


def test_check_migrate_and_load_demo_on_a_fresh_sqlite_file(installed):
    python, site, env = str(installed["python"]), installed["site"], installed["env"]
    database = site / "var" / "trygg.sqlite3"
    assert not database.exists()
    run([python, "manage.py", "check"], env=env, cwd=site, what="manage.py check")
    run([python, "manage.py", "migrate", "--noinput"], env=env, cwd=site, what="migrate")
    assert database.exists()
    out = run([python, "manage.py", "load_demo"], env=env, cwd=site, what="load_demo")
    assert "samordnare" in out


class Browser:
    """A cookie-keeping HTTP client that names the URL in every failure."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, str]:
        return self._open(urllib.request.Request(self.base + path), path)

    def post(self, path: str, data: dict) -> tuple[str, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Referer", self.base + path)
        return self._open(request, path)

    def _open(self, request, path: str) -> tuple[str, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return urllib.parse.urlsplit(response.url).path, response.read().decode()
        except urllib.error.HTTPError as exc:
            pytest.fail(f"{path} answered {exc.code} in the demo", pytrace=False)
        except OSError as exc:
            pytest.fail(f"{path} could not be fetched from the demo: {exc}", pytrace=False)


def descendants(pid: int) -> dict[int, str]:
    """The processes below ``pid``: {pid: command line}."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (
                (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                found[child] = commands.get(child, "")
                frontier.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_make_demo_script_serves_logs_in_and_stops_cleanly(installed):
    site, env = installed["site"], dict(installed["env"])
    port = free_port()
    env.update({"TRYGG_VENV": str(installed["venv"]), "PORT": str(port)})
    env.pop("DJANGO_SETTINGS_MODULE")  # manage.py sets it, as on a fresh machine
    log_path = site / "demo.log"
    with log_path.open("w") as log:
        demo = subprocess.Popen(
            ["bash", "scripts/demo.sh"],
            cwd=site,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's job
        )

    def demo_log() -> str:
        return log_path.read_text(errors="replace")[-4000:]

    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while True:
            if demo.poll() is not None:
                pytest.fail(
                    f"scripts/demo.sh exited ({demo.returncode}) before serving:\n{demo_log()}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the demo did not serve {base}/ within 240 s:\n{demo_log()}")
            time.sleep(1)

        browser = Browser(base)
        path, _ = browser.get("/")
        path, page = browser.get("/rapportera/")
        assert path == "/rapportera/", f"/rapportera/ ended at {path}"
        assert "<form" in page, "/rapportera/ shows no report form"

        _, page = browser.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "the login page has no CSRF token"
        path, page = browser.post(
            "/accounts/login/",
            {
                "username": "samordnare",
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": token.group(1),
            },
        )
        assert path != "/accounts/login/", "the demo refused the login as samordnare"
        path, page = browser.get("/lagesbild/")
        assert path == "/lagesbild/", f"/lagesbild/ sent the logged-in coordinator to {path}"
        assert "samordnare" in page.casefold() or "Sara" in page

        processes = descendants(demo.pid)
        kinds = {
            kind
            for kind in ("gunicorn", "run_worker", "--supervised-child", "run_scheduler")
            if any(kind in command for command in processes.values())
        }
        assert kinds == {"gunicorn", "run_worker", "--supervised-child", "run_scheduler"}, (
            f"the demo runs {sorted(kinds)}, not the web server, the supervised worker and "
            "the scheduler"
        )
        # A resident's report: the worker e-mails the responsible organisation (printed to
        # the demo's console) a link that points at the port the demo runs on.
        _, page = browser.get("/rapportera/")
        category = re.search(r'name="category" value="(\d+)"', page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert category and token, "the report form has no category or CSRF token"
        path, _ = browser.post(
            "/rapportera/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "category": category.group(1),
                "lat": "59.5063",
                "lon": "17.6303",
                "description": "Trasig belysning på gångvägen vid stationen.",
                "website": "",
            },
        )
        assert path.startswith("/rapportera/tack/"), f"the public report ended at {path}"
        link = re.compile(rf"http://127\.0\.0\.1:{port}/cases/\d+/")
        deadline = time.monotonic() + 60
        while not link.search(demo_log()) and time.monotonic() < deadline:
            time.sleep(1)
        assert link.search(demo_log()), (
            f"no e-mail with a link to http://127.0.0.1:{port}/cases/… within 60 s:\n{demo_log()}"
        )
    finally:
        processes = descendants(demo.pid) if demo.poll() is None else {}
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C in the terminal
            try:
                demo.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(demo.pid, signal.SIGKILL)
                pytest.fail(f"Ctrl-C did not stop the demo within 30 s:\n{demo_log()}")
    time.sleep(0.5)
    left = {pid: command for pid, command in processes.items() if alive(pid)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"after Ctrl-C these demo processes were still running: {left}"
    assert "Trygg demo stopped" in demo_log()

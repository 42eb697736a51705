"""Shared set-up for the benchmarks: a fresh database of each kind, Django configured on
it, and a throwaway PostgreSQL cluster (as in make test) when PostgreSQL is measured.

The benchmarks print figures; they never assert timings (tests assert correctness)."""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, "
        f"Python {platform.python_version()}"
    )


def _pg_bin() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise SystemExit("PostgreSQL server binaries not found (make test installs them)")


@contextlib.contextmanager
def postgres_cluster():
    """A throwaway PostgreSQL cluster on a free port; yields its DATABASE_URL."""
    pg_bin = _pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="trygg-bench-pg."))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = (
            "postgres"
            if shutil.which("id")
            and subprocess.run(["id", "-u", "postgres"], capture_output=True).returncode == 0
            else "nobody"
        )
        shutil.chown(folder, user)
        prefix = ["runuser", "-u", user, "--"]
    data = folder / "data"
    subprocess.run(
        [
            *prefix,
            str(pg_bin / "initdb"),
            "-D",
            str(data),
            "-U",
            "trygg",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB "
        "-c work_mem=64MB"
    )
    subprocess.run(
        [
            *prefix,
            str(pg_bin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "trygg", "trygg"],
            check=True,
            capture_output=True,
        )
        yield f"postgres://trygg@127.0.0.1:{port}/trygg"
    finally:
        subprocess.run(
            [*prefix, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def database(kind: str):
    """Yields a DATABASE_URL of a new, empty database of ``kind`` (sqlite/postgresql)."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="trygg-bench-sqlite."))
        try:
            yield f"sqlite:///{folder / 'bench.sqlite3'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        with postgres_cluster() as url:
            yield url


def run_child(script: str, args: list[str], database_url: str) -> int:
    """Run a benchmark phase in a child process configured for one database (Django's
    settings are read once per process)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdef"),
        "SECURE_HTTPS": "0",
        "ALLOWED_HOSTS": "testserver,localhost",
        "MAP_TILE_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run([sys.executable, script, *args], env=env, cwd=ROOT).returncode


def django_setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_source(sensitivity: str = "partners"):
    """The demo municipality, and a source for the benchmark's rows."""
    from trygg.core import demo
    from trygg.core.models import Organisation
    from trygg.incidents.models import Source

    municipality = demo.load()
    Source.objects.get_or_create(
        municipality=municipality,
        slug="bench",
        defaults={
            "name": "Benchmark",
            "kind": "partner_log",
            "owner_organisation": Organisation.objects.get(name="Upplands-Brohus"),
            "default_sensitivity": sensitivity,
        },
    )
    return municipality


def csv_benchmark_main(doc: str, script: str, title: str, child, generate) -> None:
    """The command line shared by the CSV-based benchmarks: --n, --database, and a child
    process per database (Django reads its settings once per process)."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--child", nargs=2, metavar=("CSV", "LABEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{title}: {args.n:,} rows — {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "incidents.csv"
        generate(path, args.n)
        kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
        for kind in kinds:
            with database(kind) as url:
                run_child(script, ["--child", str(path), kind], url)


def sized_benchmark_main(
    doc: str, script: str, title: str, child, option: str, default: int
) -> None:
    """The command line shared by benchmarks that build their data in the child: a size
    (``--measures 100``, ``--reports 5000``), --database, and a child process per database."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(f"--{option}", type=int, default=default)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--child", nargs=2, metavar=("N", "LABEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1])
        return
    size = getattr(args, option)
    print(f"{title}: {size:,} {option} — {machine()}")
    for kind in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        with database(kind) as url:
            run_child(script, ["--child", str(size), kind], url)

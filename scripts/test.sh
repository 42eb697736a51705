#!/usr/bin/env bash
# make test: install what the tests need, then run the whole suite twice — on the
# embedded SQLite default and on a throwaway PostgreSQL cluster started here — with the
# browser tests in Debian's headless Chromium. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN="$ROOT/.venv/bin"
export PYTHONDONTWRITEBYTECODE=1

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# --- 1. Debian packages ---------------------------------------------------------------
find_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"; return 0
  fi
  return 1
}

missing=()
find_pg_bin >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xgettext >/dev/null && command -v msgfmt >/dev/null || missing+=(gettext)
fc-list 2>/dev/null | grep -qi -e dejavu -e liberation || missing+=(fonts-dejavu-core)
# The scale tests' connection pooler (tests/scale).
[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null || missing+=(pgbouncer)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    # Only the server binaries are needed: don't create (and start) a default cluster.
    mkdir -p /etc/postgresql-common
    [ -f /etc/postgresql-common/createcluster.conf ] ||
      echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || { echo "apt-get update failed"; exit 1; }
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      { echo "apt-get install ${missing[*]} failed"; exit 1; }
  else
    echo "The tests need these Debian packages, which are missing: ${missing[*]}"
    echo "Install them as root, then run make test again:"
    echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi
PG_BIN=$(find_pg_bin) || { echo "PostgreSQL server binaries not found"; exit 1; }

# --- 2. A throwaway PostgreSQL cluster ---------------------------------------------------
PG_DIR=$(mktemp -d /tmp/trygg-pg.XXXXXX)
free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PG_PORT=$(free_port)
as_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: run it as an unprivileged system user.
  PG_USER=postgres
  id -u "$PG_USER" >/dev/null 2>&1 || PG_USER=nobody
  chown "$PG_USER" "$PG_DIR"
  as_pg() { runuser -u "$PG_USER" -- "$@"; }
fi
stop_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT

say "Starting PostgreSQL ($("$PG_BIN/postgres" --version)) on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U trygg --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start -o \
  "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  >/dev/null || { cat "$PG_DIR/server.log"; exit 1; }
PG_URL="postgres://trygg@127.0.0.1:$PG_PORT/trygg"

# A streaming replica of the cluster (pg_basebackup -R), and PgBouncer in transaction mode
# in front of the primary: the scale tests (tests/scale) run the app through both.
REPLICA_PORT=$(free_port)
BOUNCER_PORT=$(free_port)
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
stop_scale() {
  [ -f "$PG_DIR/pgbouncer.pid" ] && kill "$(cat "$PG_DIR/pgbouncer.pid")" 2>/dev/null
  [ -d "$PG_DIR/replica" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/replica" -m fast -w stop >/dev/null 2>&1
}
trap 'stop_scale; stop_pg' EXIT
say "Starting a streaming replica on 127.0.0.1:$REPLICA_PORT and PgBouncer on 127.0.0.1:$BOUNCER_PORT"
as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U trygg -D "$PG_DIR/replica" -R -X stream -c fast \
  >"$PG_DIR/basebackup.log" 2>&1 || { cat "$PG_DIR/basebackup.log"; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/replica" -l "$PG_DIR/replica.log" -w start -o \
  "-p $REPLICA_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c hot_standby=on -c fsync=off" \
  >/dev/null || { cat "$PG_DIR/replica.log"; exit 1; }
echo '"trygg" ""' > "$PG_DIR/userlist.txt"
cat > "$PG_DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PG_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PG_DIR/userlist.txt
admin_users = trygg
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = $PG_DIR/pgbouncer.log
pidfile = $PG_DIR/pgbouncer.pid
INI
chmod a+r "$PG_DIR"/pgbouncer.ini "$PG_DIR"/userlist.txt
as_pg "$PGBOUNCER" -d "$PG_DIR/pgbouncer.ini" || { cat "$PG_DIR/pgbouncer.log"; exit 1; }
export TRYGG_TEST_REPLICA_URL="postgres://trygg@127.0.0.1:$REPLICA_PORT/trygg"
export TRYGG_TEST_PGBOUNCER_URL="postgres://trygg@127.0.0.1:$BOUNCER_PORT/trygg"

# --- 3. Static checks --------------------------------------------------------------------
status=0
say "ruff"
"$BIN/ruff" check . || status=1
say "Layers (import-linter contracts)"
"$BIN/lint-imports" --no-cache || status=1
say "Types (mypy, strict on trygg/core and trygg/analysis)"
"$BIN/mypy" trygg/core trygg/analysis || status=1
say "Migrations are up to date"
DJANGO_SETTINGS_MODULE=trygg.test_settings "$BIN/python" manage.py makemigrations --check --dry-run || status=1

# --- 4. The suite, on both databases -----------------------------------------------------
mkdir -p test-artifacts
rm -f test-artifacts/junit-*.xml
export TRYGG_CHROMIUM="${TRYGG_CHROMIUM:-/usr/bin/chromium}"
# Each browser journey runs in one of the two passes (tests/browser/conftest.py).
export TRYGG_BROWSER_PASSES=split

# The three runs are independent (own database, own media folder), so they run side by side
# on the machine's cores; each writes its own log, printed whole as it finishes.
run_logged() {  # name, then the command
  local name=$1; shift
  "$@" >"test-artifacts/$name.log" 2>&1
  local rc=$?
  {  # one log at a time, even when two runs finish together
    flock 9
    say "$name (exit $rc)"
    cat "test-artifacts/$name.log"
  } 9>"test-artifacts/.print.lock"
  return $rc
}
say "Runtime install (a fresh venv with pip install ., no dev extra), then the suite on SQLite and on PostgreSQL, side by side"
run_logged runtime-install "$BIN/pytest" -p no:cacheprovider --runtime-install tests/install \
  --junitxml=test-artifacts/junit-install.xml &
install_pid=$!
DATABASE_URL="sqlite:///$ROOT/var/test.sqlite3" run_logged sqlite "$BIN/pytest" -p no:cacheprovider \
  --junitxml=test-artifacts/junit-sqlite.xml "$@" &
sqlite_pid=$!
DATABASE_URL="$PG_URL" run_logged postgresql "$BIN/pytest" -p no:cacheprovider \
  --junitxml=test-artifacts/junit-postgresql.xml "$@" &
pg_pid=$!
wait $install_pid; install_status=$?
wait $sqlite_pid; sqlite_status=$?
wait $pg_pid; pg_status=$?

say "Summary"
echo "static checks: $([ $status -eq 0 ] && echo ok || echo FAILED)"
echo "runtime install: $([ $install_status -eq 0 ] && echo passed || echo "FAILED (exit $install_status)")"
echo "SQLite run:    $([ $sqlite_status -eq 0 ] && echo passed || echo "FAILED (exit $sqlite_status)")"
echo "PostgreSQL run: $([ $pg_status -eq 0 ] && echo passed || echo "FAILED (exit $pg_status)")"
# One plain closing line over all runs.
"$BIN/python" - <<'PY'
import xml.etree.ElementTree as ET
from pathlib import Path
passed = failed = skipped = 0
for name in ("junit-install.xml", "junit-sqlite.xml", "junit-postgresql.xml"):
    path = Path("test-artifacts") / name
    if not path.exists():
        continue
    for suite in ET.parse(path).getroot().iter("testsuite"):
        t, f, e, s = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        passed += t - f - e - s
        failed += f + e
        skipped += s
print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
PY
[ $status -eq 0 ] && [ $install_status -eq 0 ] && [ $sqlite_status -eq 0 ] && [ $pg_status -eq 0 ]

#!/usr/bin/env bash
# make demo: migrate the embedded SQLite database, load the demo data and serve the app
# with gunicorn on http://127.0.0.1:${PORT:-8000}, beside the task worker and the
# scheduler. Ctrl-C (or SIGTERM to this script) stops all three.
#
# TRYGG_VENV names the virtual environment to run from (default .venv, which make demo
# installs); the runtime-install test runs this very script from a fresh one.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${TRYGG_VENV:-.venv}/bin"
PORT="${PORT:-8000}"
export DATA_DIR="${DATA_DIR:-$PWD/var}"
mkdir -p "$DATA_DIR"
# A secret of the demo installation's own, made once (never committed: var/ is ignored).
if [ ! -s "$DATA_DIR/demo-secret-key" ]; then
  "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$DATA_DIR/demo-secret-key"
fi
export SECRET_KEY="${SECRET_KEY:-$(cat "$DATA_DIR/demo-secret-key")}"
export DEBUG="${DEBUG:-0}"
export SECURE_HTTPS="${SECURE_HTTPS:-0}"          # plain http on this machine
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"
# The police's events feed, followed every 10 minutes: in the demo a recording bundled with
# Trygg (written by load_demo; no network). Set POLICE_FEED_URL=https://polisen.se/api/events
# to follow the real feed.
export POLICE_FEED_URL="${POLICE_FEED_URL:-file://$DATA_DIR/media/demo/polisen-feed.json}"
# Links in e-mails point at this demo, on the port it runs on.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:${PORT}}"

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput -v 0
"$BIN/python" manage.py load_demo

site="http://127.0.0.1:${PORT}"
cat <<EOF

Trygg demo: ${site}/  (password for every demo login: trygg-demo)
  Staff logins: samordnare (coordinator), analytiker, polis, bostad, teknik, falt, lasare, admin
  The public site (no login):
    ${site}/rapportera/           report an unsafe place
    ${site}/arenden/              reported places and their status
    ${site}/trygghetsvandringar/  published safety-walk protocols
    ${site}/atgardsplan/          the action plan
    ${site}/open311/discovery.json  Open311 GeoReport v2
  E-mails (password reset, cases, reminders, serious-event alerts) are printed here, in
  this terminal. The police feed is followed from ${POLICE_FEED_URL}.
  A serious event and its brief: ${site}/lagesbild/handelser/
  Stop with Ctrl-C: it stops the web server, the task worker and the scheduler.

EOF

pids=()
# A process and everything below it (gunicorn's workers, say), children first.
tree() {
  local pid child
  for pid in "$@"; do
    for child in $(pgrep -P "$pid" 2>/dev/null); do tree "$child"; done
    echo "$pid"
  done
}
stop() {
  trap - INT TERM EXIT
  local all alive
  all=$(tree "${pids[@]}")
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 150); do  # up to 15 s for a graceful stop
    alive=0
    for pid in $all; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  # Whatever still runs (a worker its master left behind) is stopped now.
  kill -KILL $all 2>/dev/null || true
  wait 2>/dev/null || true
  echo "Trygg demo stopped (web server, task worker, scheduler)."
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# The task worker (imports, documents, e-mail), the scheduler of the recurring jobs
# (overdue-case reminders, housekeeping) and the web server.
"$BIN/python" manage.py run_worker --interval 1 &
pids+=($!)
"$BIN/python" manage.py run_scheduler &
pids+=($!)
"$BIN/gunicorn" trygg.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 \
  --graceful-timeout 5 --access-logfile - --forwarded-allow-ips 127.0.0.1 &
pids+=($!)

# Whichever ends first (none should) takes the others down with it.
status=0
wait -n || status=$?
echo "A demo process ended (exit ${status}); stopping the others."
exit "$status"

#!/usr/bin/env bash
# make demo: migrate the embedded SQLite database, load the demo data and serve the app
# with gunicorn on http://127.0.0.1:${PORT:-8000}.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var
# A secret of the demo installation's own, made once (never committed: var/ is ignored).
if [ ! -s var/demo-secret-key ]; then
  "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > var/demo-secret-key
fi
export SECRET_KEY="${SECRET_KEY:-$(cat var/demo-secret-key)}"
export DEBUG="${DEBUG:-0}"
export SECURE_HTTPS="${SECURE_HTTPS:-0}"          # plain http on this machine
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"
PORT="${PORT:-8000}"

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput -v 0
"$BIN/python" manage.py load_demo
echo
echo "Trygg demo: http://127.0.0.1:${PORT}/  (password for every demo login: trygg-demo)"
echo "E-mails (password reset, cases, reminders) are printed here, in this terminal."
echo "The public site: http://127.0.0.1:${PORT}/rapportera/  ·  Open311: http://127.0.0.1:${PORT}/open311/discovery.json"
echo
# The task worker (imports, documents, e-mail) and the scheduler of the daily jobs
# (overdue-case reminders, housekeeping).
"$BIN/python" manage.py db_worker --interval 1 &
worker=$!
"$BIN/python" manage.py run_scheduler &
scheduler=$!
trap 'kill "$worker" "$scheduler" 2>/dev/null' EXIT INT TERM
"$BIN/gunicorn" trygg.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 \
  --access-logfile - --forwarded-allow-ips 127.0.0.1

#!/bin/sh
# make bench: recreate the bench database, generate the data set, measure, write docs/performance.*
# Needs DATABASE_URL naming a database whose name contains "bench" (it is dropped and recreated).
# BENCH_SCALE=0.01 runs at 1 % (10 000 institutions) for development; BENCH_ITERATIONS=1000.
set -eu
: "${DATABASE_URL:?set DATABASE_URL=postgres://…/tuoyu_bench}"
case "$DATABASE_URL" in *bench*) ;; *) echo "refusing: DATABASE_URL must name a *bench* database"; exit 2;; esac
PY=${PY:-.venv/bin/python}
SCALE=${BENCH_SCALE:-1.0}
ITER=${BENCH_ITERATIONS:-1000}
export TWO_FACTOR_REQUIRED=0
# Measured as deployed: DEBUG off (no query log), throwaway keys for this run only, plain HTTP on
# loopback. The in-process measurements turn the public response cache off themselves.
export DEBUG=0 SECURE_SSL_REDIRECT=0
: "${SECRET_KEY:=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}"
: "${FIELD_ENCRYPTION_KEY:=$($PY -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')}"
export SECRET_KEY FIELD_ENCRYPTION_KEY
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q wrk >/dev/null || echo "could not install wrk";
  else echo "wrk is missing: run 'sudo apt-get install -y wrk' (the HTTP figures will be skipped)"; fi
fi
# Parsed, not cut with ${…%/*}: the URL may name a socket directory or carry ?options.
db=$($PY -m tuoyu_portal.service_urls dbname "$DATABASE_URL")
admin_url=$($PY -m tuoyu_portal.service_urls with-dbname "$DATABASE_URL" postgres)
$PY - "$admin_url" "$db" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PYEOF
$PY manage.py migrate -v0
$PY manage.py load_regions >/dev/null
$PY bench/generate.py --scale "$SCALE"
$PY manage.py collectstatic --noinput -v0  # DEBUG off: the admin pages need the static manifest
$PY bench/measure.py --iterations "$ITER"
$PY bench/http_load.py
if [ -z "${BENCH_SKIP_PUSH:-}" ] && [ -f bench/push.py ]; then $PY bench/push.py || echo "push figures failed"; fi
$PY bench/report.py

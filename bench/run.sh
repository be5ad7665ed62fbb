#!/bin/sh
# make bench: for each scale, recreate the bench database, generate the data set and measure it;
# then write docs/performance.* with every figure as a curve over the scales.
# Needs DATABASE_URL naming a database whose name contains "bench" (it is dropped and recreated).
# BENCH_SCALES="0.1 0.3 1.0" (the default) are the scales of one run; BENCH_SCALE=0.01 runs one
# scale alone for development. BENCH_ITERATIONS=1000 per round of the hot endpoints;
# BENCH_SCAN_TIMEOUT=120 s per scan, BENCH_SCAN_ITERATIONS=300, BENCH_PUSH_APPROVALS=500.
set -eu
: "${DATABASE_URL:?set DATABASE_URL=postgres://…/tuoyu_bench}"
case "$DATABASE_URL" in *bench*) ;; *) echo "refusing: DATABASE_URL must name a *bench* database"; exit 2;; esac
PY=${PY:-.venv/bin/python}
if [ -n "${BENCH_SCALE:-}" ]; then SCALES=$BENCH_SCALE; else SCALES=${BENCH_SCALES:-0.1 0.3 1.0}; fi
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
$PY manage.py collectstatic --noinput -v0  # DEBUG off: the admin pages need the static manifest
# Figures of an earlier run must not leak into this one's curves.
rm -rf .data/bench
for scale in $SCALES; do
  echo "== scale $scale"
  out=.data/bench/$scale
  mkdir -p "$out"
  export BENCH_GENERATE_OUT=$out/bench_generate.json BENCH_MEASURE_OUT=$out/bench_measure.json \
    BENCH_HTTP_OUT=$out/bench_http.json BENCH_PUSH_OUT=$out/bench_push.json \
    BENCH_NOTIFY_OUT=$out/bench_notify.json BENCH_SCANS_OUT=$out/bench_scans.json
  $PY - "$admin_url" "$db" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PYEOF
  $PY manage.py migrate -v0
  $PY manage.py load_regions >/dev/null
  $PY bench/generate.py --scale "$scale"
  $PY bench/measure.py --iterations "$ITER"
  $PY bench/http_load.py
  # After the read figures: the scans write (flags, notifications) and the push adds rows.
  $PY bench/scans.py || echo "scan figures failed"
  if [ -z "${BENCH_SKIP_PUSH:-}" ] && [ -f bench/push.py ]; then $PY bench/push.py --approvals "${BENCH_PUSH_APPROVALS:-500}" || echo "push figures failed"; fi
done
$PY bench/report.py $SCALES

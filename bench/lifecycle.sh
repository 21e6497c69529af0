#!/usr/bin/env bash
# The lifecycle benchmark in one command (bench/lifecycle.md): a migrated database, fresh bench accounts
# and tokens, gunicorn with N workers against PostgreSQL (--preload: the application and its URLs are loaded once,
# before the workers fork, so no worker spends the measured seconds importing), wrk (or the Python client) driving the API,
# pgbench -N in the same run; gunicorn is stopped at the end.
#
#   bench/lifecycle.sh                                  # defaults below
#   WORKERS=4 CLIENTS=8 DURATION=20 PORT=8000 DB=motcua_bench bench/lifecycle.sh [--client python -n 100 …]
#   CHAINER=0 bench/lifecycle.sh                        # without the audit chainer (the figures before 04/12/2026)
#
# The audit chainer (manage.py chain_audit) runs beside gunicorn, as in production: it links every entry the
# transitions write into the hash chain, and its CPU is printed with the rest. The entries left unchained by
# earlier runs are chained first, before the load.
#
# Extra arguments go to bench/lifecycle.py. Needs PostgreSQL (PG_URL), pgbench and wrk (apt-get install
# postgresql-contrib wrk; scripts/system-packages.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB=${DB:-motcua_bench}
PORT=${PORT:-8000}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-1}
CLIENTS=${CLIENTS:-8}
DURATION=${DURATION:-20}
PGBENCH_SECONDS=${PGBENCH_SECONDS:-10}
PY=${PY:-.venv/bin/python}
CHAINER=${CHAINER:-1}
export DATABASE_URL="${PG_URL%/*}/$DB" MOTCUA_DEMO=${MOTCUA_DEMO:-1} MOTCUA_CONN_MAX_AGE=600 PYTHONPATH=src

"$PY" - <<EOF
import psycopg
with psycopg.connect("$PG_URL", autocommit=True) as c:
    if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", ["$DB"]).fetchone():
        c.execute('CREATE DATABASE "$DB"')
EOF
"$PY" manage.py migrate --noinput -v 0
mkdir -p var
"$PY" manage.py bench_setup --citizens "$CLIENTS" --steps 2 > var/bench.json

CHAIN=()
if [ "$CHAINER" != 0 ]; then
    "$PY" manage.py chain_audit --once >/dev/null
    "$PY" manage.py chain_audit &
    CHAIN=(--chainer-pid "$!")
fi

"$(dirname "$PY")/gunicorn" motcua.wsgi --preload -w "$WORKERS" --threads "$THREADS" -b "127.0.0.1:$PORT" \
    --access-logfile /dev/null --no-control-socket --pid var/bench-gunicorn.pid &
GUNICORN=$!
trap 'kill "$GUNICORN" ${CHAIN[1]:-} 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break
    sleep 0.2
done

"$PY" bench/lifecycle.py --base-url "http://127.0.0.1:$PORT" --setup var/bench.json --pg-url "$PG_URL" \
    -c "$CLIENTS" --duration "$DURATION" --pgbench-seconds "$PGBENCH_SECONDS" --server-pid "$GUNICORN" "${CHAIN[@]}" "$@"

#!/usr/bin/env bash
# What the submissions' share lock on the province's unit row costs (dossiers.lifecycle.intake_reads: every submission
# into a provincial department reads its unit's row and its agency's row FOR SHARE, so all of them lock the one row of
# the province). pgbench, on a scratch database of the same server, in alternating rounds:
#   shared:   SELECT … FROM agency JOIN unit … FOR SHARE OF u, g; INSERT a dossier (foreign key to the agency)
#   advisory: the same statements without FOR SHARE, after a shared advisory lock on the unit (the lock a writer
#             could take exclusively instead: no row written, one statement more)
#   baseline: the same statements without any lock
# 30 departments of one unit, each transaction at a random one. Prints tps and mean latency of each, side by side.
#
#   bench/shared_row_lock.sh                      # CLIENTS="16 64" SECONDS_EACH=15 ROUNDS=2
set -euo pipefail
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB=motcua_bench_sharelock
CLIENTS=${CLIENTS:-"16 64"}
SECONDS_EACH=${SECONDS_EACH:-15}
ROUNDS=${ROUNDS:-2}
BASE=${PG_URL%/*}
export PGOPTIONS="-c client_min_messages=warning"
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
psql -q "$BASE/$DB" >/dev/null <<'SQL'
CREATE TABLE unit (id int PRIMARY KEY, valid_to date);
CREATE TABLE agency (id int PRIMARY KEY, unit_id int NOT NULL REFERENCES unit, is_active bool NOT NULL);
CREATE TABLE dossier (id bigserial PRIMARY KEY, agency_id int NOT NULL REFERENCES agency, note text);
INSERT INTO unit VALUES (1, NULL);
INSERT INTO agency SELECT g, 1, true FROM generate_series(1, 30) g;
SQL
for mode in shared advisory baseline; do
  lock=""; [ "$mode" = shared ] && lock=" FOR SHARE OF u, g"
  advisory=""; [ "$mode" = advisory ] && advisory="SELECT pg_advisory_xact_lock_shared(424242, 1);"
  cat > "$work/$mode.sql" <<SQL
\set a random(1, 30)
BEGIN;
$advisory
SELECT g.is_active, u.valid_to FROM agency g JOIN unit u ON u.id = g.unit_id WHERE g.id = :a$lock;
INSERT INTO dossier(agency_id, note) VALUES (:a, 'x');
COMMIT;
SQL
done
printf '%-8s %-6s %-10s %12s %14s\n' round clients mode tps "latency (ms)"
for round in $(seq 1 "$ROUNDS"); do
  for c in $CLIENTS; do
    for mode in shared advisory baseline; do
      out=$(pgbench -n -f "$work/$mode.sql" -c "$c" -j 2 -T "$SECONDS_EACH" "$BASE/$DB" 2>/dev/null)
      tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
      lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
      printf '%-8s %-6s %-10s %12.1f %14.3f\n' "$round" "$c" "$mode" "$tps" "$lat"
    done
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

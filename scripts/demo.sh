#!/usr/bin/env bash
# Runs the demo: national-system simulators, task worker, outbox dispatcher, statistics consumer, audit chainer
# and the web server on http://127.0.0.1:8000. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONUNBUFFERED=1
# Demo mode: demo keys and plain HTTP are accepted (production refuses both, see docs/operations.md).
export MOTCUA_DEMO=1
# Demo accounts have no authenticator app: the officer surfaces skip the second factor (production: on).
export MOTCUA_OFFICER_2FA="${MOTCUA_OFFICER_2FA:-0}"
mkdir -p var/log
# Pages name the static files by their hashed names (settings.STORAGES): collected before anything is served.
$PY manage.py collectstatic --noinput -v0
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

$PY manage.py run_simulators > var/log/simulators.log 2>&1 & pids+=($!)
for _ in $(seq 1 100); do grep -q "^export MOTCUA_INTEGRATIONS=" var/log/simulators.log 2>/dev/null && break; sleep 0.2; done
if grep -q "^export MOTCUA_INTEGRATIONS=" var/log/simulators.log; then
  eval "$(grep '^export MOTCUA_INTEGRATIONS=' var/log/simulators.log | head -n 1)"
else
  echo "Cảnh báo: hệ thống giả lập không khởi động được (xem var/log/simulators.log); chạy tiếp không tích hợp." >&2
fi

$PY manage.py db_worker > var/log/worker.log 2>&1 & pids+=($!)
$PY manage.py dispatch_outbox > var/log/dispatch.log 2>&1 & pids+=($!)
$PY manage.py consume_events --loop > var/log/consumer.log 2>&1 & pids+=($!)
$PY manage.py chain_audit > var/log/chainer.log 2>&1 & pids+=($!)
$PY manage.py anchor_audit --every 300 > var/log/anchors.log 2>&1 & pids+=($!)

cat <<MSG

  Một Cửa Số đang chạy tại http://127.0.0.1:8000
  Cổng công dân: /   Cán bộ: /can-bo/   Thống kê: /thong-ke/   Quản trị: /admin/   API: /api/v1/docs
  Tài khoản mẫu: xem bảng ở trên (ví dụ congdan / congdan123, motcua.xa / motcua123, admin / admin123).
  Nhật ký các tiến trình nền: var/log/

MSG
.venv/bin/gunicorn --pythonpath src motcua.wsgi -b 127.0.0.1:8000 -w 3 --access-logfile - \
  --logger-class motcua.core.access_log.MaskedLogger &
pids+=($!)
wait "${pids[-1]}"

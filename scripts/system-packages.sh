#!/usr/bin/env bash
# Debian packages the system and its tests use: browser, OCR, fonts, PDF tools, PostgreSQL client tools,
# the highly available cluster of the failover drill (PostgreSQL server, Patroni, etcd, pgbouncer, haproxy),
# and wrk, the load generator of bench/lifecycle.py (≈ 0,5 ms of CPU per call; its Python client cost 1,5–4,5 ms).
# libreoffice-writer-nogui: the smallest Debian package that turns a .docx into PDF (soffice --headless
# --convert-to pdf), used by the browser journey that prints the annual digital-transformation report;
# on Debian 12 it adds 49 packages, 84 MB to download, 259 MB on disk, about 25 s to install.
# gettext: msgfmt compiles src/motcua/locale/vi/LC_MESSAGES/django.po (the .mo is committed as well).
set -euo pipefail
PKGS="chromium tesseract-ocr tesseract-ocr-vie fonts-liberation2 fonts-dejavu-core poppler-utils postgresql-contrib
postgresql-client libreoffice-writer-nogui postgresql patroni etcd-server pgbouncer haproxy wrk gettext"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != "0" ]; then echo "Install as root:$missing" >&2; exit 1; fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

#!/usr/bin/env bash
# Prints a Python 3.12+ interpreter, or fails loudly: Django 6.x needs 3.12.
for candidate in "${MOTCUA_PYTHON:-}" /root/.pyenv/versions/3.12.1/bin/python python3.13 python3.12 \
    /usr/bin/python3.13 /usr/bin/python3.12 python3; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    command -v "$candidate"
    exit 0
  fi
done
echo "ERROR: Python 3.12 or newer is required (set MOTCUA_PYTHON). Found none." >&2
exit 1

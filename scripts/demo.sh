#!/usr/bin/env bash
# Install Lá Chắn into .venv and run the demo on the embedded default (SQLite, no other service):
# creates ./var, seeds the fictional demo province, prints the logins, serves http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv; then
    echo "Cannot create a virtual environment. On Debian: sudo apt-get install -y python3-venv" >&2
    exit 1
  fi
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/lachan demo "$@"

#!/usr/bin/env bash
# Install Lá Chắn with its test dependencies into .venv and run the whole suite,
# first on SQLite (the embedded default), then on PostgreSQL.
#
#   LACHAN_TEST_POSTGRES_URL  PostgreSQL server to test against
#                             (default postgres://postgres@127.0.0.1:5432/lachan)
#   LACHAN_SKIP_POSTGRES=1    run only the SQLite pass
#   LACHAN_SHARED_DATA        public reference data (default ../shared/data)
#
# The browser tests need Debian's Chromium (/usr/bin/chromium), which needs root to install:
#   sudo apt-get install -y chromium
# Without it they are skipped with that message.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

if [ ! -x /usr/bin/chromium ]; then
  echo "NOTE: /usr/bin/chromium not found: browser tests will be skipped. Install it with: sudo apt-get install -y chromium"
fi

export LACHAN_HOME=${LACHAN_HOME:-$(mktemp -d)}
status=0

echo "=== Test pass 1/2: SQLite ==="
env -u DATABASE_URL .venv/bin/python -m pytest "$@" || status=$?

if [ "${LACHAN_SKIP_POSTGRES:-0}" != "1" ]; then
  PG_URL=${LACHAN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/lachan}
  echo "=== Test pass 2/2: PostgreSQL ($PG_URL) ==="
  DATABASE_URL="$PG_URL" .venv/bin/python -m pytest "$@" || status=$?
fi
exit $status

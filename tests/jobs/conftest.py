from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from django.conf import settings as django_settings

# The real-worker test needs a database that a second process can open. On SQLite the test
# database is in memory unless LACHAN_TEST_SQLITE names a file; give it a file for this run.
# (Set here, at collection, before pytest-django creates the test database.)
_default = django_settings.DATABASES["default"]
if _default["ENGINE"] == "django.db.backends.sqlite3" and not _default.get("TEST", {}).get("NAME"):
    _tmp = tempfile.mkdtemp(prefix="lachan-test-")
    atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
    _default.setdefault("TEST", {})["NAME"] = str(Path(_tmp) / "test.sqlite3")

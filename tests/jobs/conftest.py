from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from notifications.mailserver import MailServer, use_smtp

# The real-worker test needs a database that a second process can open. On SQLite the test
# database is in memory unless LACHAN_TEST_SQLITE names a file; give it a file for this run.
# (Set here, at collection, before pytest-django creates the test database.)
_default = django_settings.DATABASES["default"]
if _default["ENGINE"] == "django.db.backends.sqlite3" and not _default.get("TEST", {}).get("NAME"):
    _tmp = tempfile.mkdtemp(prefix="lachan-test-")
    atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
    _default.setdefault("TEST", {})["NAME"] = str(Path(_tmp) / "test.sqlite3")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def smtp_server():
    server = MailServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp(settings, smtp_server) -> MailServer:
    use_smtp(settings, smtp_server)
    return smtp_server

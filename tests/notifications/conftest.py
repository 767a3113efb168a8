from __future__ import annotations

import pytest

from .mailserver import MailServer, use_smtp


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 and a free port, stopped after the test."""
    server = MailServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp(settings, smtp_server) -> MailServer:
    """Django's SMTP backend pointed at ``smtp_server``."""
    use_smtp(settings, smtp_server)
    return smtp_server


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

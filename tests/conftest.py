"""Shared test vocabulary: a small unit tree and ``login_as(role, unit)``.

The tree::

    SO  Sở Giáo dục và Đào tạo (so)
    ├── SO-VP   Văn phòng Sở (phong)
    ├── THPT-A  Trường THPT Lê Lợi (thpt)          ← "school A"
    ├── THPT-B  Trường THPT Nguyễn Trãi (thpt)     ← "school B"
    └── CUM-1   Cụm trường phường Hòa Bình (khac)
        └── THCS-C  Trường THCS Hòa Bình (thcs)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from lachan.org.models import Role, Unit

SHARED_DATA = Path(
    os.environ.get("LACHAN_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


@dataclass
class Tree:
    so: Unit
    vp: Unit
    a: Unit
    b: Unit
    cum: Unit
    c: Unit


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Argon2 is the production hasher (see test_settings); tests hash with MD5 for speed."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.LACHAN_REQUIRE_2FA_DEPARTMENT = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.AXES_ENABLED = True


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return any(n in request.fixturenames for n in ("transactional_db", "live_server"))


@pytest.fixture(autouse=True)
def _audit_log_flushable(request):
    """Let pytest-django empty the database after a transactional test.

    The audit log refuses DELETE at the database level; emptying a test database is one of the
    two sanctioned exceptions (see lachan.audit.maintenance). A permit row is left for the flush
    and removed again when the next database test starts.
    """
    marker = request.node.get_closest_marker("django_db")
    if not marker and not _is_transactional(request):
        yield
        return
    from django.db import connection

    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_purge_permit")
    yield
    if _is_transactional(request):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO audit_purge_permit (reason) VALUES ('test database flush')")


def build_tree() -> Tree:
    """Create the test unit tree through the services (also used by module-scoped fixtures)."""
    from lachan.org.services import save_unit

    so, _ = save_unit(
        actor=None,
        code="SO",
        name="Sở Giáo dục và Đào tạo",
        short_name="Sở GDĐT",
        type="so",
        email="so@example.edu.vn",
    )
    vp, _ = save_unit(actor=None, code="SO-VP", name="Văn phòng Sở", type="phong", parent=so)
    a, _ = save_unit(
        actor=None,
        code="THPT-A",
        name="Trường THPT Lê Lợi",
        short_name="THPT Lê Lợi",
        type="thpt",
        parent=so,
        it_officer_name="Nguyễn Văn An",
        it_officer_email="it.a@example.edu.vn",
    )
    b, _ = save_unit(
        actor=None,
        code="THPT-B",
        name="Trường THPT Nguyễn Trãi",
        short_name="THPT Nguyễn Trãi",
        type="thpt",
        parent=so,
        it_officer_name="Trần Thị Bình",
        it_officer_email="it.b@example.edu.vn",
    )
    cum, _ = save_unit(
        actor=None, code="CUM-1", name="Cụm trường phường Hòa Bình", type="khac", parent=so
    )
    c, _ = save_unit(
        actor=None,
        code="THCS-C",
        name="Trường THCS Hòa Bình",
        type="thcs",
        parent=cum,
        it_officer_email="it.c@example.edu.vn",
    )
    return Tree(so=so, vp=vp, a=a, b=b, cum=cum, c=c)


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@pytest.fixture
def make_user(db):
    """make_user(role, unit, username=None) -> a user holding ``role`` over ``unit``."""
    from django.contrib.auth import get_user_model

    from lachan.org.models import RoleAssignment

    counter = {"n": 0}

    def _make(role: str | None, unit: Unit | None, username: str | None = None, **extra):
        counter["n"] += 1
        username = (
            username or f"{role or 'user'}_{unit.code.lower() if unit else 'none'}_{counter['n']}"
        )
        user = get_user_model().objects.create_user(
            username=username,
            password="Mat-khau-thu-nghiem-123",
            email=f"{username}@example.edu.vn",
            **extra,
        )
        if role and unit:
            RoleAssignment.objects.create(user=user, unit=unit, role=role)
        return user

    return _make


@pytest.fixture
def login_as(client, make_user):
    """login_as(role, unit) -> user, with the test client logged in as that user."""

    def _login(role: str | None, unit: Unit | None, **kw):
        user = make_user(role, unit, **kw)
        client.force_login(user)
        return user

    return _login


@pytest.fixture
def dept_admin(make_user, tree):
    return make_user(Role.DEPT_ADMIN, tree.so, username="admin_so")


@pytest.fixture
def dept_officer(make_user, tree):
    return make_user(Role.DEPT_SECURITY, tree.so, username="attt_so")


@pytest.fixture
def it_a(make_user, tree):
    return make_user(Role.UNIT_IT, tree.a, username="it_a")


@pytest.fixture
def it_b(make_user, tree):
    return make_user(Role.UNIT_IT, tree.b, username="it_b")


@pytest.fixture
def shared_data() -> Path:
    """The public reference data in ../shared/data (LACHAN_SHARED_DATA); skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared reference data not found at {SHARED_DATA} (set LACHAN_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, stopped after the test."""
    from notifications.mailserver import MailServer

    server = MailServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp(settings, smtp_server):
    """Django's SMTP backend pointed at ``smtp_server``."""
    from notifications.mailserver import use_smtp

    use_smtp(settings, smtp_server)
    return smtp_server

"""The production path: Redis as the broker, a real ``lachan worker`` process, a real SMTP server.

The test process and the worker share the test database (a file for SQLite, the test
database pytest-django created for PostgreSQL), so the worker sees what the test committed
(``transaction=True``). Redis database 5 is flushed before and after.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from lachan.notifications.models import Notification, NotificationStatus
from lachan.remediation import services as rs
from lachan.remediation.models import Task

BROKER_URL = os.environ.get("LACHAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_broker():
    import redis

    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {BROKER_URL} ({exc}); start redis-server to run")
    client.flushdb()
    try:
        yield BROKER_URL
    finally:
        client.flushdb()
        client.close()


def _database_url_for_worker() -> str:
    """The URL of the database this test runs on, for a second process."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            pytest.skip("the SQLite test database is in memory; set LACHAN_TEST_SQLITE to a file")
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    user = quote(s.get("USER") or "")
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


class WorkerProcess:
    def __init__(self, env: dict[str, str]) -> None:
        lachan = Path(sys.executable).with_name("lachan")
        self.name = f"lachan-test-{uuid.uuid4().hex[:8]}@%h"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [
                str(lachan),
                "worker",
                "--loglevel=INFO",
                "--queues=celery",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname={self.name}",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def log(self) -> str:
        return "\n".join(self.lines[-60:])

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(" ready." in line for line in self.lines):
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"the worker exited early:\n{self.log()}")
            time.sleep(0.2)
        raise AssertionError(f"the worker was not ready within {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.reader.join(timeout=5)


@pytest.fixture
def worker(transactional_db, redis_broker, smtp, settings):
    """A ``lachan worker`` on the test database; this process publishes to the same Redis."""
    from lachan.celery import app

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lachan.web.settings",
        "DATABASE_URL": _database_url_for_worker(),
        "LACHAN_HOME": str(django_settings.LACHAN_HOME),
        "LACHAN_BROKER_URL": redis_broker,
        "LACHAN_EMAIL_HOST": smtp.host,
        "LACHAN_EMAIL_PORT": str(smtp.port),
        "LACHAN_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "LACHAN_LOG_LEVEL": "INFO",
    }
    env.pop("LACHAN_TEST_SQLITE", None)
    settings.CELERY_BROKER_URL = redis_broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Earlier tests in this process may have used the app (its configuration is read once and
    # then cached): point it at this broker and drop any connection it kept.
    previous = (app.conf.broker_url, app.conf.task_always_eager)
    _forget_connections(app)
    app.conf.broker_url = redis_broker
    app.conf.task_always_eager = False
    process = WorkerProcess(env)
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()
        # Forget the broker connections this process opened for the test.
        _forget_connections(app)
        app.conf.broker_url, app.conf.task_always_eager = previous


def _forget_connections(app) -> None:
    if app._pool is not None:
        app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def _wait_rows(qs, count: int, timeout: float = 90.0) -> list[Notification]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = list(qs.filter(status=NotificationStatus.SENT))
        if len(rows) >= count:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"rows not sent in {timeout}s: {list(qs.values('status', 'error'))}")


def test_worker_delivers_task_mail_and_runs_reminders(worker, smtp, tree, dept_officer, it_a):
    # 1. A service write in this process: after commit the ids go to Redis, the worker sends.
    task = rs.create_task(
        actor=dept_officer,
        unit=tree.a,
        title="Gỡ mã độc botnet trên máy phòng thư viện",
        due_date=timezone.localdate() - dt.timedelta(days=2),
    )
    rows = Notification.objects.filter(event="task.assigned", object_id=str(task.pk))
    assert rows.count() == 2
    received = smtp.wait_for(2, timeout=90)
    assert sorted(r for m in received for r in m.recipients) == [
        "it.a@example.edu.vn",
        "it_a@example.edu.vn",
    ]
    assert received[0].subject == (
        "[Lá Chắn] Việc mới cần xử lý: Gỡ mã độc botnet trên máy phòng thư viện"
    )
    assert f"/tasks/{task.pk}/" in received[0].body
    sent = _wait_rows(rows, 2)
    assert all(n.attempts == 1 and n.sent_at for n in sent)
    smtp.clear()

    # 2. A reminder job enqueued by name, as beat does; the worker runs it and then delivers.
    from lachan.remediation.tasks import send_overdue_reminders

    send_overdue_reminders.delay(timezone.localdate().isoformat())
    overdue = Notification.objects.filter(event="task.overdue", object_id=str(task.pk))
    _wait_rows(overdue, 2)
    received = smtp.wait_for(2, timeout=90)
    assert all(m.subject.startswith("[Lá Chắn] QUÁ HẠN") for m in received)
    due = (timezone.localdate() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    assert f"Hạn xử lý: {due}" in received[0].body
    assert Task.objects.get(pk=task.pk).reminded_overdue_on == timezone.localdate()
    assert "lachan.remediation.send_overdue_reminders" in worker.log()

    # 3. Delivery of existing rows by id, as the service queues it.
    from lachan.notifications.tasks import deliver_notifications

    smtp.clear()
    extra = Notification.objects.create(
        event="task.manual",
        recipient="tro-giup@example.edu.vn",
        subject="Thử kênh thư",
        body="Nội dung thử.",
        unit=tree.a,
    )
    deliver_notifications.delay([extra.pk])
    _wait_rows(Notification.objects.filter(pk=extra.pk), 1)
    assert [m.recipients for m in smtp.wait_for(1)] == [["tro-giup@example.edu.vn"]]

"""The beat schedule (production) and the embedded scheduler thread (no broker)."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import pytest
from django.utils import timezone

from lachan.celery import EmbeddedScheduler, app
from lachan.remediation import services as rs
from lachan.remediation.models import Task

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def test_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert set(schedule) == {
        "remind-due-soon",
        "remind-overdue",
        "remind-campaigns",  # lachan.awareness: campaign deadlines
        "retry-notifications",
        "send-drill-emails",  # lachan.drills: every minute
    }
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
    due_soon = schedule["remind-due-soon"]["schedule"]
    assert due_soon.hour == {7} and due_soon.minute == {0}
    assert schedule["retry-notifications"]["schedule"].minute == {0, 15, 30, 45}
    assert schedule["send-drill-emails"]["schedule"].minute == set(range(60))
    assert str(app.conf.timezone) == "Asia/Ho_Chi_Minh"
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


# The scheduler closes "old" connections, which would end a test wrapped in a transaction.
@pytest.mark.django_db(transaction=True)
def test_database_scheduler_stores_the_schedule():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    DatabaseScheduler(app=app)  # beat does this at start-up
    rows = {t.name: t for t in PeriodicTask.objects.filter(crontab__isnull=False)}
    assert rows["remind-due-soon"].task == "lachan.remediation.send_due_soon_reminders"
    assert rows["remind-due-soon"].crontab.hour == "7"
    assert rows["remind-due-soon"].crontab.minute == "0"
    assert str(rows["remind-due-soon"].crontab.timezone) == "Asia/Ho_Chi_Minh"
    assert rows["remind-overdue"].task == "lachan.remediation.send_overdue_reminders"
    assert rows["retry-notifications"].crontab.minute == "*/15"


def test_embedded_scheduler_next_run_is_seven_local_time():
    before = dt.datetime(2026, 3, 10, 6, 59, tzinfo=HCM)
    assert EmbeddedScheduler.next_reminder_run(before) == dt.datetime(2026, 3, 10, 7, 0, tzinfo=HCM)
    at = dt.datetime(2026, 3, 10, 7, 0, tzinfo=HCM)
    assert EmbeddedScheduler.next_reminder_run(at) == dt.datetime(2026, 3, 11, 7, 0, tzinfo=HCM)
    # 23:30 UTC is already 06:30 the next day in Vietnam.
    utc = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)
    assert EmbeddedScheduler.next_reminder_run(utc) == dt.datetime(2026, 3, 11, 7, 0, tzinfo=HCM)


@pytest.mark.django_db(transaction=True)
def test_embedded_scheduler_thread_runs_reminders_at_start(tree, dept_officer, it_a):
    task = rs.create_task(
        actor=dept_officer,
        unit=tree.a,
        title="Quá hạn từ hôm qua",
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )
    scheduler = EmbeddedScheduler(startup_delay=0)
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if Task.objects.get(pk=task.pk).reminded_overdue_on:
                break
            time.sleep(0.1)
    finally:
        scheduler.stop()
        scheduler.join(timeout=10)
    assert not scheduler.is_alive()
    assert Task.objects.get(pk=task.pk).reminded_overdue_on == timezone.localdate()

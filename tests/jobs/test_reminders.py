"""Reminder jobs with frozen dates: due soon (once per due date) and overdue (every N days)."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from lachan.notifications.models import Notification
from lachan.remediation import services as rs
from lachan.remediation.models import Task
from lachan.remediation.tasks import (
    run_reminders,
    send_due_soon_reminders,
    send_overdue_reminders,
)

TODAY = dt.date(2026, 3, 10)


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def make_task(tree, dept_officer):
    def _make(due_offset: int, unit=None, title: str | None = None) -> Task:
        return rs.create_task(
            actor=dept_officer,
            unit=unit or tree.a,
            title=title or f"Việc hạn {day(due_offset):%d/%m}",
            due_date=day(due_offset),
        )

    return _make


def _reminded(event: str) -> list[str]:
    return sorted(
        Notification.objects.filter(
            event=f"task.{event}", recipient="it.a@example.edu.vn"
        ).values_list("subject", flat=True)
    )


@pytest.mark.django_db
def test_due_soon_reminds_each_task_once_per_due_date(make_task, it_a, dept_officer):
    due = {n: make_task(n) for n in (-1, 0, 1, 3, 4)}
    submitted = make_task(2, title="Đã báo cáo")
    rs.submit_task(actor=it_a, task=submitted, answer_text="Xong.")
    returned = make_task(2, title="Bị trả lại")
    rs.submit_task(actor=it_a, task=returned, answer_text="Xong.")
    rs.return_task(actor=dept_officer, task=returned, reason="Thiếu minh chứng.")

    # Due today, in 1 and in 3 days, and the returned one (still the unit's work).
    assert send_due_soon_reminders(TODAY) == 4
    for n in (0, 1, 3):
        assert Task.objects.get(pk=due[n].pk).reminded_due_soon_on == TODAY
    for n in (-1, 4):
        assert Task.objects.get(pk=due[n].pk).reminded_due_soon_on is None
    assert Task.objects.get(pk=submitted.pk).reminded_due_soon_on is None
    assert "[Lá Chắn] Sắp đến hạn (13/03/2026): Việc hạn 13/03" in _reminded("due_soon")
    rows = Notification.objects.filter(event="task.due_soon", recipient="it.a@example.edu.vn")
    assert "Hôm nay (10/03/2026) là hạn chót" in rows.get(subject__contains="Việc hạn 10/03").body
    assert "còn 3 ngày" in rows.get(subject__contains="Việc hạn 13/03").body

    # Idempotent: the same day again sends nothing; the next day only the task that enters
    # its window (due in 4 days today, in 3 days tomorrow); then nothing again.
    assert send_due_soon_reminders(TODAY) == 0
    assert send_due_soon_reminders(day(1)) == 1
    assert send_due_soon_reminders(day(1).isoformat()) == 0  # as Celery passes it
    assert send_due_soon_reminders(day(2)) == 0
    assert Task.objects.get(pk=due[4].pk).reminded_due_soon_on == day(1)


@pytest.mark.django_db
def test_due_soon_again_when_the_due_date_moves(make_task):
    task = make_task(2)
    assert send_due_soon_reminders(TODAY) == 1
    # The Department extends the deadline by ten days: a new window, a new reminder.
    Task.objects.filter(pk=task.pk).update(due_date=day(12))
    assert send_due_soon_reminders(day(8)) == 0
    assert send_due_soon_reminders(day(9)) == 1
    assert len(_reminded("due_soon")) == 2


@pytest.mark.django_db
def test_overdue_first_day_then_every_seven_days(make_task):
    task = make_task(-1)  # due yesterday: today is the first overdue day
    on_time = make_task(0)
    assert send_overdue_reminders(TODAY) == 1
    assert Task.objects.get(pk=task.pk).reminded_overdue_on == TODAY
    assert Task.objects.get(pk=on_time.pk).reminded_overdue_on is None
    assert _reminded("overdue") == ["[Lá Chắn] QUÁ HẠN (09/03/2026): Việc hạn 09/03"]
    row = Notification.objects.get(event="task.overdue", recipient="it.a@example.edu.vn")
    assert "QUÁ HẠN xử lý 1 ngày (hạn chót ngày 09/03/2026)" in row.body

    for offset in range(0, 7):
        assert send_overdue_reminders(day(offset)) == (1 if offset == 1 else 0), offset
    # Day 1: the task due today became overdue; the first one waits for day 7.
    assert send_overdue_reminders(day(7)) == 1
    assert Task.objects.get(pk=task.pk).reminded_overdue_on == day(7)
    assert send_overdue_reminders(day(8)) == 1  # on_time's second reminder (first was day 1)
    assert send_overdue_reminders(day(8)) == 0


@pytest.mark.django_db
def test_overdue_interval_is_configurable(make_task):
    make_task(-5)
    assert send_overdue_reminders(TODAY, every_days=3) == 1
    assert send_overdue_reminders(day(2), every_days=3) == 0
    assert send_overdue_reminders(day(3), every_days=3) == 1


@pytest.mark.django_db
def test_finished_tasks_and_retired_units_get_no_reminders(make_task, tree, it_a, dept_officer):
    done = make_task(-3)
    rs.submit_task(actor=it_a, task=done, answer_text="Xong.")
    rs.verify_task(actor=dept_officer, task=done)
    cancelled = make_task(-3)
    rs.close_task(actor=dept_officer, task=cancelled, note="Không còn cần thiết.")
    make_task(-3, unit=tree.c)
    from lachan.org.services import retire_unit

    retire_unit(actor=None, unit=tree.c, valid_to=TODAY)
    assert run_reminders(TODAY) == {"due_soon": 0, "overdue": 0}


@pytest.mark.django_db
def test_reminders_run_from_the_cli(make_task):
    from lachan.cli import _load_commands, cli

    make_task(-2)
    make_task(1)
    _load_commands()
    runner = CliRunner()
    result = runner.invoke(
        cli, ["jobs", "run-reminders", "--today", "10/03/2026", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert '"job": "due_soon"' in result.output and '"tasks": 1' in result.output
    again = runner.invoke(cli, ["jobs", "run-reminders", "--today", "10/03/2026"])
    assert again.exit_code == 0
    assert "Nhắc việc ngày 10/03/2026" in again.output

    bad = runner.invoke(cli, ["jobs", "run-reminders", "--today", "2026-03-10"])
    assert bad.exit_code == 1
    assert "dd/mm/yyyy" in bad.output


@pytest.mark.django_db
def test_reminder_mail_goes_out_after_commit(make_task, it_a, django_capture_on_commit_callbacks):
    from django.core import mail

    make_task(-1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_reminders(TODAY) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["it.a@example.edu.vn", "it_a@example.edu.vn"]
    assert "Hạn xử lý: 09/03/2026" in mail.outbox[0].body

"""Reminder jobs: due in three days, overdue. Celery tasks, also run by ``lachan jobs``.

Both jobs take ``today`` (a date or an ISO string) so that tests, the CLI and a catch-up run
can say which day it is; without it they use today's date in Asia/Ho_Chi_Minh. Both are
idempotent: a task remembers when it was last reminded (``reminded_due_soon_on``,
``reminded_overdue_on``) and the check is repeated under a row lock, so running a job twice,
or on two machines at once, sends each reminder once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from celery import shared_task
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from lachan.notifications.services import notify_task_event

from .models import ACTIVE_STATUSES, Task
from .services import mark_reminded

DUE_SOON_DAYS = 3
OVERDUE_EVERY_DAYS = 7


def _as_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def needs_due_soon_reminder(task: Task, today: dt.date, days: int = DUE_SOON_DAYS) -> bool:
    """Active, due between today and ``days`` days from now, not yet reminded for this due date.

    "Reminded for this due date" means a reminder went out inside the current window (on or
    after due date − ``days``), so a task whose due date moved is reminded again.
    """
    return (
        task.status in ACTIVE_STATUSES
        and today <= task.due_date <= today + dt.timedelta(days=days)
        and (
            task.reminded_due_soon_on is None
            or task.reminded_due_soon_on < task.due_date - dt.timedelta(days=days)
        )
    )


def needs_overdue_reminder(
    task: Task, today: dt.date, every_days: int = OVERDUE_EVERY_DAYS
) -> bool:
    """Overdue and not reminded in the last ``every_days`` days (nor since the current due date)."""
    return (
        task.status in ACTIVE_STATUSES
        and task.due_date < today
        and (
            task.reminded_overdue_on is None
            or task.reminded_overdue_on <= today - dt.timedelta(days=every_days)
            or task.reminded_overdue_on <= task.due_date
        )
    )


def due_soon_candidates(today: dt.date, days: int = DUE_SOON_DAYS) -> QuerySet[Task]:
    """Tasks that may need a due-soon reminder (``needs_due_soon_reminder`` decides)."""
    return Task.objects.filter(
        status__in=ACTIVE_STATUSES,
        unit__is_active=True,
        due_date__gte=today,
        due_date__lte=today + dt.timedelta(days=days),
    )


def overdue_candidates(today: dt.date, every_days: int = OVERDUE_EVERY_DAYS) -> QuerySet[Task]:
    """Tasks that may need an overdue reminder (``needs_overdue_reminder`` decides)."""
    return Task.objects.filter(
        status__in=ACTIVE_STATUSES, unit__is_active=True, due_date__lt=today
    ).filter(
        Q(reminded_overdue_on__isnull=True)
        | Q(reminded_overdue_on__lte=today - dt.timedelta(days=every_days))
        | Q(reminded_overdue_on__lte=F("due_date"))
    )


def _remind(
    candidates: QuerySet[Task], needs: Callable[[Task], bool], kind: str, today: dt.date
) -> int:
    sent = 0
    for task in candidates.order_by("due_date", "pk").only(
        "pk", "status", "due_date", "reminded_due_soon_on", "reminded_overdue_on"
    ):
        if not needs(task):
            continue
        with transaction.atomic():
            # Lock the row and ask again: another run may have reminded it meanwhile.
            task = Task.objects.select_for_update().select_related("unit").get(pk=task.pk)
            if not needs(task):
                continue
            notify_task_event(task, kind, today=today)
            mark_reminded(task=task, kind=kind, on=today)
            sent += 1
    return sent


@shared_task(name="lachan.remediation.send_due_soon_reminders", ignore_result=True)
def send_due_soon_reminders(today: dt.date | str | None = None, days: int = DUE_SOON_DAYS) -> int:
    """Remind units of tasks due within ``days`` days, once per due date. Returns the task count."""
    today = _as_date(today)
    return _remind(
        due_soon_candidates(today, days),
        lambda t: needs_due_soon_reminder(t, today, days),
        "due_soon",
        today,
    )


@shared_task(name="lachan.remediation.send_overdue_reminders", ignore_result=True)
def send_overdue_reminders(
    today: dt.date | str | None = None, every_days: int = OVERDUE_EVERY_DAYS
) -> int:
    """Remind units of overdue tasks: on the first overdue day, then every ``every_days`` days."""
    today = _as_date(today)
    return _remind(
        overdue_candidates(today, every_days),
        lambda t: needs_overdue_reminder(t, today, every_days),
        "overdue",
        today,
    )


def run_reminders(today: dt.date | str | None = None) -> dict[str, int]:
    """Both reminder jobs, now, in this process (``lachan jobs run-reminders``, embedded default)."""
    today = _as_date(today)
    return {
        "due_soon": send_due_soon_reminders(today),
        "overdue": send_overdue_reminders(today),
    }

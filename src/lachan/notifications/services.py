"""The one notification service: every message to a person goes through ``notify``.

A notification is stored as an outbox row inside the caller's transaction and delivered
after commit — in-process in the embedded default (no broker), by a Celery worker otherwise —
so a failed SMTP server never rolls back a task and nothing is sent for a rolled-back write.
A row that could not be delivered stays in the outbox (status ``failed``, or ``pending`` when
the broker was down) and the periodic job ``retry_unsent`` sends it again, up to
``LACHAN_NOTIFY_MAX_ATTEMPTS`` attempts, ``LACHAN_NOTIFY_RETRY_MINUTES`` apart.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .channels import Audience, enabled_channels, get_channel
from .models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

DEFAULT_RETRY_MINUTES = 15
DEFAULT_MAX_ATTEMPTS = 5

# Task events and who hears about them: the unit that does the work, or the Department.
TASK_EVENTS = {
    "assigned": "unit",
    "due_soon": "unit",
    "overdue": "unit",
    "returned": "unit",
    "verified": "unit",
    "reopened": "unit",
    "submitted": "department",
}
# Stored event names whose recipients are Department officers (hidden from unit users).
DEPARTMENT_EVENTS = frozenset(f"task.{e}" for e, who in TASK_EVENTS.items() if who == "department")


def retry_delay_minutes() -> int:
    return int(getattr(settings, "LACHAN_NOTIFY_RETRY_MINUTES", DEFAULT_RETRY_MINUTES))


def max_delivery_attempts() -> int:
    return int(getattr(settings, "LACHAN_NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


# --- queueing ---------------------------------------------------------------------------------


def notify(
    *,
    event: str,
    recipients: Iterable[str],
    subject: str,
    body: str,
    unit=None,
    obj=None,
    channel: str = "email",
    html_body: str = "",
    from_email: str = "",
    headers: dict[str, str] | None = None,
) -> list[Notification]:
    """Queue one message per distinct recipient; delivery happens after the transaction commits.

    ``html_body`` (an HTML alternative), ``from_email`` (instead of DEFAULT_FROM_EMAIL) and
    ``headers`` (extra mail headers) are optional; channels that cannot use them ignore them.
    """
    seen: set[str] = set()
    rows: list[Notification] = []
    for recipient in recipients:
        key = recipient.strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        rows.append(
            Notification.objects.create(
                channel=channel,
                event=event,
                recipient=recipient.strip()[:255],
                subject=" ".join(subject.split())[:255],
                body=body,
                html_body=html_body,
                from_email=from_email[:255],
                headers=dict(headers or {}),
                unit=unit,
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
            )
        )
    if rows:
        ids = [n.pk for n in rows]
        transaction.on_commit(lambda: _dispatch(ids))
    return rows


def notify_audience(
    *, event: str, audience: Audience, subject: str, body: str, unit=None, obj=None
) -> list[Notification]:
    """Queue the message on every enabled channel, to that channel's addresses for the audience."""
    rows: list[Notification] = []
    for channel in enabled_channels():
        rows += notify(
            event=event,
            recipients=channel.addresses(audience),
            subject=subject,
            body=body,
            unit=unit,
            obj=obj,
            channel=channel.name,
        )
    return rows


def _dispatch(ids: list[int]) -> None:
    """Runs after commit: deliver now (embedded default) or hand the ids to a Celery worker.

    Never raises: the write it follows has committed, and an unsent row is retried later.
    """
    from .tasks import deliver_notifications

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            deliver_notifications(ids)
        else:
            deliver_notifications.delay(ids)
    except Exception:
        logger.exception("notifications %s not dispatched; the retry job will send them", ids)


# --- delivery ---------------------------------------------------------------------------------


def deliver(notification: Notification, *, now: dt.datetime | None = None) -> bool:
    """Send one unsent notification through its channel, recording success or the error.

    The row is claimed first (attempts + 1 where nobody else changed it), so a worker and the
    retry job never send the same message twice. Returns True when the message went out.
    """
    now = now or timezone.now()
    claimed = (
        Notification.objects.filter(
            pk=notification.pk, attempts=notification.attempts, status=notification.status
        )
        .exclude(status=NotificationStatus.SENT)
        .update(attempts=F("attempts") + 1, last_attempt_at=now)
    )
    if not claimed:
        return False
    notification.attempts += 1
    notification.last_attempt_at = now
    channel = get_channel(notification.channel)
    try:
        if channel is None:
            raise LookupError(f"unknown channel {notification.channel!r}")
        channel.deliver(notification)
    except Exception as exc:  # any delivery failure is recorded, never raised to the writer
        logger.warning(
            "notification %s to %s failed (attempt %d): %s",
            notification.pk,
            notification.recipient,
            notification.attempts,
            exc,
        )
        notification.status = NotificationStatus.FAILED
        notification.error = f"{type(exc).__name__}: {exc}"[:2000]
        Notification.objects.filter(pk=notification.pk).update(
            status=notification.status, error=notification.error
        )
        return False
    notification.status = NotificationStatus.SENT
    notification.sent_at = timezone.now()
    notification.error = ""
    Notification.objects.filter(pk=notification.pk).update(
        status=notification.status, sent_at=notification.sent_at, error=""
    )
    return True


def deliver_pending(ids: Iterable[int]) -> int:
    """First delivery of freshly queued rows. Returns how many were sent."""
    sent = 0
    for n in Notification.objects.filter(pk__in=list(ids), status=NotificationStatus.PENDING):
        sent += deliver(n)
    return sent


def unsent_due_for_retry(
    *,
    now: dt.datetime | None = None,
    older_than_minutes: int | None = None,
    attempts: int | None = None,
):
    """Failed or stuck-pending rows whose last try (or creation) is older than the retry delay."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(
        minutes=retry_delay_minutes() if older_than_minutes is None else older_than_minutes
    )
    return (
        Notification.objects.filter(
            status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED],
            attempts__lt=max_delivery_attempts() if attempts is None else attempts,
        )
        .filter(
            Q(last_attempt_at__lte=cutoff) | Q(last_attempt_at__isnull=True, created_at__lte=cutoff)
        )
        .order_by("created_at", "id")
    )


def retry_unsent(
    *,
    now: dt.datetime | None = None,
    older_than_minutes: int | None = None,
    max_attempts: int | None = None,
    limit: int = 500,
) -> dict[str, int]:
    """Send again what could not be sent. Returns counts: tried, sent, failed."""
    rows = list(
        unsent_due_for_retry(now=now, older_than_minutes=older_than_minutes, attempts=max_attempts)[
            :limit
        ]
    )
    sent = sum(deliver(n, now=now) for n in rows)
    return {"tried": len(rows), "sent": sent, "failed": len(rows) - sent}


# --- task events ------------------------------------------------------------------------------


def task_url(task) -> str:
    return f"{settings.LACHAN_BASE_URL.rstrip('/')}/tasks/{task.pk}/"


def task_audience(task, audience: str) -> Audience:
    """Who hears about a task event.

    ``unit``: the unit's IT officer (the address on the unit record) and the people holding the
    unit IT or unit head role at that unit. ``department``: the Department officers
    (administrators and security officers) whose units contain the task's unit.
    """
    from django.contrib.auth import get_user_model

    from lachan.org.models import DEPARTMENT_ROLES, Role

    User = get_user_model()
    unit = task.unit
    if audience == "department":
        users = User.objects.filter(
            is_active=True,
            role_assignments__unit_id__in=unit.ancestor_ids(),
            role_assignments__role__in=list(DEPARTMENT_ROLES),
        )
        return Audience(users=tuple(users.distinct().order_by("pk")))
    users = User.objects.filter(
        is_active=True,
        role_assignments__unit=unit,
        role_assignments__role__in=[Role.UNIT_IT, Role.UNIT_HEAD],
    )
    emails = (unit.it_officer_email,) if unit.it_officer_email else ()
    return Audience(users=tuple(users.distinct().order_by("pk")), emails=emails)


def task_recipients(task, audience: str) -> list[str]:
    """E-mail addresses for a task event (see ``task_audience``)."""
    channel = get_channel("email")
    return channel.addresses(task_audience(task, audience)) if channel else []


def notify_task_event(task, event: str, *, today: dt.date | None = None) -> list[Notification]:
    """Tell the right people that something happened to a task (call it inside the write)."""
    audience = task_audience(task, TASK_EVENTS[event])
    if not audience.users and not audience.emails and not audience.extra:
        return []
    today = today or timezone.localdate()
    context = {
        "task": task,
        "event": event,
        "url": task_url(task),
        "today": today,
        "days_left": (task.due_date - today).days,
        "days_overdue": (today - task.due_date).days,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"notifications/task_{event}_subject.txt", context).strip()
        body = render_to_string(f"notifications/task_{event}.txt", context)
    return notify_audience(
        event=f"task.{event}",
        audience=audience,
        subject=subject,
        body=body,
        unit=task.unit,
        obj=task,
    )

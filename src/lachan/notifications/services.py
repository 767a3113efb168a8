"""The one notification service: every message to a person goes through ``notify``.

A notification is stored as an outbox row inside the caller's transaction and delivered
after commit by a background job (in-process in the embedded default, Celery otherwise),
so a failed SMTP server never rolls back a task and nothing is sent for a rolled-back write.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, NotificationStatus

TASK_EVENTS = {
    # event: (subject template, body template, audience)
    "assigned": "unit",
    "due_soon": "unit",
    "overdue": "unit",
    "returned": "unit",
    "verified": "unit",
    "submitted": "department",
}


def notify(
    *,
    event: str,
    recipients: Iterable[str],
    subject: str,
    body: str,
    unit=None,
    obj=None,
    channel: str = "email",
) -> list[Notification]:
    """Queue one message per distinct recipient; delivery happens after the transaction commits."""
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
                recipient=recipient.strip(),
                subject=subject[:255],
                body=body,
                unit=unit,
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
            )
        )
    if rows:
        ids = [n.pk for n in rows]
        transaction.on_commit(lambda: _dispatch(ids))
    return rows


def _dispatch(ids: list[int]) -> None:
    from .tasks import deliver_notifications

    if settings.CELERY_TASK_ALWAYS_EAGER:
        deliver_notifications(ids)
    else:
        deliver_notifications.delay(ids)


def deliver(notification: Notification) -> bool:
    """Send one pending notification through its channel, recording success or the error."""
    from .channels import CHANNELS

    channel = CHANNELS.get(notification.channel)
    notification.attempts += 1
    try:
        if channel is None:
            raise LookupError(f"unknown channel {notification.channel!r}")
        channel.deliver(notification)
    except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded, never raised to the user
        notification.status = NotificationStatus.FAILED
        notification.error = f"{type(exc).__name__}: {exc}"[:2000]
        notification.save(update_fields=["status", "error", "attempts"])
        return False
    notification.status = NotificationStatus.SENT
    notification.sent_at = timezone.now()
    notification.error = ""
    notification.save(update_fields=["status", "sent_at", "error", "attempts"])
    return True


def task_recipients(task, audience: str) -> list[str]:
    """E-mail addresses for a task event: the unit's IT officer and unit people, or the Department."""
    from django.contrib.auth import get_user_model

    from lachan.org.models import DEPARTMENT_ROLES, Role

    User = get_user_model()
    unit = task.unit
    if audience == "department":
        ancestor_ids = unit.ancestor_ids()
        users = User.objects.filter(
            is_active=True,
            role_assignments__unit_id__in=ancestor_ids,
            role_assignments__role__in=list(DEPARTMENT_ROLES),
        )
        return sorted({u.email for u in users if u.email})
    emails = [unit.it_officer_email] if unit.it_officer_email else []
    users = User.objects.filter(
        is_active=True,
        role_assignments__unit=unit,
        role_assignments__role__in=[Role.UNIT_IT, Role.UNIT_HEAD],
    )
    emails += [u.email for u in users if u.email]
    return sorted(set(emails))


def notify_task_event(task, event: str) -> list[Notification]:
    """Tell the right people that something happened to a task."""
    audience = TASK_EVENTS[event]
    recipients = task_recipients(task, audience)
    if not recipients:
        return []
    context = {
        "task": task,
        "event": event,
        "url": f"{settings.LACHAN_BASE_URL.rstrip('/')}/tasks/{task.pk}/",
        "today": timezone.localdate(),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"notifications/task_{event}_subject.txt", context).strip()
        body = render_to_string(f"notifications/task_{event}.txt", context)
    return notify(
        event=f"task.{event}",
        recipients=recipients,
        subject=" ".join(subject.split()),
        body=body,
        unit=task.unit,
        obj=task,
    )

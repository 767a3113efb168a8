"""Background jobs of the notification service."""

from __future__ import annotations

from celery import shared_task

from .models import Notification, NotificationStatus


@shared_task(name="lachan.notifications.deliver")
def deliver_notifications(ids: list[int]) -> int:
    from .services import deliver

    sent = 0
    for n in Notification.objects.filter(pk__in=ids, status=NotificationStatus.PENDING):
        sent += deliver(n)
    return sent

"""Background jobs of the notification service (Celery; in-process when there is no broker)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="lachan.notifications.deliver", ignore_result=True)
def deliver_notifications(ids: list[int]) -> int:
    """Deliver freshly queued notifications. Returns how many were sent."""
    from .services import deliver_pending

    return deliver_pending(ids)


@shared_task(name="lachan.notifications.retry_unsent", ignore_result=True)
def retry_notifications(older_than_minutes: int | None = None) -> dict[str, int]:
    """Periodic: send again failed (or stuck pending) notifications, up to the attempt limit."""
    from .services import retry_unsent

    return retry_unsent(older_than_minutes=older_than_minutes)

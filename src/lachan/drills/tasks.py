"""Background job of phishing drills: every minute, send the next batch of each running drill
(Celery beat; in-process in the embedded default)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="lachan.drills.send_due", ignore_result=True)
def send_due_drill_emails(now: str | None = None) -> dict[str, int]:
    """Start due drills and queue at most each drill's rate of e-mails (see services)."""
    import datetime as dt

    from .services import send_due_drill_emails as run

    counts = run(now=dt.datetime.fromisoformat(now) if now else None)
    if any(counts.values()):
        logger.info("phishing drills: %s", counts)
    return counts

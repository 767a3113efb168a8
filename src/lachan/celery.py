"""The one Celery app, and the schedule of the periodic jobs.

Production (``LACHAN_BROKER_URL`` set): ``lachan worker`` runs the jobs, exactly one
``lachan beat`` sends them on the schedule below; django-celery-beat's DatabaseScheduler
(``CELERY_BEAT_SCHEDULER`` in settings) copies ``beat_schedule`` into the database, where the
Django admin can pause or move an entry.

Embedded default (no broker): jobs run in-process. Nothing sends the schedule there, so
``lachan serve`` and ``lachan demo`` start ``EmbeddedScheduler``, a daemon thread that runs the
same jobs: the reminders once at start-up and then every day at 07:00, the notification retry
every 15 minutes. A cron line ``lachan jobs run-reminders`` does the same for other setups.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import zoneinfo

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lachan.web.settings")

logger = logging.getLogger(__name__)

app = Celery("lachan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["lachan.notifications", "lachan.remediation", "lachan.intel"])
app.autodiscover_tasks(["lachan.awareness"])
app.autodiscover_tasks(["lachan.drills"])

REMINDER_HOUR = 7  # local time (Asia/Ho_Chi_Minh): before the school day starts
RETRY_EVERY_MINUTES = 15
DRILLS_EVERY_MINUTES = 1  # phishing drills send in batches of their per-minute rate

app.conf.beat_schedule = {
    "remind-due-soon": {
        "task": "lachan.remediation.send_due_soon_reminders",
        "schedule": crontab(hour=REMINDER_HOUR, minute=0),
    },
    "remind-overdue": {
        "task": "lachan.remediation.send_overdue_reminders",
        "schedule": crontab(hour=REMINDER_HOUR, minute=0),
    },
    # Awareness campaigns: learners and units reminded before a campaign's deadline.
    "remind-campaigns": {
        "task": "lachan.awareness.send_campaign_reminders",
        "schedule": crontab(hour=REMINDER_HOUR, minute=30),
    },
    "retry-notifications": {
        "task": "lachan.notifications.retry_unsent",
        "schedule": crontab(minute=f"*/{RETRY_EVERY_MINUTES}"),
    },
    # Phishing drills: the next batch of each running drill, every minute.
    "send-drill-emails": {
        "task": "lachan.drills.send_due",
        "schedule": crontab(),
    },
}


def _feed_schedule() -> dict:
    """The feed download entry, only when ``LACHAN_FEED_URLS`` names some (see settings)."""
    from django.conf import settings

    return dict(getattr(settings, "LACHAN_FEED_BEAT_SCHEDULE", {}) or {})


app.conf.beat_schedule.update(_feed_schedule())


class EmbeddedScheduler(threading.Thread):
    """The beat schedule for the embedded default, as one daemon thread of the server process.

    Runs the reminder jobs at start-up (they are idempotent, so a restart never repeats a
    reminder, and a server that was off at 07:00 catches up) and then daily at
    ``REMINDER_HOUR``; retries unsent notifications every ``RETRY_EVERY_MINUTES`` minutes.
    """

    def __init__(self, *, startup_delay: float = 5.0) -> None:
        super().__init__(name="lachan-embedded-scheduler", daemon=True)
        self.startup_delay = startup_delay
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    @staticmethod
    def next_reminder_run(now: dt.datetime) -> dt.datetime:
        """The next ``REMINDER_HOUR``:00 local time strictly after ``now`` (an aware datetime)."""
        from django.conf import settings

        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local = now.astimezone(tz)
        run = local.replace(hour=REMINDER_HOUR, minute=0, second=0, microsecond=0)
        if run <= local:
            run = (local + dt.timedelta(days=1)).replace(
                hour=REMINDER_HOUR, minute=0, second=0, microsecond=0
            )
        return run

    def _job(self, name: str, func) -> None:
        from django.db import close_old_connections, connection

        close_old_connections()
        try:
            result = func()
            logger.info("%s: %s", name, result)
        except Exception:
            logger.exception("embedded job %s failed", name)
        finally:
            # Never keep a database connection open between runs (the server forks workers).
            connection.close()

    def run(self) -> None:
        from django.utils import timezone

        from lachan.awareness.tasks import send_campaign_reminders_now
        from lachan.drills.services import send_due_drill_emails
        from lachan.notifications.services import retry_unsent
        from lachan.remediation.tasks import run_reminders

        if self.stopping.wait(self.startup_delay):
            return
        self._job("reminders", run_reminders)
        self._job("campaign-reminders", send_campaign_reminders_now)
        next_reminders = self.next_reminder_run(timezone.now())
        retry_every = dt.timedelta(minutes=RETRY_EVERY_MINUTES)
        next_retry = timezone.now() + retry_every
        drills_every = dt.timedelta(minutes=DRILLS_EVERY_MINUTES)
        next_drills = timezone.now()
        while not self.stopping.is_set():
            now = timezone.now()
            if now >= next_reminders:
                self._job("reminders", run_reminders)
                self._job("campaign-reminders", send_campaign_reminders_now)
                next_reminders = self.next_reminder_run(now)
            if now >= next_retry:
                self._job("retry-notifications", retry_unsent)
                next_retry = now + retry_every
            if now >= next_drills:
                self._job("drill-emails", send_due_drill_emails)
                next_drills = now + drills_every
            wait = min(next_reminders, next_retry, next_drills) - timezone.now()
            self.stopping.wait(max(1.0, min(wait.total_seconds(), 300.0)))

"""The one Celery app. Without LACHAN_BROKER_URL, jobs run in-process (embedded default)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lachan.web.settings")

app = Celery("lachan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["lachan.notifications", "lachan.remediation"])

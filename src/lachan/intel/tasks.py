"""Background jobs of vulnerability alerts: re-run matching after a change, and download the
configured feeds on a schedule (only when ``LACHAN_FEED_URLS`` names some; empty by default).

With no broker (the embedded default) Celery runs them in-process, at once.
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="lachan.intel.rematch", ignore_result=True)
def rematch(unit_ids: list[int] | None = None) -> dict[str, int]:
    """Match the inventory of these units (every unit when None) against the records and
    update exposures, findings and tasks (``intel.vulns.run_matching``)."""
    from lachan.org.models import Unit

    from .vulns import run_matching

    units = None if unit_ids is None else list(Unit.objects.filter(pk__in=unit_ids))
    counts = run_matching(actor=None, units=units)
    logger.info("vulnerability matching: %s", counts)
    return counts


@shared_task(name="lachan.intel.download_feeds", ignore_result=True)
def download_feeds() -> list[int]:
    """Download and import the feeds of ``LACHAN_FEED_URLS``; nothing when it is empty.
    Returns the ids of the FeedImport rows written."""
    from django.conf import settings

    from .vulns import download_feeds as download

    if not getattr(settings, "LACHAN_FEED_URLS", None):
        return []
    return [feed.pk for feed in download(actor=None)]

"""Reads of blocklists and scam reports, scoped to what the user may see.

- Blocklists are the Department's (administrators and security officers).
- Reports: the Department sees every report; a unit's IT officer and head see the reports
  sent by people of their units (their subtree), read-only; a report sent anonymously or by
  someone without a unit is the Department's alone. Learners see none.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from lachan.org.models import Role
from lachan.org.selectors import is_department_staff, visible_unit_ids

from .models import BlocklistEntry, BlocklistSource, ReportStatus, ScamReport, ScamReportImage

UNIT_READER_ROLES = frozenset({Role.UNIT_IT, Role.UNIT_HEAD})


# --- blocklists -------------------------------------------------------------------------------


def active_indicators(kind: str | None = None) -> QuerySet[BlocklistEntry]:
    """Entries the checker (and monitoring) use: active entries of active lists."""
    qs = BlocklistEntry.objects.filter(is_active=True, source__is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("pk")


def visible_sources(user) -> QuerySet[BlocklistSource]:
    if not is_department_staff(user):
        return BlocklistSource.objects.none()
    return BlocklistSource.objects.annotate(
        active_count=Count("entries", filter=Q(entries__is_active=True))
    ).order_by("name")


def get_source(user, pk: int) -> BlocklistSource:
    return visible_sources(user).get(pk=pk)


def entries_of(
    user, source: BlocklistSource, *, q: str = "", kind: str = "", active: bool | None = None
) -> QuerySet[BlocklistEntry]:
    if not is_department_staff(user):
        return BlocklistEntry.objects.none()
    qs = source.entries.all()
    if q:
        qs = qs.filter(Q(value__icontains=q.strip().lower()) | Q(label__icontains=q.strip()))
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("kind", "value")


def get_entry(user, pk: int) -> BlocklistEntry:
    if not is_department_staff(user):
        raise BlocklistEntry.DoesNotExist
    return BlocklistEntry.objects.select_related("source").get(pk=pk)


def indicators_for(user, *, kind: str = "", since: dt.datetime | None = None):
    """The active indicators, for monitoring and integrations (Department only)."""
    if not is_department_staff(user):
        return BlocklistEntry.objects.none()
    qs = active_indicators(kind or None).select_related("source")
    if since is not None:
        qs = qs.filter(added_at__gte=since)
    return qs


# --- reports ----------------------------------------------------------------------------------


def visible_reports(user) -> QuerySet[ScamReport]:
    if is_department_staff(user):
        qs = ScamReport.objects.all()
    else:
        ids = visible_unit_ids(user, roles=UNIT_READER_ROLES)
        qs = ScamReport.objects.filter(unit__in=ids)
    return qs.select_related("unit", "reporter", "reviewed_by")


def search_reports(
    user,
    *,
    status: str = "",
    channel: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[ScamReport]:
    qs = visible_reports(user)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(description__icontains=q)
            | Q(phones__icontains=q)
            | Q(accounts__icontains=q)
            | Q(links__icontains=q)
        )
    return qs.order_by("-created_at", "-pk")


def get_report(user, pk: int) -> ScamReport:
    return visible_reports(user).get(pk=pk)


def get_image(user, pk: int) -> ScamReportImage:
    return ScamReportImage.objects.select_related("report").get(
        pk=pk, report__in=visible_reports(user).values("pk")
    )


def status_counts(user) -> dict[str, int]:
    counts = dict(visible_reports(user).order_by().values_list("status").annotate(n=Count("pk")))
    return {s: counts.get(s, 0) for s in ReportStatus.values}

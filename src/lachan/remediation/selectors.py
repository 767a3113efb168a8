"""Reads of findings and tasks, scoped to the user's units."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lachan.org.models import Unit
from lachan.org.selectors import visible_unit_ids, visible_units

from .models import ACTIVE_STATUSES, Finding, Task, TaskStatus


def tasks_for(
    user,
    *,
    unit_id: int | None = None,
    status: str = "",
    severity: str = "",
    source: str = "",
    overdue: bool | None = None,
    q: str = "",
    include_subtree: bool = True,
) -> QuerySet[Task]:
    qs = Task.objects.filter(unit__in=visible_unit_ids(user)).select_related("unit")
    if unit_id:
        unit = visible_units(user).filter(pk=unit_id).first()
        if unit is None:
            return Task.objects.none()
        qs = (
            qs.filter(unit__path__startswith=unit.path) if include_subtree else qs.filter(unit=unit)
        )
    if status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if source:
        qs = qs.filter(source=source)
    if overdue is True:
        qs = qs.overdue()
    elif overdue is False:
        qs = qs.exclude(pk__in=Task.objects.overdue().values("pk"))
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(unit__name__icontains=q) | Q(unit__code__icontains=q)
        )
    return qs


def get_task(user, pk: int) -> Task:
    """One visible task, or Task.DoesNotExist (shown as 404)."""
    return tasks_for(user).get(pk=pk)


def findings_for(
    user,
    *,
    unit_id: int | None = None,
    source: str = "",
    severity: str = "",
    unresolved: bool | None = None,
) -> QuerySet[Finding]:
    qs = Finding.objects.filter(unit__in=visible_unit_ids(user)).select_related("unit")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if source:
        qs = qs.filter(source=source)
    if severity:
        qs = qs.filter(severity=severity)
    if unresolved is True:
        qs = qs.filter(resolved_at__isnull=True)
    elif unresolved is False:
        qs = qs.filter(resolved_at__isnull=False)
    return qs


def get_finding(user, pk: int) -> Finding:
    return findings_for(user).get(pk=pk)


def task_counts_by_unit(user, *, units: QuerySet[Unit] | None = None) -> list[dict]:
    """Per visible unit: open (unfinished), overdue, submitted and verified task counts."""
    today = timezone.localdate()
    units = units if units is not None else visible_units(user)
    rows = (
        units.annotate(
            open_count=Count(
                "tasks", filter=Q(tasks__status__in=[*ACTIVE_STATUSES, TaskStatus.SUBMITTED])
            ),
            overdue_count=Count(
                "tasks", filter=Q(tasks__status__in=ACTIVE_STATUSES, tasks__due_date__lt=today)
            ),
            submitted_count=Count("tasks", filter=Q(tasks__status=TaskStatus.SUBMITTED)),
            done_count=Count(
                "tasks", filter=Q(tasks__status__in=[TaskStatus.VERIFIED, TaskStatus.CLOSED])
            ),
        )
        .values(
            "pk",
            "code",
            "name",
            "short_name",
            "open_count",
            "overdue_count",
            "submitted_count",
            "done_count",
        )
        .order_by("-overdue_count", "-open_count", "name")
    )
    return list(rows)


def task_status_totals(user) -> dict[str, int]:
    qs = tasks_for(user)
    totals = {s: 0 for s in TaskStatus.values}
    for row in qs.values("status").annotate(n=Count("pk")):
        totals[row["status"]] = row["n"]
    totals["overdue"] = qs.overdue().count()
    return totals

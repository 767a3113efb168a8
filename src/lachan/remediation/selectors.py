"""Reads of findings and tasks, scoped to the user's units."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from lachan.audit.models import AuditLog
from lachan.audit.selectors import history_of
from lachan.org.models import Unit
from lachan.org.selectors import unit_tree, visible_unit_ids, visible_units

from .models import (
    ACTIVE_STATUSES,
    DuePolicy,
    Finding,
    Severity,
    Task,
    TaskComment,
    TaskEvidence,
    TaskStatus,
)
from .models.policy import DEFAULT_DUE_DAYS


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


# --- pages: task list, task detail, findings, evidence, policy --------------------------------

TASK_SORTS = {
    "due": ("due_date", "-id"),
    "-due": ("-due_date", "-id"),
    "severity": ("severity_rank", "due_date", "-id"),
    "-severity": ("-severity_rank", "due_date", "-id"),
    "unit": ("unit__path", "due_date", "-id"),
    "-created": ("-created_at", "-id"),
}


def _severity_rank() -> Case:
    return Case(
        *(When(severity=s, then=Value(Severity.rank(s))) for s in Severity.values),
        default=Value(0),
        output_field=IntegerField(),
    )


def _subtree_unit(user, unit_id: int | None) -> Unit | None:
    if not unit_id:
        return None
    return visible_units(user).filter(pk=unit_id).first()


def task_list_for(
    user,
    *,
    unit_id: int | None = None,
    status: str = "",
    severity: str = "",
    source: str = "",
    overdue: bool | None = None,
    q: str = "",
    sort: str = "due",
) -> QuerySet[Task]:
    """The task list page and its export: ``tasks_for`` filters plus a sort key from TASK_SORTS.

    A unit filter includes the unit's subtree; an invisible unit yields nothing.
    """
    qs = tasks_for(
        user,
        unit_id=unit_id,
        status=status,
        severity=severity,
        source=source,
        overdue=overdue,
        q=q.strip(),
    ).annotate(severity_rank=_severity_rank())
    return qs.order_by(*TASK_SORTS.get(sort, TASK_SORTS["due"]))


def filter_units(user, roles=None) -> list[Unit]:
    """Visible units in tree order with ``tree_depth``, for the unit filter of list pages."""
    if roles is None:
        return unit_tree(user)
    units = list(visible_units(user, roles).order_by("path"))
    if units:
        top = min(u.depth for u in units)
        for u in units:
            u.tree_depth = u.depth - top
    return units


def task_for_page(user, pk: int) -> Task:
    """One visible task with what its page shows; raises Task.DoesNotExist (a 404)."""
    return (
        tasks_for(user)
        .select_related("unit", "created_by", "submitted_by", "verified_by")
        .get(pk=pk)
    )


def task_findings(task: Task) -> QuerySet[Finding]:
    """Findings linked to a task the caller may see (a task's findings are all of its unit)."""
    return task.findings.select_related("unit").order_by("-last_seen", "-id")


def task_evidence(task: Task) -> QuerySet[TaskEvidence]:
    return task.evidence.select_related("uploaded_by").order_by("uploaded_at", "id")


def task_comments(task: Task) -> QuerySet[TaskComment]:
    return task.comments.select_related("author").order_by("created_at", "id")


def task_timeline(task: Task) -> QuerySet[AuditLog]:
    """Audit records of one task (oldest first), with the acting user. Callers check access."""
    return history_of(task).select_related("actor")


def get_evidence(user, pk: int) -> TaskEvidence:
    """One evidence file whose task the user may see; raises TaskEvidence.DoesNotExist otherwise."""
    return TaskEvidence.objects.select_related("task", "task__unit").get(
        pk=pk, task__unit__in=visible_unit_ids(user)
    )


def finding_list_for(
    user,
    *,
    unit_id: int | None = None,
    source: str = "",
    severity: str = "",
    resolved: bool | None = None,
    q: str = "",
) -> QuerySet[Finding]:
    """The findings page: scoped, a unit filter includes its subtree."""
    qs = findings_for(
        user,
        source=source,
        severity=severity,
        unresolved=None if resolved is None else not resolved,
    )
    if unit_id:
        unit = _subtree_unit(user, unit_id)
        if unit is None:
            return Finding.objects.none()
        qs = qs.filter(unit__path__startswith=unit.path)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(asset_ref__icontains=q)
            | Q(dedupe_key__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(unit__code__icontains=q)
        )
    return qs.order_by("-last_seen", "-id")


def finding_tasks(user, finding: Finding) -> QuerySet[Task]:
    """Visible tasks linked to a finding, newest first."""
    return (
        finding.tasks.filter(unit__in=visible_unit_ids(user))
        .select_related("unit")
        .order_by("-created_at", "-id")
    )


def unfinished_task_for_finding(finding: Finding) -> Task | None:
    """The task that currently owns a finding's problem, if one is unfinished."""
    return (
        Task.objects.unfinished()
        .filter(unit_id=finding.unit_id, problem_key=f"{finding.source}:{finding.dedupe_key}")
        .first()
    )


def due_policy_table() -> list[dict]:
    """Days per severity, most severe first, with the built-in default beside each."""
    stored = dict(DuePolicy.objects.values_list("severity", "days"))
    rows = []
    for severity in sorted(Severity.values, key=Severity.rank, reverse=True):
        default = DEFAULT_DUE_DAYS[Severity(severity)]
        rows.append(
            {
                "severity": severity,
                "label": Severity(severity).label,
                "days": stored.get(severity, default),
                "default": default,
                "is_default": severity not in stored,
            }
        )
    return rows

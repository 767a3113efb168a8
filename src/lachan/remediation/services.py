"""Writes of findings and tasks: the spine every capability plugs into.

Every function is keyword-only, runs in one transaction, checks the actor's right,
records the audit log and queues the notifications.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.audit.services import record, snapshot
from lachan.notifications.services import notify_task_event
from lachan.org.models import DEPARTMENT_ROLES, Role, Unit
from lachan.org.selectors import has_role_over, is_department_admin

from .models import (
    ACTIVE_STATUSES,
    DuePolicy,
    Finding,
    Severity,
    SourceKind,
    Task,
    TaskComment,
    TaskEvidence,
    TaskStatus,
)
from .models.tasks import UNFINISHED_STATUSES

UNIT_ROLES = {Role.UNIT_IT, Role.UNIT_HEAD, *DEPARTMENT_ROLES}
TASK_FIELDS = [
    "title",
    "severity",
    "status",
    "due_date",
    "answer_text",
    "return_reason",
    "submitted_at",
    "verified_at",
    "closed_at",
]


class TransitionError(ValidationError):
    """A task cannot move from its current status with this action."""


def _require(actor, unit: Unit, roles) -> None:
    if actor is not None and not has_role_over(actor, unit, roles):
        raise PermissionDenied


def due_date_for(severity: str, start: dt.date | None = None) -> dt.date:
    start = start or timezone.localdate()
    return start + dt.timedelta(days=DuePolicy.days_for(severity))


@transaction.atomic
def set_due_policy(*, actor, severity: str, days: int) -> DuePolicy:
    if actor is not None and not (
        getattr(actor, "is_superuser", False)
        or any(a.role == Role.DEPT_ADMIN for a in actor.role_assignments.all())
    ):
        raise PermissionDenied
    if days < 1 or days > 365:
        raise ValidationError({"days": _("Số ngày xử lý phải từ 1 đến 365.")})
    policy = DuePolicy.objects.filter(severity=severity).first()
    before = snapshot(policy)
    policy, _created = DuePolicy.objects.update_or_create(
        severity=severity, defaults={"days": days}
    )
    record(actor=actor, action="policy.due_days", obj=policy, before=before, after=snapshot(policy))
    return policy


# --- findings ---------------------------------------------------------------------------------


@transaction.atomic
def record_finding(
    *,
    actor,
    source: str,
    unit: Unit,
    dedupe_key: str,
    title: str,
    severity: str = Severity.MEDIUM,
    evidence: dict[str, Any] | None = None,
    asset_ref: str = "",
    seen_at: dt.datetime | None = None,
) -> tuple[Finding, bool]:
    """Record a finding, or refresh the one with the same (source, dedupe_key). Returns (finding, created)."""
    if source not in SourceKind.values:
        raise ValidationError({"source": _("Nguồn không hợp lệ: %(s)s") % {"s": source}})
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Mức độ không hợp lệ: %(s)s") % {"s": severity}})
    seen_at = seen_at or timezone.now()
    finding = (
        Finding.objects.select_for_update().filter(source=source, dedupe_key=dedupe_key).first()
    )
    if finding is None:
        try:
            with transaction.atomic():
                finding = Finding.objects.create(
                    source=source,
                    unit=unit,
                    dedupe_key=dedupe_key,
                    title=title[:300],
                    severity=severity,
                    evidence=evidence or {},
                    asset_ref=asset_ref,
                    first_seen=seen_at,
                    last_seen=seen_at,
                )
        except IntegrityError:  # a concurrent writer created it first: refresh instead
            finding = Finding.objects.select_for_update().get(source=source, dedupe_key=dedupe_key)
        else:
            record(
                actor=actor,
                action="finding.create",
                obj=finding,
                unit=unit,
                after=snapshot(finding),
            )
            return finding, True
    before = snapshot(finding)
    finding.occurrences += 1
    finding.last_seen = max(finding.last_seen, seen_at)
    finding.first_seen = min(finding.first_seen, seen_at)
    finding.title = title[:300]
    if Severity.rank(severity) > Severity.rank(finding.severity):
        finding.severity = severity
    if evidence:
        finding.evidence = {**finding.evidence, **evidence}
    if asset_ref:
        finding.asset_ref = asset_ref
    finding.resolved_at = None
    finding.resolution_note = ""
    finding.save()
    record(
        actor=actor,
        action="finding.refresh",
        obj=finding,
        unit=finding.unit,
        before=before,
        after=snapshot(finding),
    )
    return finding, False


@transaction.atomic
def resolve_finding(*, actor, finding: Finding, note: str = "") -> Finding:
    """Mark a finding fixed (e.g. next month's list no longer has the address)."""
    _require(actor, finding.unit, UNIT_ROLES)
    before = snapshot(finding)
    finding.resolved_at = timezone.now()
    finding.resolution_note = note[:500]
    finding.save(update_fields=["resolved_at", "resolution_note"])
    record(
        actor=actor,
        action="finding.resolve",
        obj=finding,
        unit=finding.unit,
        before=before,
        after=snapshot(finding),
    )
    return finding


# --- tasks ------------------------------------------------------------------------------------


def _task_source(findings: Iterable[Finding], default: str) -> str:
    sources = {f.source for f in findings}
    return sources.pop() if len(sources) == 1 else default


@transaction.atomic
def open_or_refresh_task(
    *,
    actor,
    unit: Unit,
    problem_key: str,
    title: str,
    guidance: str = "",
    severity: str = Severity.MEDIUM,
    findings: Iterable[Finding] = (),
    source: str | None = None,
    due_date: dt.date | None = None,
) -> tuple[Task, bool]:
    """Open a task for a problem at a unit, or refresh the unfinished one: one problem, one open task.

    Refreshing links the new findings, raises the severity (and pulls the due date in) when the
    problem got worse. A task that was submitted goes back to work only if new findings arrive.
    """
    findings = list(findings)
    if actor is not None:
        _require(actor, unit, DEPARTMENT_ROLES)
    task = (
        Task.objects.select_for_update()
        .filter(unit=unit, problem_key=problem_key, status__in=UNFINISHED_STATUSES)
        .first()
    )
    if task is None:
        severity = max([severity, *(f.severity for f in findings)], key=Severity.rank)
        task = Task(
            unit=unit,
            problem_key=problem_key,
            title=title[:300],
            guidance=guidance,
            severity=severity,
            source=source or _task_source(findings, SourceKind.MANUAL),
            due_date=due_date or due_date_for(severity),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        task.full_clean(exclude=["findings"])
        task.save()
        if findings:
            task.findings.add(*findings)
        record(
            actor=actor,
            action="task.create",
            obj=task,
            unit=unit,
            after=snapshot(task, TASK_FIELDS),
            message=_("%(n)d phát hiện liên quan") % {"n": len(findings)},
        )
        notify_task_event(task, "assigned")
        return task, True

    before = snapshot(task, TASK_FIELDS)
    new_findings = [f for f in findings if not task.findings.filter(pk=f.pk).exists()]
    if new_findings:
        task.findings.add(*new_findings)
    worst = max([task.severity, severity, *(f.severity for f in findings)], key=Severity.rank)
    if Severity.rank(worst) > Severity.rank(task.severity):
        task.severity = worst
        task.due_date = min(task.due_date, due_date_for(worst))
    task.title = title[:300]
    if guidance:
        task.guidance = guidance
    if new_findings and task.status == TaskStatus.SUBMITTED:
        task.status = (
            TaskStatus.IN_PROGRESS
        )  # new evidence of the problem: the answer no longer covers it
    task.save()
    after = snapshot(task, TASK_FIELDS)
    if before != after or new_findings:
        record(
            actor=actor,
            action="task.refresh",
            obj=task,
            unit=unit,
            before=before,
            after=after,
            message=_("%(n)d phát hiện mới") % {"n": len(new_findings)},
        )
    return task, False


def create_task(
    *,
    actor,
    unit: Unit,
    title: str,
    guidance: str = "",
    severity: str = Severity.MEDIUM,
    due_date: dt.date | None = None,
) -> Task:
    """A task a Department officer gives by hand (source "manual")."""
    problem_key = f"manual:{timezone.now().strftime('%Y%m%d%H%M%S%f')}"
    task, _created = open_or_refresh_task(
        actor=actor,
        unit=unit,
        problem_key=problem_key,
        title=title,
        guidance=guidance,
        severity=severity,
        source=SourceKind.MANUAL,
        due_date=due_date,
    )
    return task


def open_tasks_from_findings(
    *, actor, findings: Iterable[Finding], title: str | None = None, guidance: str = ""
) -> list[Task]:
    """One task per finding (problem key = the finding's key), opened or refreshed."""
    tasks = []
    for f in findings:
        task, _created = open_or_refresh_task(
            actor=actor,
            unit=f.unit,
            problem_key=f"{f.source}:{f.dedupe_key}",
            title=title or f.title,
            guidance=guidance,
            severity=f.severity,
            findings=[f],
            source=f.source,
        )
        tasks.append(task)
    return tasks


def _transition(task: Task, allowed: tuple[str, ...], action_label: str) -> None:
    if task.status not in allowed:
        raise TransitionError(
            _("Không thể %(action)s khi việc đang ở trạng thái “%(status)s”.")
            % {"action": action_label, "status": task.get_status_display()}
        )


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("unit").get(pk=task.pk)


@transaction.atomic
def start_task(*, actor, task: Task) -> Task:
    task = _locked(task)
    _require(actor, task.unit, UNIT_ROLES)
    _transition(task, (TaskStatus.OPEN, TaskStatus.RETURNED), _("bắt đầu xử lý"))
    before = snapshot(task, TASK_FIELDS)
    task.status = TaskStatus.IN_PROGRESS
    task.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action="task.start",
        obj=task,
        unit=task.unit,
        before=before,
        after=snapshot(task, TASK_FIELDS),
    )
    return task


def _store_evidence(task: Task, upload: UploadedFile, actor) -> TaskEvidence:
    if upload.size > settings.LACHAN_EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "evidence": _("Tệp “%(name)s” vượt quá dung lượng cho phép (%(mb)d MB).")
                % {"name": upload.name, "mb": settings.LACHAN_EVIDENCE_MAX_BYTES // (1024 * 1024)}
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = os.path.basename(upload.name or "minh-chung")[:200]
    evidence = TaskEvidence(
        task=task,
        original_name=name,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def submit_task(*, actor, task: Task, answer_text: str, files: Iterable[UploadedFile] = ()) -> Task:
    """The unit reports what it did, with evidence files."""
    task = _locked(task)
    _require(actor, task.unit, UNIT_ROLES)
    _transition(task, ACTIVE_STATUSES, _("gửi báo cáo"))
    if not answer_text.strip():
        raise ValidationError({"answer_text": _("Hãy mô tả những gì đơn vị đã làm.")})
    before = snapshot(task, TASK_FIELDS)
    stored = [_store_evidence(task, f, actor) for f in files]
    task.status = TaskStatus.SUBMITTED
    task.answer_text = answer_text.strip()
    task.submitted_at = timezone.now()
    task.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    task.save()
    record(
        actor=actor,
        action="task.submit",
        obj=task,
        unit=task.unit,
        before=before,
        after={
            **snapshot(task, TASK_FIELDS),
            "evidence": [f"{e.original_name} ({e.sha256[:12]})" for e in stored],
        },
    )
    notify_task_event(task, "submitted")
    return task


@transaction.atomic
def verify_task(*, actor, task: Task, note: str = "") -> Task:
    """The Department confirms the fix."""
    task = _locked(task)
    _require(actor, task.unit, DEPARTMENT_ROLES)
    _transition(task, (TaskStatus.SUBMITTED,), _("xác nhận"))
    before = snapshot(task, TASK_FIELDS)
    task.status = TaskStatus.VERIFIED
    task.verified_at = timezone.now()
    task.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    task.save()
    now = timezone.now()
    task.findings.filter(resolved_at__isnull=True).update(
        resolved_at=now, resolution_note=_("Đã xác nhận khắc phục")
    )
    record(
        actor=actor,
        action="task.verify",
        obj=task,
        unit=task.unit,
        before=before,
        after=snapshot(task, TASK_FIELDS),
        message=note[:500],
    )
    if note:
        TaskComment.objects.create(task=task, author=task.verified_by, body=note)
    notify_task_event(task, "verified")
    return task


@transaction.atomic
def return_task(*, actor, task: Task, reason: str) -> Task:
    """The Department sends the answer back with a reason."""
    task = _locked(task)
    _require(actor, task.unit, DEPARTMENT_ROLES)
    _transition(task, (TaskStatus.SUBMITTED,), _("trả lại"))
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do trả lại.")})
    before = snapshot(task, TASK_FIELDS)
    task.status = TaskStatus.RETURNED
    task.return_reason = reason.strip()
    task.save()
    record(
        actor=actor,
        action="task.return",
        obj=task,
        unit=task.unit,
        before=before,
        after=snapshot(task, TASK_FIELDS),
    )
    notify_task_event(task, "returned")
    return task


@transaction.atomic
def close_task(*, actor, task: Task, note: str = "") -> Task:
    """Close a verified task, or cancel an unfinished one (with a note saying why)."""
    task = _locked(task)
    _require(actor, task.unit, DEPARTMENT_ROLES)
    _transition(task, (TaskStatus.VERIFIED, *UNFINISHED_STATUSES), _("đóng"))
    if task.status != TaskStatus.VERIFIED and not note.strip():
        raise ValidationError({"note": _("Đóng việc chưa được xác nhận cần nêu lý do.")})
    before = snapshot(task, TASK_FIELDS)
    task.status = TaskStatus.CLOSED
    task.closed_at = timezone.now()
    task.save()
    record(
        actor=actor,
        action="task.close",
        obj=task,
        unit=task.unit,
        before=before,
        after=snapshot(task, TASK_FIELDS),
        message=note[:500],
    )
    return task


@transaction.atomic
def reopen_task(*, actor, task: Task, reason: str) -> Task:
    """Put a verified or closed task back to work: the problem came back (e.g. a unit's
    addresses are on the next botnet list again). The due date restarts from today by the
    severity policy; the reason is kept as a comment and in the audit log."""
    task = _locked(task)
    if actor is not None:
        _require(actor, task.unit, DEPARTMENT_ROLES)
    _transition(task, (TaskStatus.VERIFIED, TaskStatus.CLOSED), _("mở lại"))
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do mở lại.")})
    before = snapshot(task, TASK_FIELDS)
    task.status = TaskStatus.OPEN
    task.verified_at = None
    task.verified_by = None
    task.closed_at = None
    task.due_date = due_date_for(task.severity)
    task.reminded_due_soon_on = None
    task.reminded_overdue_on = None
    task.save()
    record(
        actor=actor,
        action="task.reopen",
        obj=task,
        unit=task.unit,
        before=before,
        after=snapshot(task, TASK_FIELDS),
        message=reason.strip()[:500],
    )
    author = actor if getattr(actor, "is_authenticated", False) else None
    TaskComment.objects.create(task=task, author=author, body=reason.strip())
    notify_task_event(task, "reopened")
    return task


@transaction.atomic
def add_comment(*, actor, task: Task, body: str) -> TaskComment:
    _require(actor, task.unit, UNIT_ROLES)
    if not body.strip():
        raise ValidationError({"body": _("Nội dung trao đổi không được để trống.")})
    comment = TaskComment.objects.create(task=task, author=actor, body=body.strip())
    record(
        actor=actor,
        action="task.comment",
        obj=task,
        unit=task.unit,
        after={"comment": comment.body[:500]},
    )
    return comment


@transaction.atomic
def mark_reminded(*, task: Task, kind: str, on: dt.date) -> None:
    """Remember that a reminder went out today so the job never sends it twice."""
    field = "reminded_due_soon_on" if kind == "due_soon" else "reminded_overdue_on"
    Task.objects.filter(pk=task.pk).update(**{field: on})


@transaction.atomic
def create_tasks(
    *,
    actor,
    units: Iterable[Unit],
    title: str,
    guidance: str = "",
    severity: str = Severity.MEDIUM,
    due_date: dt.date | None = None,
) -> list[Task]:
    """Give the same task to several units at once: one task per unit, all or none."""
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Hãy chọn ít nhất một đơn vị.")})
    if not title.strip():
        raise ValidationError({"title": _("Hãy nhập tiêu đề việc.")})
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Mức độ không hợp lệ: %(s)s") % {"s": severity}})
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationError({"due_date": _("Hạn xử lý không được ở trong quá khứ.")})
    return [
        create_task(
            actor=actor,
            unit=unit,
            title=title.strip(),
            guidance=guidance.strip(),
            severity=severity,
            due_date=due_date,
        )
        for unit in units
    ]


@transaction.atomic
def set_due_policies(*, actor, days_by_severity: dict[str, int]) -> list[DuePolicy]:
    """Change several severities' days at once; only the ones that differ are written."""
    if actor is not None and not is_department_admin(actor):
        raise PermissionDenied
    changed = []
    for severity, days in days_by_severity.items():
        if severity not in Severity.values:
            raise ValidationError({"severity": _("Mức độ không hợp lệ: %(s)s") % {"s": severity}})
        if days != DuePolicy.days_for(severity):
            changed.append(set_due_policy(actor=actor, severity=severity, days=days))
    return changed

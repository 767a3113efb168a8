"""API of findings and remediation tasks (``/api/v1/remediation/``).

Every read goes through ``remediation.selectors`` (scoped to the caller's units: another
unit's finding or task is a 404); every write through ``remediation.services``, which
checks the caller's role over the object's unit (403), the task's status (409) and the
input (422), and records the audit log.
"""

# No ``from __future__ import annotations``: django-ninja reads these annotations at import.

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from lachan.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    InputSchema,
    Pagination,
    UnitRef,
    require_department_staff,
    resolve_unit,
)
from lachan.org.models import DEPARTMENT_ROLES
from lachan.org.selectors import has_role_over

from . import selectors, services
from .models import Finding, Severity, SourceKind, Task, TaskComment, TaskEvidence, TaskStatus

router = Router(tags=["Phát hiện và việc cần xử lý"])

# Transitions can also answer 409: the task's status does not allow the action.
TRANSITION_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 409: ErrorOut}


# --- schemas ----------------------------------------------------------------------------------


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


class FindingBrief(Schema):
    id: int
    source: SourceKind
    severity: Severity
    title: str
    asset_ref: str
    last_seen: dt.datetime
    resolved_at: dt.datetime | None


class FindingOut(Schema):
    id: int
    source: SourceKind
    source_label: str
    unit: UnitRef
    asset_ref: str
    severity: Severity
    severity_label: str
    title: str
    evidence: dict[str, Any]
    dedupe_key: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    occurrences: int
    resolved_at: dt.datetime | None
    resolution_note: str

    @staticmethod
    def resolve_source_label(obj: Finding) -> str:
        return str(obj.get_source_display())

    @staticmethod
    def resolve_severity_label(obj: Finding) -> str:
        return str(obj.get_severity_display())


class TaskBrief(Schema):
    id: int
    title: str
    status: TaskStatus
    due_date: dt.date


class FindingDetailOut(FindingOut):
    tasks: list[TaskBrief]

    @staticmethod
    def resolve_tasks(obj: Finding, context) -> list[Task]:
        return list(selectors.tasks_for(context["request"].user).filter(findings=obj))


class FindingIn(InputSchema):
    source: SourceKind
    unit_id: int | None = Field(None, description="Đơn vị (mã số) — hoặc dùng unit_code")
    unit_code: str | None = Field(None, description="Đơn vị (mã đơn vị)")
    dedupe_key: str = Field(
        ...,
        min_length=1,
        max_length=255,
        description="Cùng nguồn và khoá: cập nhật, không nhân bản",
    )
    title: str = Field(..., min_length=1, max_length=300)
    severity: Severity = Severity.MEDIUM
    evidence: dict[str, Any] = {}
    asset_ref: str = Field("", max_length=255)
    seen_at: dt.datetime | None = None
    open_task: bool = Field(
        False, description="Mở (hoặc làm mới) việc cần xử lý cho đơn vị từ phát hiện này"
    )
    task_guidance: str = Field("", description="Hướng dẫn xử lý cho việc được mở")


class FindingRecordOut(Schema):
    finding: FindingOut
    created: bool
    task: TaskBrief | None


class FindingFilters(Schema):
    unit_id: int | None = None
    source: SourceKind | None = None
    severity: Severity | None = None
    unresolved: bool | None = None
    q: str = Field("", description="Tìm theo tiêu đề hoặc tài sản")


class TaskOut(Schema):
    id: int
    unit: UnitRef
    title: str
    severity: Severity
    severity_label: str
    source: SourceKind
    status: TaskStatus
    status_label: str
    due_date: dt.date
    is_overdue: bool
    days_left: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_severity_label(obj: Task) -> str:
        return str(obj.get_severity_display())

    @staticmethod
    def resolve_status_label(obj: Task) -> str:
        return str(obj.get_status_display())


class CommentOut(Schema):
    id: int
    author: str | None
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: TaskComment) -> str | None:
        return _username(obj.author)


class EvidenceOut(Schema):
    id: int
    original_name: str
    size: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: dt.datetime
    download_url: str

    @staticmethod
    def resolve_uploaded_by(obj: TaskEvidence) -> str | None:
        return _username(obj.uploaded_by)

    @staticmethod
    def resolve_download_url(obj: TaskEvidence) -> str:
        return reverse(
            "api:remediation_tasks_evidence_download",
            kwargs={"task_id": obj.task_id, "evidence_id": obj.pk},
        )


class TaskDetailOut(TaskOut):
    guidance: str
    problem_key: str
    created_by: str | None
    answer_text: str
    submitted_at: dt.datetime | None
    submitted_by: str | None
    return_reason: str
    verified_at: dt.datetime | None
    verified_by: str | None
    closed_at: dt.datetime | None
    findings: list[FindingBrief]
    comments: list[CommentOut]
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_created_by(obj: Task) -> str | None:
        return _username(obj.created_by)

    @staticmethod
    def resolve_submitted_by(obj: Task) -> str | None:
        return _username(obj.submitted_by)

    @staticmethod
    def resolve_verified_by(obj: Task) -> str | None:
        return _username(obj.verified_by)

    @staticmethod
    def resolve_findings(obj: Task, context) -> list[Finding]:
        # A task may link findings of other units: show only those the caller may see.
        return list(selectors.findings_for(context["request"].user).filter(tasks=obj))

    @staticmethod
    def resolve_comments(obj: Task) -> list[TaskComment]:
        return list(obj.comments.select_related("author"))

    @staticmethod
    def resolve_evidence(obj: Task) -> list[TaskEvidence]:
        return list(obj.evidence.select_related("uploaded_by"))


class TaskFilters(Schema):
    unit_id: int | None = Field(None, description="Đơn vị (kèm các đơn vị cấp dưới)")
    include_subtree: bool = True
    status: TaskStatus | None = None
    severity: Severity | None = None
    source: SourceKind | None = None
    overdue: bool | None = None
    q: str = Field("", description="Tìm theo tiêu đề, tên hoặc mã đơn vị")


class TaskIn(InputSchema):
    unit_id: int | None = None
    unit_code: str | None = None
    title: str = Field(..., min_length=1, max_length=300)
    guidance: str = ""
    severity: Severity = Severity.MEDIUM
    due_date: dt.date | None = Field(None, description="Bỏ trống: theo thời hạn của mức độ")


class NoteIn(InputSchema):
    note: str = ""


class ReturnIn(InputSchema):
    reason: str


class CommentIn(InputSchema):
    body: str


# --- findings ---------------------------------------------------------------------------------


@router.get(
    "/findings/",
    response=list[FindingOut],
    operation_id="remediation_findings_list",
    summary="Danh sách phát hiện",
)
@paginate(Pagination)
def findings_list(request: HttpRequest, filters: Query[FindingFilters]):
    qs = selectors.findings_for(
        request.user,
        unit_id=filters.unit_id,
        source=filters.source.value if filters.source else "",
        severity=filters.severity.value if filters.severity else "",
        unresolved=filters.unresolved,
    )
    q = filters.q.strip()
    if q:
        qs = qs.filter(title__icontains=q) | qs.filter(asset_ref__icontains=q)
    return qs


@router.get(
    "/findings/{int:finding_id}/",
    response={200: FindingDetailOut, **READ_ERRORS},
    operation_id="remediation_findings_detail",
    summary="Một phát hiện",
)
def findings_detail(request: HttpRequest, finding_id: int):
    return selectors.get_finding(request.user, finding_id)


@router.post(
    "/findings/",
    response={200: FindingRecordOut, 201: FindingRecordOut, **WRITE_ERRORS},
    operation_id="remediation_findings_record",
    summary="Ghi nhận một phát hiện (cấp Sở, tích hợp); trùng khoá thì cập nhật",
    description=(
        "Ghi nhận phát hiện mới (201) hoặc cập nhật phát hiện cùng nguồn và khoá nhận diện "
        "(200). Với `open_task=true`, mở hoặc làm mới việc cần xử lý của đơn vị cho vấn đề "
        "này — một vấn đề không bao giờ sinh hai việc đang mở. Cần vai trò cấp Sở đối với "
        "đơn vị; hệ thống tích hợp dùng mã truy cập của một tài khoản cấp Sở."
    ),
)
def findings_record(request: HttpRequest, payload: FindingIn):
    require_department_staff(request.user)
    unit = resolve_unit(request.user, unit_id=payload.unit_id, unit_code=payload.unit_code)
    # record_finding does not check the actor (importers call it as the system): check here.
    if not has_role_over(request.user, unit, DEPARTMENT_ROLES):
        raise PermissionDenied
    with transaction.atomic():
        finding, created = services.record_finding(
            actor=request.user,
            source=payload.source.value,
            unit=unit,
            dedupe_key=payload.dedupe_key,
            title=payload.title,
            severity=payload.severity.value,
            evidence=payload.evidence,
            asset_ref=payload.asset_ref,
            seen_at=payload.seen_at,
        )
        task = None
        if payload.open_task:
            (task,) = services.open_tasks_from_findings(
                actor=request.user, findings=[finding], guidance=payload.task_guidance
            )
    finding = selectors.get_finding(request.user, finding.pk)
    return Status(201 if created else 200, {"finding": finding, "created": created, "task": task})


# --- tasks ------------------------------------------------------------------------------------


def _task(request: HttpRequest, task_id: int) -> Task:
    return selectors.get_task(request.user, task_id)


def _detail(request: HttpRequest, task_id: int) -> Task:
    return (
        selectors.tasks_for(request.user)
        .select_related("created_by", "submitted_by", "verified_by")
        .get(pk=task_id)
    )


@router.get(
    "/tasks/",
    response=list[TaskOut],
    operation_id="remediation_tasks_list",
    summary="Danh sách việc cần xử lý (lọc như trên giao diện)",
)
@paginate(Pagination)
def tasks_list(request: HttpRequest, filters: Query[TaskFilters]):
    return selectors.tasks_for(
        request.user,
        unit_id=filters.unit_id,
        status=filters.status.value if filters.status else "",
        severity=filters.severity.value if filters.severity else "",
        source=filters.source.value if filters.source else "",
        overdue=filters.overdue,
        q=filters.q.strip(),
        include_subtree=filters.include_subtree,
    )


@router.get(
    "/tasks/{int:task_id}/",
    response={200: TaskDetailOut, **READ_ERRORS},
    operation_id="remediation_tasks_detail",
    summary="Một việc, kèm phát hiện, trao đổi và minh chứng",
)
def tasks_detail(request: HttpRequest, task_id: int):
    return _detail(request, task_id)


@router.get(
    "/tasks/{int:task_id}/evidence/{int:evidence_id}/",
    response={200: None, **READ_ERRORS},
    operation_id="remediation_tasks_evidence_download",
    summary="Tải một tệp minh chứng",
)
def tasks_evidence_download(request: HttpRequest, task_id: int, evidence_id: int):
    evidence = _task(request, task_id).evidence.get(pk=evidence_id)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )


@router.post(
    "/tasks/",
    response={201: TaskDetailOut, **WRITE_ERRORS},
    operation_id="remediation_tasks_create",
    summary="Giao một việc cho đơn vị (cấp Sở)",
)
def tasks_create(request: HttpRequest, payload: TaskIn):
    require_department_staff(request.user)
    unit = resolve_unit(request.user, unit_id=payload.unit_id, unit_code=payload.unit_code)
    if payload.due_date is not None and payload.due_date < timezone.localdate():
        raise ValidationError({"due_date": _("Hạn xử lý không được ở trong quá khứ.")})
    task = services.create_task(
        actor=request.user,
        unit=unit,
        title=payload.title,
        guidance=payload.guidance,
        severity=payload.severity.value,
        due_date=payload.due_date,
    )
    return Status(201, _detail(request, task.pk))


@router.post(
    "/tasks/{int:task_id}/start/",
    response={200: TaskDetailOut, **TRANSITION_ERRORS},
    operation_id="remediation_tasks_start",
    summary="Đơn vị bắt đầu xử lý",
)
def tasks_start(request: HttpRequest, task_id: int):
    services.start_task(actor=request.user, task=_task(request, task_id))
    return _detail(request, task_id)


@router.post(
    "/tasks/{int:task_id}/submit/",
    response={200: TaskDetailOut, **TRANSITION_ERRORS},
    operation_id="remediation_tasks_submit",
    summary="Đơn vị gửi báo cáo kèm tệp minh chứng (multipart/form-data)",
)
def tasks_submit(
    request: HttpRequest,
    task_id: int,
    answer_text: Form[str],
    files: File[list[UploadedFile]] = None,
):
    services.submit_task(
        actor=request.user,
        task=_task(request, task_id),
        answer_text=answer_text,
        files=files or [],
    )
    return _detail(request, task_id)


@router.post(
    "/tasks/{int:task_id}/verify/",
    response={200: TaskDetailOut, **TRANSITION_ERRORS},
    operation_id="remediation_tasks_verify",
    summary="Sở xác nhận kết quả xử lý",
)
def tasks_verify(request: HttpRequest, task_id: int, payload: NoteIn | None = None):
    note = payload.note if payload else ""
    services.verify_task(actor=request.user, task=_task(request, task_id), note=note)
    return _detail(request, task_id)


@router.post(
    "/tasks/{int:task_id}/return/",
    response={200: TaskDetailOut, **TRANSITION_ERRORS},
    operation_id="remediation_tasks_return",
    summary="Sở trả lại báo cáo, nêu lý do",
)
def tasks_return(request: HttpRequest, task_id: int, payload: ReturnIn):
    services.return_task(actor=request.user, task=_task(request, task_id), reason=payload.reason)
    return _detail(request, task_id)


@router.post(
    "/tasks/{int:task_id}/close/",
    response={200: TaskDetailOut, **TRANSITION_ERRORS},
    operation_id="remediation_tasks_close",
    summary="Sở đóng việc (việc chưa xác nhận cần nêu lý do)",
)
def tasks_close(request: HttpRequest, task_id: int, payload: NoteIn | None = None):
    note = payload.note if payload else ""
    services.close_task(actor=request.user, task=_task(request, task_id), note=note)
    return _detail(request, task_id)


@router.post(
    "/tasks/{int:task_id}/comments/",
    response={201: CommentOut, **WRITE_ERRORS},
    operation_id="remediation_tasks_comment",
    summary="Thêm trao đổi vào một việc",
)
def tasks_comment(request: HttpRequest, task_id: int, payload: CommentIn):
    comment = services.add_comment(
        actor=request.user, task=_task(request, task_id), body=payload.body
    )
    return Status(201, comment)

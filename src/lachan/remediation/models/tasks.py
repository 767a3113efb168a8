from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .findings import Severity, SourceKind


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Mới giao")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    SUBMITTED = "submitted", _("Đã báo cáo")
    RETURNED = "returned", _("Bị trả lại")
    VERIFIED = "verified", _("Đã xác nhận")
    CLOSED = "closed", _("Đã đóng")


# Statuses in which the unit still has work to do (and a task can be overdue).
ACTIVE_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)
# Statuses in which the task still "owns" its problem: a new finding refreshes it.
UNFINISHED_STATUSES = (*ACTIVE_STATUSES, TaskStatus.SUBMITTED)


class TaskQuerySet(models.QuerySet):
    def overdue(self, today: dt.date | None = None) -> TaskQuerySet:
        today = today or timezone.localdate()
        return self.filter(status__in=ACTIVE_STATUSES, due_date__lt=today)

    def unfinished(self) -> TaskQuerySet:
        return self.filter(status__in=UNFINISHED_STATUSES)


class Task(models.Model):
    """A remediation task (việc cần xử lý) given to one unit."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    guidance = models.TextField(_("hướng dẫn xử lý"), blank=True)
    severity = models.CharField(
        _("mức độ"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    source = models.CharField(
        _("nguồn"), max_length=20, choices=SourceKind.choices, default=SourceKind.MANUAL
    )
    problem_key = models.CharField(
        _("khoá vấn đề"),
        max_length=255,
        help_text=_("Một vấn đề chỉ có một việc đang mở tại một đơn vị."),
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    due_date = models.DateField(_("hạn xử lý"))
    findings = models.ManyToManyField(
        "remediation.Finding",
        verbose_name=_("phát hiện liên quan"),
        related_name="tasks",
        blank=True,
    )
    created_at = models.DateTimeField(_("ngày giao"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người giao"),
    )
    answer_text = models.TextField(_("nội dung báo cáo"), blank=True)
    submitted_at = models.DateTimeField(_("ngày báo cáo"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người báo cáo"),
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    verified_at = models.DateTimeField(_("ngày xác nhận"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    closed_at = models.DateTimeField(_("ngày đóng"), null=True, blank=True)
    reminded_due_soon_on = models.DateField(null=True, blank=True, editable=False)
    reminded_overdue_on = models.DateField(null=True, blank=True, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("việc cần xử lý")
        verbose_name_plural = _("việc cần xử lý")
        ordering = ["due_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "problem_key"],
                condition=models.Q(status__in=["open", "in_progress", "returned", "submitted"]),
                name="remediation_one_unfinished_task_per_problem",
                violation_error_message=_("Đơn vị đã có một việc đang mở cho vấn đề này."),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "due_date"], name="task_unit_status_due_idx")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status in ACTIVE_STATUSES and self.due_date < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.due_date - timezone.localdate()).days


def evidence_upload_to(instance: TaskEvidence, filename: str) -> str:
    return f"evidence/{instance.task.unit_id}/{instance.task_id}/{filename}"


class TaskEvidence(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp minh chứng"), upload_to=evidence_upload_to, max_length=400)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField(_("kích thước"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class TaskComment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("trao đổi")
        verbose_name_plural = _("trao đổi")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]

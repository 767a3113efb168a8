"""Phishing drills and their recipients."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .templates import DrillTemplate


class DrillStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ phê duyệt")
    APPROVED = "approved", _("Đã duyệt, chờ đến giờ gửi")
    SENDING = "sending", _("Đang diễn tập")
    FINISHED = "finished", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Đã huỷ")


# Statuses in which the recipient list is frozen and the tracking links count.
FROZEN_STATUSES = (DrillStatus.APPROVED, DrillStatus.SENDING, DrillStatus.FINISHED)
OPEN_STATUSES = (
    DrillStatus.DRAFT,
    DrillStatus.AWAITING_APPROVAL,
    DrillStatus.APPROVED,
    DrillStatus.SENDING,
)


class Drill(models.Model):
    """A simulated phishing campaign to the staff of selected units."""

    name = models.CharField(_("tên đợt diễn tập"), max_length=200)
    template = models.ForeignKey(
        DrillTemplate, verbose_name=_("mẫu thư"), on_delete=models.PROTECT, related_name="drills"
    )
    units = models.ManyToManyField("org.Unit", verbose_name=_("đơn vị"), related_name="+")
    include_subunits = models.BooleanField(_("gồm cả đơn vị cấp dưới"), default=True)
    follow_up_lesson = models.ForeignKey(
        "awareness.Lesson",
        verbose_name=_("bài học sau diễn tập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("bắt đầu gửi lúc"))
    send_until = models.DateTimeField(_("ngừng gửi lúc"), null=True, blank=True)
    ends_at = models.DateTimeField(_("kết thúc diễn tập lúc"), null=True, blank=True)
    rate_per_minute = models.PositiveSmallIntegerField(_("số thư mỗi phút"), default=20)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=DrillStatus.choices, default=DrillStatus.DRAFT
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("trình duyệt lúc"), null=True, blank=True)
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu gửi thực tế"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("huỷ lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("đợt diễn tập")
        verbose_name_plural = _("đợt diễn tập")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_per_minute__gte=1) & Q(rate_per_minute__lte=120),
                name="drills_drill_rate_range",
                violation_error_message=_("Số thư mỗi phút phải từ 1 đến 120."),
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(created_by__isnull=True)
                | ~Q(approved_by=models.F("created_by")),
                name="drills_drill_second_approver",
                violation_error_message=_("Người phê duyệt phải khác người tạo đợt diễn tập."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def new_token() -> str:
    """An unguessable token for one recipient's links (192 bits, URL-safe)."""
    return secrets.token_urlsafe(24)


class DrillRecipient(models.Model):
    """One staff member who receives one drill e-mail, and what they did with it."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drill_receipts"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(_("thư điện tử"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    notification = models.ForeignKey(
        "notifications.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    queued_at = models.DateTimeField(_("đưa vào hàng gửi lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    opened_at = models.DateTimeField(_("mở thư lúc"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("nhấp link lúc"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("định đăng nhập lúc"), null=True, blank=True)
    reported_at = models.DateTimeField(_("báo cáo lúc"), null=True, blank=True)
    lesson_completed_at = models.DateTimeField(_("hoàn thành bài học lúc"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("bấm “Tôi đã hiểu” lúc"), null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gửi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("người nhận thư diễn tập")
        verbose_name_plural = _("người nhận thư diễn tập")
        ordering = ["drill", "unit__path", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["drill", "user"],
                name="drills_recipient_once_per_drill",
                violation_error_message=_("Mỗi người chỉ nhận một thư trong một đợt diễn tập."),
            ),
        ]
        indexes = [models.Index(fields=["drill", "queued_at"], name="drills_recipient_queue_idx")]

    def __str__(self) -> str:
        return f"{self.drill} → {self.email}"

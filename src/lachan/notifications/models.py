from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")


class Notification(models.Model):
    """One message to one recipient on one channel; the outbox and its history."""

    channel = models.CharField(_("kênh"), max_length=20, default="email")
    event = models.CharField(_("sự kiện"), max_length=40)
    recipient = models.CharField(_("người nhận"), max_length=255)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    # Optional richer mail: an HTML alternative, a sender other than DEFAULT_FROM_EMAIL and
    # extra headers (phishing drills use all three; other events leave them empty).
    html_body = models.TextField(_("nội dung HTML"), blank=True, default="")
    from_email = models.CharField(_("người gửi"), max_length=255, blank=True, default="")
    headers = models.JSONField(_("tiêu đề thư bổ sung"), default=dict, blank=True)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("gửi lần cuối lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="notification_object_idx"),
            # The retry job scans unsent rows by status and age.
            models.Index(fields=["status", "created_at"], name="notification_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.recipient} {self.subject}"

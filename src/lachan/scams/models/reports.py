"""Scam reports sent from the public checker page, and their screenshots.

A report is reviewed by the Department: approved (its confirmed indicators become entries of
the "confirmed reports" blocklist) or rejected with a reason; a case can be started on the
remediation spine (a finding and a task for a unit).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Cuộc gọi điện thoại")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")
    FACEBOOK = "facebook", _("Facebook")
    EMAIL = "email", _("Thư điện tử")
    WEBSITE = "website", _("Trang web")
    OTHER = "other", _("Khác")


class ReportStatus(models.TextChoices):
    NEW = "new", _("Chờ xem xét")
    APPROVED = "approved", _("Đã xác minh")
    REJECTED = "rejected", _("Không xác nhận")


class ScamReport(models.Model):
    """What someone reported: the story, the numbers and links, and what the checker said."""

    reference = models.CharField(_("số báo cáo"), max_length=20)
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    channel = models.CharField(
        _("kênh"), max_length=10, choices=Channel.choices, default=Channel.OTHER
    )
    happened_on = models.DateField(_("ngày xảy ra"), null=True, blank=True)
    description = models.TextField(_("sự việc"))
    phones = models.JSONField(_("số điện thoại"), default=list, blank=True)
    accounts = models.JSONField(_("số tài khoản"), default=list, blank=True)
    links = models.JSONField(_("đường link"), default=list, blank=True)
    # What the person had pasted in the checker, kept only because they chose to report it.
    checked_text = models.TextField(_("nội dung đã kiểm tra"), blank=True)
    amount_lost = models.PositiveBigIntegerField(_("số tiền bị mất (đồng)"), null=True, blank=True)
    reporter_contact = models.CharField(_("liên hệ của người báo cáo"), max_length=255, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người báo cáo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scam_reports",
    )
    check_result = models.JSONField(_("kết quả kiểm tra khi gửi"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    review_note = models.TextField(_("ghi chú xem xét"), blank=True)
    # [{"kind": "phone", "value": "0912345678"}, …] as they went into the blocklist.
    approved_indicators = models.JSONField(_("dấu hiệu đã xác minh"), default=list, blank=True)
    finding = models.ForeignKey(
        "remediation.Finding",
        verbose_name=_("phát hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task = models.ForeignKey(
        "remediation.Task",
        verbose_name=_("việc xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("báo cáo lừa đảo")
        verbose_name_plural = _("báo cáo lừa đảo")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                name="scams_report_reference_unique",
                violation_error_message=_("Số báo cáo này đã được dùng."),
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.NEW) | Q(reviewed_at__isnull=False),
                name="scams_report_reviewed_when_decided",
                violation_error_message=_("Báo cáo đã xem xét phải có thời điểm xem xét."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="scams_report_status_created"),
            models.Index(fields=["unit", "created_at"], name="scams_report_unit_created"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def risk(self) -> str:
        return str((self.check_result or {}).get("risk", ""))


def report_image_upload_to(instance: ScamReportImage, filename: str) -> str:
    # Never the sender's file name: the digest and the sniffed type only.
    return f"scam-reports/{instance.report.reference}/{filename}"


class ScamReportImage(models.Model):
    """A screenshot attached to a report (PNG, JPEG or WebP by content, served through a view)."""

    report = models.ForeignKey(
        ScamReport, verbose_name=_("báo cáo"), on_delete=models.CASCADE, related_name="images"
    )
    file = models.FileField(_("tệp ảnh"), upload_to=report_image_upload_to, max_length=300)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255, blank=True)
    content_type = models.CharField(_("kiểu nội dung"), max_length=40)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("kích thước (byte)"))
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("ảnh chụp màn hình")
        verbose_name_plural = _("ảnh chụp màn hình")
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]

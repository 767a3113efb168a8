from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Nghiêm trọng")
    HIGH = "high", _("Cao")
    MEDIUM = "medium", _("Trung bình")
    LOW = "low", _("Thấp")

    @classmethod
    def rank(cls, value: str) -> int:
        """Higher is more severe."""
        return {cls.LOW: 1, cls.MEDIUM: 2, cls.HIGH: 3, cls.CRITICAL: 4}.get(value, 0)


class SourceKind(models.TextChoices):
    BOTNET = "botnet", _("Danh sách IP botnet")
    VULNERABILITY = "vulnerability", _("Lỗ hổng bảo mật")
    MALWARE = "malware", _("Mã độc")
    COMPLIANCE = "compliance", _("Tuân thủ cấp độ")
    ALERT = "alert", _("Cảnh báo giám sát")
    MANUAL = "manual", _("Nhập thủ công")
    SCAM_REPORT = "scam_report", _("Báo cáo lừa đảo")


class Finding(models.Model):
    """One source of trouble tied to a unit: a botnet row, a vulnerable host, a detection…

    ``(source, dedupe_key)`` identifies the problem: recording it again refreshes this row.
    """

    source = models.CharField(_("nguồn"), max_length=20, choices=SourceKind.choices)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="findings"
    )
    asset_ref = models.CharField(
        _("tài sản"),
        max_length=255,
        blank=True,
        help_text=_("Địa chỉ IP, tên máy hoặc hệ thống liên quan"),
    )
    severity = models.CharField(
        _("mức độ"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    evidence = models.JSONField(_("bằng chứng"), default=dict, blank=True)
    dedupe_key = models.CharField(_("khoá nhận diện"), max_length=255)
    first_seen = models.DateTimeField(_("phát hiện lần đầu"))
    last_seen = models.DateTimeField(_("phát hiện gần nhất"))
    occurrences = models.PositiveIntegerField(_("số lần ghi nhận"), default=1)
    resolved_at = models.DateTimeField(_("đã khắc phục lúc"), null=True, blank=True)
    resolution_note = models.CharField(_("ghi chú khắc phục"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("phát hiện")
        verbose_name_plural = _("phát hiện")
        ordering = ["-last_seen", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "dedupe_key"],
                name="remediation_finding_dedupe",
                violation_error_message=_("Phát hiện với khoá nhận diện này đã tồn tại."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "source"], name="finding_unit_source_idx")]

    def __str__(self) -> str:
        return self.title

"""Vulnerabilities (CVE records and the Department's advisories as one model), KEV and EPSS
facts on them, the software-name alias table officers extend, the exposures found by
matching the inventory, the due-date policy of vulnerability tasks, and the feed import log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordStatus(models.TextChoices):
    PUBLISHED = "published", _("Đang hiệu lực")
    REJECTED = "rejected", _("Đã bị từ chối/thu hồi")


class Vulnerability(models.Model):
    """A vulnerability record: a CVE from a feed, or a Department advisory without a CVE id
    (``record_id`` "ADV-<advisory pk>"). ``configurations`` keeps the CPE match criteria in
    the NVD shape (``lachan.engine.vulndata`` as JSON) for the matcher."""

    record_id = models.CharField(_("mã"), max_length=40, unique=True)
    source = models.CharField(_("nguồn"), max_length=20, blank=True)  # nvd, cve5, advisory
    description = models.TextField(_("mô tả (tiếng Anh)"), blank=True)
    summary_vi = models.TextField(_("tóm tắt tiếng Việt"), blank=True)
    published = models.DateTimeField(_("ngày công bố"), null=True, blank=True)
    modified = models.DateTimeField(_("ngày cập nhật"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=RecordStatus.choices,
        default=RecordStatus.PUBLISHED,
    )
    cvss31_score = models.FloatField(_("điểm CVSS v3.1"), null=True, blank=True)
    cvss31_vector = models.CharField(max_length=200, blank=True)
    cvss31_severity = models.CharField(max_length=10, blank=True)
    cvss40_score = models.FloatField(_("điểm CVSS v4.0"), null=True, blank=True)
    cvss40_vector = models.CharField(max_length=300, blank=True)
    cvss40_severity = models.CharField(max_length=10, blank=True)
    cwes = models.JSONField(default=list, blank=True)
    references = models.JSONField(default=list, blank=True)
    configurations = models.JSONField(default=list, blank=True)
    products = models.JSONField(
        default=list, blank=True, help_text="[vendor:product, …] of the configurations, to search"
    )
    kev = models.BooleanField(_("đang bị khai thác (KEV)"), default=False)
    kev_date_added = models.DateField(null=True, blank=True)
    kev_due_date = models.DateField(_("hạn khắc phục theo KEV"), null=True, blank=True)
    kev_ransomware = models.BooleanField(_("dùng trong mã độc tống tiền"), default=False)
    kev_required_action = models.TextField(blank=True)
    epss = models.FloatField(_("EPSS"), null=True, blank=True)
    epss_percentile = models.FloatField(null=True, blank=True)
    epss_date = models.DateField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)  # of the normalised record
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lỗ hổng")
        verbose_name_plural = _("lỗ hổng")
        ordering = ["-published", "record_id"]
        indexes = [
            models.Index(fields=["kev"], name="intel_vuln_kev"),
            models.Index(fields=["status"], name="intel_vuln_status"),
        ]

    def __str__(self) -> str:
        return self.record_id

    @property
    def cvss(self) -> float | None:
        return self.cvss31_score if self.cvss31_score is not None else self.cvss40_score

    @property
    def severity(self) -> str:
        return self.cvss31_severity or self.cvss40_severity


class AdvisorySource(models.TextChoices):
    KHONGGIANMANG = "khonggianmang", _("Cổng khonggianmang.vn")
    NCSC = "ncsc", _("Trung tâm Giám sát an toàn không gian mạng quốc gia (NCSC)")
    LETTER = "letter", _("Công văn")
    OTHER = "other", _("Nguồn khác")


class Advisory(models.Model):
    """A warning the Department received (web page, NCSC, official letter), recorded by hand.

    ``products``: ``[{"vendor", "product", "version_start_including",
    "version_start_excluding", "version_end_including", "version_end_excluding",
    "versions": [exact, …]}]``. Its CVE ids match through their records; its products match
    through ``record`` (a Vulnerability "ADV-<pk>") even without any CVE id."""

    title = models.CharField(_("tiêu đề"), max_length=300)
    source = models.CharField(
        _("nguồn"), max_length=20, choices=AdvisorySource.choices, default=AdvisorySource.OTHER
    )
    source_detail = models.CharField(_("nơi ban hành"), max_length=300, blank=True)
    issued_on = models.DateField(_("ngày ban hành"))
    reference_number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    url = models.URLField(_("đường dẫn"), max_length=500, blank=True)
    cve_ids = models.JSONField(_("mã CVE"), default=list, blank=True)
    products = models.JSONField(_("sản phẩm bị ảnh hưởng"), default=list, blank=True)
    required_action = models.TextField(_("yêu cầu xử lý"), blank=True)
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    record = models.OneToOneField(
        Vulnerability,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advisory",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cảnh báo lỗ hổng")
        verbose_name_plural = _("cảnh báo lỗ hổng")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class AliasKind(models.TextChoices):
    DISPLAY = "display", _("Tên hiển thị trên Windows")
    PACKAGE = "package", _("Gói Debian/Ubuntu")
    WEBAPP = "webapp", _("Ứng dụng web")


class SoftwareAlias(models.Model):
    """An officer's addition to the software-name table (the shipped defaults live in
    ``lachan/engine/data``); a row here wins over a default with the same pattern."""

    kind = models.CharField(_("loại"), max_length=10, choices=AliasKind.choices)
    pattern = models.CharField(_("mẫu tên"), max_length=300)
    cpe_vendor = models.CharField(_("nhà phát triển (CPE)"), max_length=200)
    cpe_product = models.CharField(_("sản phẩm (CPE)"), max_length=200)
    part = models.CharField(_("loại CPE"), max_length=1, default="a")
    version_pattern = models.CharField(_("mẫu lấy phiên bản"), max_length=300, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tên gọi phần mềm")
        verbose_name_plural = _("tên gọi phần mềm")
        ordering = ["kind", "pattern"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "pattern"], name="intel_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.pattern} → {self.cpe_vendor}:{self.cpe_product}"


class ExposureStatus(models.TextChoices):
    AFFECTED = "affected", _("Bị ảnh hưởng")
    NEEDS_REVIEW = "needs_review", _("Cần xem xét")


class Exposure(models.Model):
    """A software entry of a host matched by a vulnerability. Kept after the fix
    (``resolved_at``) so the history and the charts over time can be drawn."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="exposures"
    )
    host = models.ForeignKey(
        "assets.Host", verbose_name=_("máy"), on_delete=models.CASCADE, related_name="exposures"
    )
    software = models.ForeignKey(
        "assets.Software",
        verbose_name=_("phần mềm"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # an upgrade replaces the row; the exposure stays, resolved
        related_name="exposures",
    )
    vulnerability = models.ForeignKey(
        Vulnerability,
        verbose_name=_("lỗ hổng"),
        on_delete=models.CASCADE,
        related_name="exposures",
    )
    product_label = models.CharField(_("phần mềm"), max_length=400)  # "Apache HTTP Server 2.4.49"
    status = models.CharField(_("kết luận"), max_length=15, choices=ExposureStatus.choices)
    reason = models.CharField(_("căn cứ"), max_length=500, blank=True)
    criteria = models.CharField(max_length=400, blank=True)
    fixed_version = models.CharField(_("phiên bản đã sửa"), max_length=120, blank=True)
    priority = models.PositiveSmallIntegerField(_("mức ưu tiên"), default=4)
    score = models.FloatField(_("điểm ưu tiên"), default=0)
    first_seen = models.DateTimeField(_("phát hiện lần đầu"))
    last_seen = models.DateTimeField(_("phát hiện gần nhất"))
    resolved_at = models.DateTimeField(_("hết ảnh hưởng lúc"), null=True, blank=True)
    resolution_note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    finding = models.ForeignKey(
        "remediation.Finding",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exposures",
    )

    class Meta:
        verbose_name = _("điểm yếu trên máy")
        verbose_name_plural = _("điểm yếu trên máy")
        ordering = ["priority", "-score", "unit__path", "host__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["host", "product_label", "vulnerability"], name="intel_exposure_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "resolved_at"], name="intel_exposure_unit_open"),
            models.Index(fields=["vulnerability", "resolved_at"], name="intel_exposure_vuln"),
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability_id} @ {self.host_id}"


class VulnDuePolicy(models.Model):
    """Days to fix, by the worst thing on a host's task: KEV, or the CVSS severity."""

    KEYS = ("kev", "critical", "high", "medium", "low")
    DEFAULT_DAYS = {"kev": 7, "critical": 7, "high": 15, "medium": 30, "low": 90}

    key = models.CharField(_("loại"), max_length=10, unique=True)
    days = models.PositiveSmallIntegerField(_("số ngày xử lý"))

    class Meta:
        verbose_name = _("thời hạn xử lý lỗ hổng")
        verbose_name_plural = _("thời hạn xử lý lỗ hổng")

    def __str__(self) -> str:
        return f"{self.key}: {self.days}"

    @classmethod
    def days_for(cls, key: str) -> int:
        row = cls.objects.filter(key=key).first()
        return row.days if row is not None else cls.DEFAULT_DAYS.get(key, 30)


class FeedImport(models.Model):
    """One import of feed files (CVE records, KEV, EPSS): what came in and what changed."""

    kind = models.CharField(_("loại"), max_length=10)  # records, kev, epss
    name = models.CharField(_("tệp"), max_length=500)
    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    records = models.PositiveIntegerField(_("số bản ghi"), default=0)
    created = models.PositiveIntegerField(_("thêm mới"), default=0)
    updated = models.PositiveIntegerField(_("cập nhật"), default=0)
    rejected = models.PositiveIntegerField(_("bị từ chối/thu hồi"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("lần nhập nguồn lỗ hổng")
        verbose_name_plural = _("lần nhập nguồn lỗ hổng")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"

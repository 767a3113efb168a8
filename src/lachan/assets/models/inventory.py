"""Software inventory: information systems (with their security level), hosts, and the
software installed on each host, with how each entry was mapped to a CPE vendor/product.

The import file (``unit_code,host,os,vendor,product,version,cpe,system``) and, later, the
endpoint agent feed the same rows. A host belongs to one unit; its name is unique in the unit.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityLevel(models.IntegerChoices):
    """Cấp độ an toàn hệ thống thông tin (Decree 85/2016/NĐ-CP, Circular 12/2022/TT-BTTTT)."""

    LEVEL_1 = 1, _("Cấp độ 1")
    LEVEL_2 = 2, _("Cấp độ 2")
    LEVEL_3 = 3, _("Cấp độ 3")
    LEVEL_4 = 4, _("Cấp độ 4")
    LEVEL_5 = 5, _("Cấp độ 5")


class InformationSystem(models.Model):
    """An information system (hệ thống thông tin) of a unit, e.g. the school's website,
    its management software, its e-mail; the security level weighs on vulnerability priority."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="information_systems",
    )
    name = models.CharField(_("tên hệ thống"), max_length=200)
    security_level = models.PositiveSmallIntegerField(
        _("cấp độ"), choices=SecurityLevel.choices, null=True, blank=True
    )
    internet_facing = models.BooleanField(_("cung cấp dịch vụ ra Internet"), default=False)
    description = models.TextField(_("mô tả"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hệ thống thông tin")
        verbose_name_plural = _("hệ thống thông tin")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="assets_system_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class HostRole(models.TextChoices):
    SERVER = "server", _("Máy chủ")
    WORKSTATION = "workstation", _("Máy trạm")
    NETWORK = "network", _("Thiết bị mạng")
    OTHER = "other", _("Khác")


class Host(models.Model):
    """A machine of a unit: server, workstation or network device."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="hosts"
    )
    name = models.CharField(_("tên máy"), max_length=200)
    ips = models.JSONField(_("địa chỉ IP"), default=list, blank=True)
    os = models.CharField(_("hệ điều hành"), max_length=200, blank=True)
    role = models.CharField(
        _("vai trò"), max_length=20, choices=HostRole.choices, default=HostRole.OTHER
    )
    system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("thuộc hệ thống"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosts",
    )
    internet_facing = models.BooleanField(_("truy cập được từ Internet"), default=False)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    source = models.CharField(_("nguồn dữ liệu"), max_length=20, default="import")
    inventory_at = models.DateTimeField(_("kiểm kê lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("máy")
        verbose_name_plural = _("máy")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="assets_host_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def exposed(self) -> bool:
        """Internet-facing itself, or part of a system that serves the Internet."""
        return self.internet_facing or bool(self.system and self.system.internet_facing)


class MappingMethod(models.TextChoices):
    CPE = "cpe", _("CPE ghi sẵn")
    ALIAS = "alias", _("Bảng tên gọi")
    PACKAGE = "package", _("Tên gói Debian/Ubuntu")
    EXACT = "exact", _("Tên đúng dạng CPE")
    UNMAPPED = "unmapped", _("Chưa nhận ra")


class Software(models.Model):
    """One software entry of a host as reported (vendor, product, version, optional CPE), and
    the CPE identity it was mapped to (``cpe_*``), with the method and rule that mapped it."""

    host = models.ForeignKey(
        Host, verbose_name=_("máy"), on_delete=models.CASCADE, related_name="software"
    )
    vendor = models.CharField(_("nhà phát triển"), max_length=200, blank=True)
    product = models.CharField(_("phần mềm"), max_length=300)
    version = models.CharField(_("phiên bản"), max_length=120, blank=True)
    cpe = models.CharField(_("CPE"), max_length=400, blank=True)
    cpe_part = models.CharField(max_length=1, default="a")
    cpe_vendor = models.CharField(_("nhà phát triển (CPE)"), max_length=200, blank=True)
    cpe_product = models.CharField(_("sản phẩm (CPE)"), max_length=200, blank=True)
    cpe_version = models.CharField(_("phiên bản (CPE)"), max_length=120, blank=True)
    cpe_update = models.CharField(max_length=120, blank=True)
    # Other CPE (vendor, product) names of the same software ("nginx:nginx" beside
    # "f5:nginx"), as normalisation found them: a record naming any of them applies.
    cpe_also = models.JSONField(default=list, blank=True)
    distro = models.CharField(_("bản phân phối"), max_length=40, blank=True)
    mapping_method = models.CharField(
        _("cách nhận diện"),
        max_length=10,
        choices=MappingMethod.choices,
        default=MappingMethod.UNMAPPED,
    )
    mapping_rule = models.CharField(_("quy tắc"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phần mềm")
        verbose_name_plural = _("phần mềm")
        ordering = ["host", "vendor", "product", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["host", "vendor", "product", "version"], name="assets_software_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["cpe_vendor", "cpe_product"], name="assets_sw_cpe"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.version}".strip()

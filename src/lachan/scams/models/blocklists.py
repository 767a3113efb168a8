"""Blocklists: the lists officers import (URLhaus, maltrail CSV, hosts files, plain lists),
the Department's own confirmed scam reports and entries added by hand.

An entry keeps its value normalised by ``lachan.engine.scam`` (lower-case host, URL without
fragment, phone as 0xxxxxxxxx or +CC…, account digits only), so a lookup is one equality.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ListFormat(models.TextChoices):
    AUTO = "auto", _("Tự nhận biết")
    URLHAUS = "urlhaus", _("URLhaus (||tên-miền^ và đường link)")
    HOSTS = "hosts", _("Tệp hosts (0.0.0.0 tên-miền)")
    MALTRAIL = "maltrail", _("maltrail CSV (indicator,type,…)")
    PLAIN = "plain", _("Danh sách thường (mỗi dòng một mục)")
    CSV = "csv", _("CSV (kind,value,label)")
    MANUAL = "manual", _("Nhập tay")


class SourceOrigin(models.TextChoices):
    IMPORTED = "imported", _("Tệp nhập")
    REPORTS = "reports", _("Báo cáo đã xác minh")
    MANUAL = "manual", _("Nhập tay")


class IndicatorKind(models.TextChoices):
    URL = "url", _("Đường link")
    DOMAIN = "domain", _("Tên miền")
    IP = "ip", _("Địa chỉ IP")
    PHONE = "phone", _("Số điện thoại")
    ACCOUNT = "account", _("Số tài khoản")
    EMAIL = "email", _("Thư điện tử")


class BlocklistSource(models.Model):
    """One named list. Importing a file under an existing name replaces that list's entries."""

    name = models.CharField(_("tên danh sách"), max_length=200)
    format = models.CharField(
        _("định dạng"), max_length=10, choices=ListFormat.choices, default=ListFormat.AUTO
    )
    origin = models.CharField(
        _("nguồn gốc"), max_length=10, choices=SourceOrigin.choices, default=SourceOrigin.IMPORTED
    )
    filename = models.CharField(_("tên tệp"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 của tệp"), max_length=64, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("nhập lúc"), null=True, blank=True)
    entry_count = models.PositiveIntegerField(_("số mục"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    # Set by every service that changes this list or its entries: the checker rebuilds when the
    # newest of these (or the number of lists) changes — see ``scams.checking``.
    changed_at = models.DateTimeField(_("thay đổi lúc"), auto_now=True)

    class Meta:
        verbose_name = _("danh sách chặn")
        verbose_name_plural = _("danh sách chặn")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="scams_blocklistsource_name_unique",
                violation_error_message=_("Đã có danh sách chặn mang tên này."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BlocklistEntry(models.Model):
    """One indicator of a list: a link, domain, IP address, phone number, account or e-mail."""

    source = models.ForeignKey(
        BlocklistSource,
        verbose_name=_("danh sách"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=IndicatorKind.choices)
    value = models.CharField(_("giá trị"), max_length=2048)
    label = models.CharField(_("nhãn"), max_length=255, blank=True)
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thêm"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    report = models.ForeignKey(
        "scams.ScamReport",
        verbose_name=_("báo cáo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
    )

    class Meta:
        verbose_name = _("mục danh sách chặn")
        verbose_name_plural = _("mục danh sách chặn")
        ordering = ["source", "kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "value"],
                name="scams_blocklistentry_unique",
                violation_error_message=_("Mục này đã có trong danh sách."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="scams_entry_kind_value")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

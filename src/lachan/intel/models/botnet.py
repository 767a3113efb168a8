"""Botnet IP lists as imported: the list, its attributed rows and its rejected rows.

A list is kept once per (file content, period): ``sha256`` of the bytes as received. Each
accepted row keeps what the list said (ip, time, malware, ISP, subscriber, address, port)
and how it was attributed — by a registered prefix (``method`` "prefix", the network it
matched) or by the subscriber's name ("name", a proposal until a Department officer
confirms it) or not at all (``method`` empty, ``unit`` empty).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchMethod(models.TextChoices):
    PREFIX = "prefix", _("Theo dải địa chỉ")
    NAME = "name", _("Theo tên thuê bao")


class BotnetList(models.Model):
    """One list received for a month (kỳ): the file, who imported it and the counts."""

    period = models.DateField(_("kỳ (ngày đầu tháng)"))
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    filename = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(_("SHA-256 của tệp"), max_length=64)
    imported_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rows_read = models.PositiveIntegerField(_("số dòng đã đọc"), default=0)
    rows_rejected = models.PositiveIntegerField(_("số dòng bị loại"), default=0)
    duplicates = models.PositiveIntegerField(_("số dòng trùng"), default=0)
    matched_prefix = models.PositiveIntegerField(_("xác định theo dải địa chỉ"), default=0)
    matched_name = models.PositiveIntegerField(_("xác định theo tên thuê bao"), default=0)
    unmatched = models.PositiveIntegerField(_("chưa xác định được đơn vị"), default=0)

    class Meta:
        verbose_name = _("danh sách IP botnet")
        verbose_name_plural = _("danh sách IP botnet")
        ordering = ["-period", "-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["sha256", "period"], name="intel_botnet_list_once"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.period:%m/%Y})"

    def summary(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "duplicates": self.duplicates,
            "matched_prefix": self.matched_prefix,
            "matched_name": self.matched_name,
            "unmatched": self.unmatched,
        }


class BotnetListRow(models.Model):
    """An accepted row of a list and its attribution."""

    botnet_list = models.ForeignKey(
        BotnetList, verbose_name=_("danh sách"), on_delete=models.CASCADE, related_name="rows"
    )
    row = models.PositiveIntegerField(_("dòng"))  # as a spreadsheet program numbers it
    sheet = models.CharField(_("trang"), max_length=120, blank=True)
    ip = models.CharField(_("địa chỉ IP"), max_length=45)
    seen_at = models.DateTimeField(_("thời gian ghi nhận"), null=True, blank=True)
    malware = models.CharField(_("mã độc"), max_length=255, blank=True)
    isp = models.CharField(_("nhà mạng"), max_length=255, blank=True)
    subscriber = models.CharField(_("tên thuê bao"), max_length=500, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    port = models.CharField(_("cổng"), max_length=40, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="botnet_rows",
    )
    method = models.CharField(
        _("cách xác định"), max_length=10, choices=MatchMethod.choices, null=True, blank=True
    )
    score = models.FloatField(_("điểm"), null=True, blank=True)
    prefix = models.CharField(_("dải địa chỉ"), max_length=50, blank=True)
    network = models.ForeignKey(
        "assets.Network",
        verbose_name=_("mạng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="botnet_rows",
    )
    match_reason = models.CharField(_("căn cứ đối chiếu"), max_length=500, blank=True)
    confirmed = models.BooleanField(_("đã xác nhận"), default=False)
    # The unit was already on the previous period's list (tái nhiễm): set when the row is
    # attributed (by prefix, or when its name match is confirmed).
    reinfected = models.BooleanField(_("tái nhiễm"), default=False)
    finding = models.ForeignKey(
        "remediation.Finding",
        verbose_name=_("phát hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="botnet_rows",
    )

    class Meta:
        verbose_name = _("dòng danh sách IP botnet")
        verbose_name_plural = _("dòng danh sách IP botnet")
        ordering = ["botnet_list", "sheet", "row", "pk"]
        indexes = [
            models.Index(fields=["unit", "botnet_list"], name="intel_row_unit_list"),
            models.Index(fields=["ip"], name="intel_row_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.ip} (dòng {self.row})"


class BotnetListRejection(models.Model):
    """A row of a list that was not kept, and why."""

    botnet_list = models.ForeignKey(
        BotnetList, verbose_name=_("danh sách"), on_delete=models.CASCADE, related_name="rejections"
    )
    row = models.PositiveIntegerField(_("dòng"))
    sheet = models.CharField(_("trang"), max_length=120, blank=True)
    reason = models.TextField(_("lý do"))

    class Meta:
        verbose_name = _("dòng bị loại")
        verbose_name_plural = _("dòng bị loại")
        ordering = ["botnet_list", "sheet", "row", "pk"]

    def __str__(self) -> str:
        return f"dòng {self.row}: {self.reason}"

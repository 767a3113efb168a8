from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .findings import Severity

DEFAULT_DUE_DAYS = {Severity.CRITICAL: 3, Severity.HIGH: 7, Severity.MEDIUM: 15, Severity.LOW: 30}


class DuePolicy(models.Model):
    """How many days a unit has to fix a problem of each severity (editable by the Department)."""

    severity = models.CharField(_("mức độ"), max_length=10, choices=Severity.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("số ngày xử lý"))

    class Meta:
        verbose_name = _("thời hạn xử lý")
        verbose_name_plural = _("thời hạn xử lý")
        ordering = ["severity"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.days}"

    @classmethod
    def days_for(cls, severity: str) -> int:
        row = cls.objects.filter(severity=severity).values_list("days", flat=True).first()
        return row if row is not None else DEFAULT_DUE_DAYS[Severity(severity)]

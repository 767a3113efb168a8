from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DEPT_ADMIN = "dept_admin", _("Quản trị hệ thống cấp Sở")
    DEPT_SECURITY = "dept_security", _("Cán bộ an toàn thông tin cấp Sở")
    UNIT_IT = "unit_it", _("Cán bộ phụ trách CNTT đơn vị")
    UNIT_HEAD = "unit_head", _("Thủ trưởng đơn vị")
    LEARNER = "learner", _("Cán bộ, giáo viên, học viên")


# Roles that see the data of the unit subtree they are assigned to.
DATA_ROLES = frozenset({Role.DEPT_ADMIN, Role.DEPT_SECURITY, Role.UNIT_IT, Role.UNIT_HEAD})
# Roles that act for the Department: verify, return, dispatch.
DEPARTMENT_ROLES = frozenset({Role.DEPT_ADMIN, Role.DEPT_SECURITY})


class RoleAssignment(models.Model):
    """Grants ``role`` over ``unit`` and its whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        ordering = ["unit__path", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="org_roleassignment_unique",
                violation_error_message=_("Người dùng đã có vai trò này tại đơn vị này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class ApiToken(models.Model):
    """A bearer token for integrations and agents. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=120)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "lc_" + secrets.token_urlsafe(32)

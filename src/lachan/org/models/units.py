from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    SO = "so", _("Sở Giáo dục và Đào tạo")
    PHONG = "phong", _("Phòng/ban thuộc Sở")
    THPT = "thpt", _("Trường THPT")
    PT_NHIEU_CAP = "pt_nhieu_cap", _("Trường phổ thông nhiều cấp")
    THCS = "thcs", _("Trường THCS")
    TH = "th", _("Trường Tiểu học")
    MN = "mn", _("Trường Mầm non")
    GDNN_GDTX = "gdnn_gdtx", _("Trung tâm GDNN-GDTX")
    KHAC = "khac", _("Khác")


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def current(self) -> UnitQuerySet:
        return self.filter(is_active=True)


class Unit(models.Model):
    """An organisational unit (đơn vị): the Department, an office, a school or a centre.

    Units form a tree of any depth. ``path`` is a materialised path of ids
    ("/1/7/42/") kept by ``org.services`` so a subtree is one indexed prefix query.
    """

    code = models.CharField(_("mã đơn vị"), max_length=40, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=120, blank=True)
    type = models.CharField(
        _("loại đơn vị"), max_length=20, choices=UnitType.choices, default=UnitType.KHAC
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=400, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    ward = models.CharField(_("xã/phường"), max_length=120, blank=True)
    province = models.CharField(_("tỉnh/thành phố"), max_length=120, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    it_officer_name = models.CharField(_("cán bộ phụ trách CNTT"), max_length=120, blank=True)
    it_officer_phone = models.CharField(_("điện thoại cán bộ CNTT"), max_length=40, blank=True)
    it_officer_email = models.EmailField(_("thư điện tử cán bộ CNTT"), blank=True)
    head_name = models.CharField(_("thủ trưởng đơn vị"), max_length=120, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    aliases = models.JSONField(_("tên gọi khác"), default=list, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="org_unit_validity_ordered",
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def ancestors(self) -> models.QuerySet[Unit]:
        return Unit.objects.filter(pk__in=self.ancestor_ids()[:-1]).order_by("depth")

    def is_school(self) -> bool:
        return self.type not in {UnitType.SO, UnitType.PHONG}

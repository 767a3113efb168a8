"""API of the network registry (``/api/v1/assets/``).

Reads go through ``assets.selectors`` (scoped to the caller's units: another unit's network
is a 404); writes through ``assets.services``, which checks the caller's right over the
network's unit (403: Department administrators and security officers, and the unit's IT
officer) and records the audit log. A bad prefix is a 422 naming the value.
"""

# No ``from __future__ import annotations``: django-ninja reads these annotations at import.

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from lachan.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    InputSchema,
    Pagination,
    UnitRef,
    resolve_unit,
)

from . import selectors, services
from .importers import overlap_message
from .models import LineType, Network

router = Router(tags=["Mạng của đơn vị"])


# --- schemas ----------------------------------------------------------------------------------


class NetworkOut(Schema):
    id: int
    unit: UnitRef
    prefix: str = Field(..., description="Dạng CIDR chuẩn; một địa chỉ là /32 hoặc /128")
    version: int
    prefix_length: int
    isp: str
    subscriber: str
    line_type: LineType
    line_type_label: str
    is_static: bool
    valid_from: dt.date | None = Field(None, description="Ngày bắt đầu (tính cả ngày này)")
    valid_to: dt.date | None = Field(None, description="Ngày kết thúc (tính cả ngày này)")
    note: str
    public: bool = Field(..., description="false: địa chỉ riêng, dự trữ… (không bao giờ khớp)")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_line_type_label(obj: Network) -> str:
        return str(obj.get_line_type_display())

    @staticmethod
    def resolve_public(obj: Network) -> bool:
        return not obj.special


class NetworkFields(InputSchema):
    """Fields of a network (all optional on update; absent ones stay as they are)."""

    unit_id: int | None = Field(None, description="Đơn vị (mã số) — hoặc dùng unit_code")
    unit_code: str | None = Field(None, description="Đơn vị (mã đơn vị)")
    prefix: str | None = Field(None, max_length=64, description="Ví dụ 203.0.113.0/24")
    isp: str | None = Field(None, max_length=120)
    subscriber: str | None = Field(None, max_length=255)
    line_type: LineType | None = None
    is_static: bool | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


class NetworkCreateIn(NetworkFields):
    prefix: str = Field(..., min_length=1, max_length=64, description="Ví dụ 203.0.113.0/24")


class NetworkFilters(Schema):
    unit_id: int | None = Field(None, description="Mạng của đơn vị này và các đơn vị trực thuộc")
    include_subtree: bool = Field(True, description="false: chỉ mạng của chính đơn vị đó")
    isp: str = Field("", description="Nhà mạng (không phân biệt hoa thường)")
    line_type: LineType | None = None
    active_on: dt.date | None = Field(None, description="Còn hiệu lực vào ngày này")
    address: str = Field("", description="Chứa địa chỉ hoặc cả dải này, ví dụ 203.0.113.25")
    q: str = Field("", description="Tìm trong dải IP, thuê bao, nhà mạng, ghi chú, đơn vị")


class NetworkBrief(Schema):
    id: int
    unit: UnitRef
    prefix: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class OverlapOut(Schema):
    outer: NetworkBrief = Field(..., description="Dải rộng hơn (hoặc bằng)")
    inner: NetworkBrief = Field(..., description="Dải cụ thể hơn (hoặc bằng)")
    same_prefix: bool
    winner_id: int | None = Field(
        None, description="Mạng được gán địa chỉ trong phần giao (null: cùng dải, cần sửa)"
    )
    valid_from: dt.date | None = Field(None, description="Khoảng thời gian cả hai cùng hiệu lực")
    valid_to: dt.date | None = None
    message: str


# --- operations -------------------------------------------------------------------------------

_CHANGES = (
    "prefix",
    "isp",
    "subscriber",
    "line_type",
    "is_static",
    "valid_from",
    "valid_to",
    "note",
)


def _values(payload: NetworkFields) -> dict:
    values = payload.model_dump(exclude_unset=True, include=set(_CHANGES))
    if "prefix" in values and not values["prefix"]:
        raise ValidationError({"prefix": _("Trường này không được để trống.")})
    for key in ("isp", "subscriber", "note"):
        if key in values and values[key] is None:
            values[key] = ""
    if values.get("line_type") is not None:
        values["line_type"] = LineType(values["line_type"]).value
    if "line_type" in values and values["line_type"] is None:
        values["line_type"] = LineType.OTHER.value
    if "is_static" in values and values["is_static"] is None:
        values["is_static"] = True
    return values


def _networks(user):
    return selectors.networks_for(user).select_related("unit")


@router.get(
    "/networks/",
    response=list[NetworkOut],
    operation_id="assets_networks_list",
    summary="Danh sách dải IP của các đơn vị",
)
@paginate(Pagination)
def networks_list(request: HttpRequest, filters: Query[NetworkFilters]):
    return selectors.networks_for(
        request.user,
        unit_id=filters.unit_id,
        include_subtree=filters.include_subtree,
        isp=filters.isp,
        line_type=filters.line_type.value if filters.line_type else "",
        active_on=filters.active_on,
        address=filters.address.strip(),
        q=filters.q.strip(),
    ).order_by("unit__path", "version", "range_start", "prefix_length", "valid_from", "pk")


@router.get(
    "/networks/overlaps/",
    response={200: list[OverlapOut], 401: ErrorOut},
    operation_id="assets_networks_overlaps",
    summary="Dải IP chồng lấn giữa các đơn vị (trong phạm vi của người gọi)",
)
def networks_overlaps(request: HttpRequest):
    return [
        {
            "outer": w.outer,
            "inner": w.inner,
            "same_prefix": w.same_prefix,
            "winner_id": w.winner.pk if w.winner else None,
            "valid_from": w.valid_from,
            "valid_to": w.valid_to,
            "message": overlap_message(w),
        }
        for w in selectors.overlap_warnings(request.user)
    ]


@router.get(
    "/networks/{int:network_id}/",
    response={200: NetworkOut, **READ_ERRORS},
    operation_id="assets_networks_detail",
    summary="Một dải IP",
)
def networks_detail(request: HttpRequest, network_id: int):
    return _networks(request.user).get(pk=network_id)


@router.post(
    "/networks/",
    response={201: NetworkOut, **WRITE_ERRORS},
    operation_id="assets_networks_create",
    summary="Đăng ký dải IP cho một đơn vị (cấp Sở, hoặc cán bộ CNTT của đơn vị)",
)
def networks_create(request: HttpRequest, payload: NetworkCreateIn):
    if not selectors.may_manage_some_networks(request.user):
        raise PermissionDenied
    unit = resolve_unit(request.user, unit_id=payload.unit_id, unit_code=payload.unit_code)
    network = services.save_network(actor=request.user, unit=unit, **_values(payload))
    return Status(201, _networks(request.user).get(pk=network.pk))


@router.patch(
    "/networks/{int:network_id}/",
    response={200: NetworkOut, **WRITE_ERRORS},
    operation_id="assets_networks_update",
    summary="Sửa dải IP; đổi đơn vị bằng unit_id hoặc unit_code",
)
def networks_update(request: HttpRequest, network_id: int, payload: NetworkFields):
    network = _networks(request.user).get(pk=network_id)
    if not selectors.can_manage_networks(request.user, network.unit):
        raise PermissionDenied
    unit = network.unit
    if payload.model_fields_set & {"unit_id", "unit_code"}:
        unit = resolve_unit(request.user, unit_id=payload.unit_id, unit_code=payload.unit_code)
    services.save_network(actor=request.user, unit=unit, network=network, **_values(payload))
    return _networks(request.user).get(pk=network.pk)


@router.delete(
    "/networks/{int:network_id}/",
    response={204: None, **WRITE_ERRORS},
    operation_id="assets_networks_delete",
    summary="Xoá một dải IP (ghi nhầm); dải thôi dùng thì nên ghi valid_to",
)
def networks_delete(request: HttpRequest, network_id: int):
    network = _networks(request.user).get(pk=network_id)
    services.delete_network(actor=request.user, network=network)
    return Status(204, None)


# --- software inventory (``/api/v1/assets/hosts/``, ``/inventory/``) ---------------------------
#
# Hosts of the caller's units with their software and how each entry was mapped to a CPE name,
# and their open vulnerability exposures; a host of another unit is a 404. The inventory
# upload (the import's file: ``unit_code,host,os,vendor,product,version,cpe,system``) is for
# the Department's roles and a unit's IT officer, all rows or none (422 naming row and column).

HOST_TAGS = ["Máy và phần mềm"]


def _require_inventory_reader(user) -> None:
    from lachan.org.selectors import visible_units

    if not visible_units(user).exists():
        raise PermissionDenied


class SystemRef(Schema):
    id: int
    name: str
    security_level: int | None
    internet_facing: bool


class HostOut(Schema):
    id: int
    unit: UnitRef
    name: str
    ips: list[str]
    os: str
    role: str
    system: SystemRef | None
    internet_facing: bool = Field(..., description="Máy hoặc hệ thống của máy mở ra Internet")
    note: str
    source: str
    inventory_at: dt.datetime | None
    software_count: int = 0
    open_exposures: int = Field(0, description="Lỗ hổng chưa khắc phục (bị ảnh hưởng)")

    @staticmethod
    def resolve_internet_facing(obj) -> bool:
        return obj.exposed

    @staticmethod
    def resolve_software_count(obj) -> int:
        return getattr(obj, "software_count", 0) or 0

    @staticmethod
    def resolve_open_exposures(obj) -> int:
        return getattr(obj, "open_exposures", 0) or 0


class HostExposureOut(Schema):
    record_id: str
    status: str = Field(..., description="affected | needs_review")
    reason: str
    priority: int
    fixed_version: str | None
    kev: bool


class SoftwareOut(Schema):
    id: int
    vendor: str
    product: str
    version: str
    cpe: str
    cpe_name: str | None = Field(
        None, description="vendor:product:version theo CPE; null khi chưa nhận ra"
    )
    mapping_method: str = Field(..., description="cpe | alias | package | exact | unmapped")
    mapping_method_label: str
    mapping_rule: str
    distro: str
    exposures: list[HostExposureOut]

    @staticmethod
    def resolve_cpe_name(obj) -> str | None:
        if obj.mapping_method == "unmapped" or not obj.cpe_product:
            return None
        return f"{obj.cpe_vendor}:{obj.cpe_product}:{obj.cpe_version or '*'}"

    @staticmethod
    def resolve_mapping_method_label(obj) -> str:
        return str(obj.get_mapping_method_display())

    @staticmethod
    def resolve_exposures(obj) -> list[dict]:
        return [
            {
                "record_id": e.vulnerability.record_id,
                "status": e.status,
                "reason": e.reason,
                "priority": e.priority,
                "fixed_version": e.fixed_version or None,
                "kev": e.vulnerability.kev,
            }
            for e in getattr(obj, "open_exposures", [])
        ]


class HostDetailOut(HostOut):
    software: list[SoftwareOut]

    @staticmethod
    def resolve_software(obj) -> list:
        return obj.software_entries


class HostFilters(Schema):
    unit_id: int | None = Field(None, description="Máy của đơn vị này và các đơn vị trực thuộc")
    include_subtree: bool = True
    system_id: int | None = None
    q: str = Field("", description="Tên máy, hệ điều hành, địa chỉ IP, tên phần mềm")
    exposed: bool | None = Field(None, description="true: chỉ máy có lỗ hổng chưa khắc phục")


class InventoryUploadOut(Schema):
    filename: str
    created: int = Field(..., description="Phần mềm thêm mới")
    updated: int
    unchanged: int
    warnings: list[str] = Field(..., description="Ví dụ: phần mềm đã gỡ khỏi một máy")


@router.get(
    "/hosts/",
    response={200: list[HostOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="assets_hosts_list",
    tags=HOST_TAGS,
    summary="Máy của các đơn vị, với số phần mềm và số lỗ hổng chưa khắc phục",
)
@paginate(Pagination)
def hosts_list(request: HttpRequest, filters: Query[HostFilters]):
    _require_inventory_reader(request.user)
    return selectors.hosts_for(
        request.user,
        unit=filters.unit_id,
        include_subtree=filters.include_subtree,
        system=filters.system_id,
        q=filters.q.strip(),
        exposed=filters.exposed,
    ).order_by("unit__path", "name", "pk")


@router.get(
    "/hosts/{int:host_id}/",
    response={200: HostDetailOut, **READ_ERRORS, 403: ErrorOut},
    operation_id="assets_hosts_detail",
    tags=HOST_TAGS,
    summary="Một máy: phần mềm, cách nhận diện từng phần mềm và các lỗ hổng",
)
def hosts_detail(request: HttpRequest, host_id: int):
    from lachan.intel import vuln_selectors

    _require_inventory_reader(request.user)
    host = selectors.get_host(request.user, host_id)
    found = vuln_selectors.host_exposures(request.user, host)
    by_software: dict[int, list] = {}
    for e in (*found.affected, *found.needs_review):
        by_software.setdefault(e.software_id, []).append(e)
    software = list(selectors.software_for(request.user, host=host))
    for entry in software:
        entry.open_exposures = by_software.get(entry.pk, [])
    host.software_entries = software
    return host


@router.post(
    "/inventory/",
    response={200: InventoryUploadOut, **WRITE_ERRORS},
    operation_id="assets_hosts_inventory_upload",
    tags=HOST_TAGS,
    summary="Nhập danh mục phần mềm (CSV/XLSX): thay danh sách phần mềm của mỗi máy có trong tệp",
)
def hosts_inventory_upload(request: HttpRequest, file: File[UploadedFile]):
    from .inventory_import import import_inventory

    if not selectors.inventory_manageable_units(request.user).exists():
        raise PermissionDenied
    report = import_inventory(
        actor=request.user, data=file.read(), filename=file.name or "danh-muc.csv"
    )
    if not report.ok:  # each message names its row and column
        raise ValidationError({"file": [str(e) for e in report.errors]})
    return {
        "filename": report.filename,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "warnings": list(report.warnings),
    }

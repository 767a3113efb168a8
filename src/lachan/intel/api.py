"""API of botnet IP lists (``/api/v1/intel/``).

Reads go through ``intel.selectors``: Department roles see every list and row; a unit's people
see only the rows attributed to their units (by prefix, or by a confirmed name match) and the
lists holding them — anything else is a 404. Importing a list and confirming name matches are
for Department officers (403 otherwise), through ``intel.services`` (audited).
The period rows are the same objects as ``lachan botnet match`` prints.
"""

# No ``from __future__ import annotations``: django-ninja reads these annotations at import.

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from lachan.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    Pagination,
    UnitRef,
    require_department_staff,
)
from lachan.org.selectors import is_department_staff, visible_units

from . import selectors, services
from .models import BotnetList, BotnetListRow

router = Router(tags=["Danh sách IP botnet"])

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> dt.date:
    """``"2026-11"`` → 1 November 2026; a bad value is a 422 naming the field."""
    found = PERIOD_RE.match(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValidationError({"period": [f"Kỳ “{text}” không hợp lệ; hãy ghi dạng YYYY-MM."]})
    return dt.date(int(found.group(1)), int(found.group(2)), 1)


# --- schemas ----------------------------------------------------------------------------------


class Summary(Schema):
    rows_read: int
    rows_rejected: int
    duplicates: int
    matched_prefix: int
    matched_name: int
    unmatched: int


class ListOut(Schema):
    id: int
    period: str = Field(..., description="YYYY-MM")
    source: str
    filename: str
    sha256: str
    imported_at: dt.datetime
    summary: Summary

    @staticmethod
    def resolve_period(obj: BotnetList) -> str:
        return f"{obj.period:%Y-%m}"

    @staticmethod
    def resolve_summary(obj: BotnetList) -> dict:
        return obj.summary()


class MatchRow(Schema):
    row: int = Field(..., description="Số dòng như chương trình bảng tính hiển thị")
    ip: str
    seen_at: str | None = Field(None, description="ISO 8601 có múi giờ, hoặc null")
    malware: str
    isp: str
    subscriber: str
    unit_code: str | None
    method: str | None = Field(None, description="prefix | name | null (chưa xác định)")
    score: float | None
    prefix: str | None


class Rejected(Schema):
    row: int
    reason: str


class PeriodMatches(Schema):
    summary: Summary
    rows: list[MatchRow]
    rejected: list[Rejected]


class ReviewRow(Schema):
    id: int
    list_id: int
    period: str
    row: int
    ip: str
    seen_at: dt.datetime | None
    malware: str
    isp: str
    subscriber: str
    address: str
    unit: UnitRef
    score: float | None
    reason: str

    @staticmethod
    def resolve_list_id(obj: BotnetListRow) -> int:
        return obj.botnet_list_id

    @staticmethod
    def resolve_period(obj: BotnetListRow) -> str:
        return f"{obj.botnet_list.period:%Y-%m}"

    @staticmethod
    def resolve_reason(obj: BotnetListRow) -> str:
        return obj.match_reason


class TaskRef(Schema):
    id: int
    title: str
    status: str
    severity: str
    due_date: dt.date


class UnitMonthOut(Schema):
    unit: UnitRef
    period: str
    rows: int
    addresses: list[str]
    families: list[str]
    isps: list[str]
    reinfected: bool = Field(..., description="Đơn vị đã có trong danh sách kỳ trước (tái nhiễm)")
    pending_names: int = Field(..., description="Dòng đối chiếu theo tên đang chờ Sở xác nhận")
    seen_next: bool | None = Field(
        None, description="Có lại trong danh sách kỳ sau (null: chưa có danh sách kỳ sau)"
    )
    task: TaskRef | None

    @staticmethod
    def resolve_period(obj) -> str:
        return f"{obj.period:%Y-%m}"


# --- operations -------------------------------------------------------------------------------


@router.get(
    "/botnet/lists/",
    response=list[ListOut],
    operation_id="intel_botnet_lists",
    summary="Các danh sách IP botnet đã nhập (kỳ mới nhất trước)",
)
@paginate(Pagination)
def lists(request: HttpRequest, period: str = ""):
    items = selectors.visible_lists(request.user)
    if period:
        items = items.filter(period=parse_period(period))
    return items.order_by("-period", "-imported_at", "-pk")


@router.get(
    "/botnet/lists/{int:list_id}/",
    response={200: ListOut, **READ_ERRORS},
    operation_id="intel_botnet_list_detail",
    summary="Một danh sách (số liệu là của cả danh sách với cấp Sở, của đơn vị mình với đơn vị)",
)
def list_detail(request: HttpRequest, list_id: int):
    botnet_list = selectors.visible_lists(request.user).get(pk=list_id)
    if not is_department_staff(request.user):
        rows = selectors.rows_of_list(request.user, botnet_list)
        botnet_list.rows_read = rows.count()
        botnet_list.rows_rejected = botnet_list.duplicates = botnet_list.unmatched = 0
        botnet_list.matched_prefix = rows.filter(method="prefix").count()
        botnet_list.matched_name = rows.filter(method="name").count()
    return botnet_list


@router.post(
    "/botnet/lists/",
    response={201: ListOut, **WRITE_ERRORS},
    operation_id="intel_botnet_import",
    summary="Nhập danh sách IP botnet của một kỳ (cấp Sở); tệp CSV/XLSX/XLS/ODS",
)
def import_list(
    request: HttpRequest,
    file: File[UploadedFile],
    period: Form[str],
    source: Form[str] = "",
):
    require_department_staff(request.user)
    stored = services.import_botnet_list(
        actor=request.user,
        data=file.read(),
        filename=file.name or "danh-sach",
        period=parse_period(period),
        source=source,
    )
    return Status(201, stored)


@router.get(
    "/botnet/periods/{period}/matches/",
    response={200: PeriodMatches, 401: ErrorOut, 422: ErrorOut},
    operation_id="intel_botnet_period_matches",
    summary="Kết quả đối chiếu của một kỳ, cùng dạng với `lachan botnet match`",
)
def period_matches(request: HttpRequest, period: str):
    day = parse_period(period)
    return {
        "summary": selectors.summary_for_period(request.user, day),
        "rows": selectors.matches_for_period(request.user, day),
        "rejected": selectors.rejected_for_period(request.user, day),
    }


@router.get(
    "/botnet/periods/{period}/units/",
    response={200: list[UnitMonthOut], 401: ErrorOut, 422: ErrorOut},
    operation_id="intel_botnet_period_units",
    summary="Kết quả theo đơn vị của một kỳ: địa chỉ, mã độc, tái nhiễm, việc xử lý",
)
def period_units(request: HttpRequest, period: str):
    return selectors.units_for_period(request.user, parse_period(period))


@router.get(
    "/botnet/review/",
    response={200: list[ReviewRow], 401: ErrorOut, 403: ErrorOut},
    operation_id="intel_botnet_review",
    summary="Dòng đối chiếu theo tên thuê bao đang chờ xác nhận (cấp Sở)",
)
def review(request: HttpRequest):
    require_department_staff(request.user)
    return list(
        selectors.name_matches_to_confirm(request.user).order_by(
            "-botnet_list__period", "botnet_list_id", "row", "pk"
        )
    )


@router.post(
    "/botnet/rows/{int:row_id}/confirm/",
    response={200: ReviewRow, **WRITE_ERRORS},
    operation_id="intel_botnet_confirm",
    summary="Xác nhận đơn vị của một dòng đối chiếu theo tên (tên thuê bao thành tên gọi khác)",
)
def confirm(request: HttpRequest, row_id: int):
    require_department_staff(request.user)
    row = BotnetListRow.objects.filter(method="name", unit__isnull=False).get(pk=row_id)
    row = services.confirm_name_match(actor=request.user, row=row)
    return BotnetListRow.objects.select_related("unit", "botnet_list").get(pk=row.pk)


@router.get(
    "/botnet/units/{int:unit_id}/history/",
    response={200: list[UnitMonthOut], **READ_ERRORS},
    operation_id="intel_botnet_unit_history",
    summary="Các tháng một đơn vị có trong danh sách IP botnet (mới nhất trước)",
)
def unit_history(request: HttpRequest, unit_id: int):
    unit = visible_units(request.user).get(pk=unit_id)
    return selectors.unit_history(request.user, unit)

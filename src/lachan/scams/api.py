"""API of the scam checker, scam reports and blocklists (``/api/v1/scams/``).

- ``POST /check/`` and ``POST /reports/`` are public (no credentials; rate-limited per IP
  address, or per account for a logged-in web session); the text checked is not stored.
- ``POST /check/batch/`` needs credentials (at most 1,000 items).
- Reports are read through ``scams.selectors`` (the Department sees every report, a unit's IT
  officer and head their units' reports; anything else is a 404); approving and rejecting,
  the blocklists and the indicators (for monitoring) are the Department's (403 otherwise).
"""

# No ``from __future__ import annotations``: django-ninja reads these annotations at import.

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from lachan.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    InputSchema,
    Pagination,
    UnitRef,
    ValidationErrorOut,
    require_department_staff,
)

from . import checking, ratelimit, selectors, services
from .models import BlocklistEntry, BlocklistSource, ScamReport
from .services.blocklists import max_import_bytes

router = Router(tags=["Kiểm tra và báo cáo lừa đảo"])

Kind = Literal["auto", "url", "phone", "account", "text"]
TEXT_MAX = 5000
BATCH_MAX = 1000
TOO_MANY = {429: ErrorOut}


def _limit(request: HttpRequest, bucket: str) -> None:
    if not ratelimit.allow(request, bucket):
        raise HttpError(429, "Quá nhiều yêu cầu. Hãy thử lại sau.")


# --- schemas ----------------------------------------------------------------------------------


class CheckIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=TEXT_MAX)
    kind: Kind = "auto"


class ReasonOut(Schema):
    code: str = Field(..., description="Mã ổn định, ví dụ blocklist.domain, text.otp_request")
    message: str = Field(..., description="Giải thích bằng tiếng Việt")
    evidence: str = Field(..., description="Đoạn của nội dung gửi lên gây ra lý do này")


class SpanOut(Schema):
    start: int = Field(..., description="Vị trí bắt đầu (chỉ số ký tự Unicode, từ 0)")
    end: int = Field(..., description="Vị trí kết thúc (không gồm)")
    text: str
    codes: list[str]


class CheckOut(Schema):
    kind: str = Field(..., description="url | phone | account | text")
    risk: str = Field(..., description="high | medium | low")
    score: int = Field(..., description="0–100")
    reasons: list[ReasonOut]
    evidence_spans: list[SpanOut] = Field(
        ..., description="Các đoạn cần tô đậm trong nội dung gửi lên, không chồng lấn, theo thứ tự"
    )


class BatchItem(InputSchema):
    id: str = Field(..., max_length=200)
    text: str = Field(..., max_length=TEXT_MAX)
    kind: Kind = "auto"


class BatchIn(InputSchema):
    items: list[BatchItem] = Field(..., max_length=BATCH_MAX)


class BatchOut(Schema):
    id: str
    kind: str
    risk: str
    score: int


class ReportIn(InputSchema):
    description: str = Field(..., min_length=1, max_length=5000)
    channel: Literal["phone", "sms", "zalo", "facebook", "email", "website", "other"] = "other"
    happened_on: dt.date | None = None
    phones: list[str] = Field(default_factory=list, max_length=50)
    accounts: list[str] = Field(default_factory=list, max_length=50)
    links: list[str] = Field(default_factory=list, max_length=50)
    amount_lost: int | None = Field(None, ge=0)
    reporter_contact: str = Field("", max_length=255)
    checked_text: str = Field("", max_length=TEXT_MAX)
    consent: bool = Field(
        ..., description="Người báo cáo đồng ý gửi thông tin cho Sở (phải là true)"
    )


class ReportCreated(Schema):
    reference: str
    status: str


class ImageOut(Schema):
    id: int
    content_type: str
    size: int
    sha256: str


class ReportOut(Schema):
    id: int
    reference: str
    created_at: dt.datetime
    channel: str
    happened_on: dt.date | None
    description: str
    phones: list[str]
    accounts: list[str]
    links: list[str]
    checked_text: str
    amount_lost: int | None
    reporter_contact: str
    unit: UnitRef | None
    check_result: dict[str, Any]
    status: str = Field(..., description="new | approved | rejected")
    reviewed_at: dt.datetime | None
    review_note: str
    approved_indicators: list[dict[str, str]]
    finding_id: int | None
    task_id: int | None
    images: list[ImageOut]

    @staticmethod
    def resolve_images(obj: ScamReport) -> list:
        return list(obj.images.all())


class IndicatorIn(InputSchema):
    kind: Literal["url", "domain", "ip", "phone", "account", "email"]
    value: str = Field(..., min_length=1, max_length=2048)


class ApproveIn(InputSchema):
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=100)
    note: str = Field("", max_length=2000)


class RejectIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class BlocklistOut(Schema):
    id: int
    name: str
    format: str
    origin: str = Field(..., description="imported | reports | manual")
    filename: str
    sha256: str
    imported_at: dt.datetime | None
    entry_count: int
    is_active: bool
    note: str
    changed_at: dt.datetime


class ImportOut(Schema):
    source: BlocklistOut
    created: bool
    added: int
    removed: int
    kept: int


class IndicatorOut(Schema):
    id: int
    kind: str
    value: str
    label: str
    source: str
    added_at: dt.datetime

    @staticmethod
    def resolve_source(obj: BlocklistEntry) -> str:
        return obj.source.name


class ReportFilters(Schema):
    status: Literal["", "new", "approved", "rejected"] = ""
    channel: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


# --- checking ---------------------------------------------------------------------------------


def _check_out(text: str, kind: str) -> dict[str, Any]:
    result = checking.check(text, kind)
    data = result.to_dict()
    data["evidence_spans"] = [
        {"start": s["start"], "end": s["end"], "text": s["text"], "codes": s["codes"]}
        for s in checking.evidence_spans(text, result)
    ]
    return data


@router.post(
    "/check/",
    auth=None,
    response={200: CheckOut, 422: ValidationErrorOut, **TOO_MANY},
    operation_id="scams_check",
    summary="Kiểm tra một đường link, số điện thoại, số tài khoản hoặc tin nhắn (công khai)",
    description="Không cần xác thực; giới hạn số lần gọi theo địa chỉ IP. Nội dung không được lưu.",
)
def check(request: HttpRequest, payload: CheckIn):
    _limit(request, "check")
    return _check_out(payload.text, payload.kind)


@router.post(
    "/check/batch/",
    response={200: list[BatchOut], 401: ErrorOut, 422: ValidationErrorOut, **TOO_MANY},
    operation_id="scams_check_batch",
    summary="Kiểm tra nhiều nội dung một lần (tối đa 1.000)",
)
def check_batch(request: HttpRequest, payload: BatchIn):
    _limit(request, "batch")
    checker = checking.current_checker()
    out = []
    for item in payload.items:
        result = checker.check(item.text, item.kind)
        out.append({"id": item.id, "kind": result.kind, "risk": result.risk, "score": result.score})
    return out


# --- reports ----------------------------------------------------------------------------------


@router.post(
    "/reports/",
    auth=None,
    response={201: ReportCreated, 422: ValidationErrorOut, **TOO_MANY},
    operation_id="scams_reports_create",
    summary="Gửi báo cáo lừa đảo (công khai, ẩn danh; không kèm ảnh — ảnh gửi qua trang web)",
)
def create_report(request: HttpRequest, payload: ReportIn):
    _limit(request, "report")
    if not payload.consent:
        raise ValidationError({"consent": ["Người báo cáo phải đồng ý gửi thông tin."]})
    data = payload.dict(exclude={"consent"})
    # No credentials are read here (and no CSRF check is made), so a report sent through the
    # API is anonymous even from a browser with a session: the web form records the unit.
    report = services.create_report(actor=None, **data)
    return Status(201, {"reference": report.reference, "status": report.status})


@router.get(
    "/reports/",
    response=list[ReportOut],
    operation_id="scams_reports_list",
    summary="Báo cáo lừa đảo trong phạm vi của người gọi (mới nhất trước)",
)
@paginate(Pagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilters]):
    return selectors.search_reports(request.user, **filters.dict()).prefetch_related("images")


@router.get(
    "/reports/{int:report_id}/",
    response={200: ReportOut, **READ_ERRORS},
    operation_id="scams_reports_detail",
    summary="Một báo cáo lừa đảo",
)
def report_detail(request: HttpRequest, report_id: int):
    return selectors.get_report(request.user, report_id)


@router.post(
    "/reports/{int:report_id}/approve/",
    response={200: ReportOut, **WRITE_ERRORS, 409: ErrorOut},
    operation_id="scams_reports_approve",
    summary="Xác minh báo cáo; các dấu hiệu gửi kèm vào danh sách chặn (cấp Sở)",
)
def approve(request: HttpRequest, report_id: int, payload: ApproveIn):
    report = selectors.get_report(request.user, report_id)
    require_department_staff(request.user)
    indicators = [(i.kind, i.value) for i in payload.indicators]
    services.approve_report(
        actor=request.user, report=report, indicators=indicators, note=payload.note
    )
    return selectors.get_report(request.user, report_id)


@router.post(
    "/reports/{int:report_id}/reject/",
    response={200: ReportOut, **WRITE_ERRORS, 409: ErrorOut},
    operation_id="scams_reports_reject",
    summary="Không xác nhận báo cáo, kèm lý do (cấp Sở)",
)
def reject(request: HttpRequest, report_id: int, payload: RejectIn):
    report = selectors.get_report(request.user, report_id)
    require_department_staff(request.user)
    services.reject_report(actor=request.user, report=report, reason=payload.reason)
    return selectors.get_report(request.user, report_id)


# --- blocklists -------------------------------------------------------------------------------


@router.get(
    "/blocklists/",
    response={200: list[BlocklistOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="scams_blocklists",
    summary="Các danh sách chặn (cấp Sở)",
)
def blocklists(request: HttpRequest):
    require_department_staff(request.user)
    return list(selectors.visible_sources(request.user))


@router.post(
    "/blocklists/import/",
    response={201: ImportOut, **WRITE_ERRORS},
    operation_id="scams_blocklists_import",
    summary="Nhập một tệp danh sách chặn; cùng tên thì thay toàn bộ mục (cấp Sở)",
    description="Định dạng: auto, urlhaus, hosts, maltrail, plain, csv. Sai một dòng thì không "
    "lưu gì; lỗi ghi rõ tên tệp và số dòng.",
)
def import_blocklist(
    request: HttpRequest,
    file: File[UploadedFile],
    name: Form[str],
    format: Form[str] = "auto",
    note: Form[str] = "",
):
    require_department_staff(request.user)
    limit = max_import_bytes()
    if file.size and file.size > limit:
        raise ValidationError({"file": [f"Tệp lớn hơn giới hạn {limit // 2**20} MB."]})
    outcome = services.import_blocklist(
        actor=request.user,
        data=file.read(),
        filename=file.name or "danh-sach",
        name=name,
        fmt=format,
        note=note,
    )
    source = BlocklistSource.objects.get(pk=outcome.source.pk)
    return Status(
        201,
        {
            "source": source,
            "created": outcome.created,
            "added": outcome.added,
            "removed": outcome.removed,
            "kept": outcome.kept,
        },
    )


@router.get(
    "/indicators/",
    response=list[IndicatorOut],
    operation_id="scams_indicators",
    summary="Các dấu hiệu đang dùng của mọi danh sách chặn đang bật (cấp Sở; cho giám sát)",
)
@paginate(Pagination)
def indicators(request: HttpRequest, kind: str = "", since: dt.datetime | None = None):
    require_department_staff(request.user)
    return selectors.indicators_for(request.user, kind=kind, since=since)

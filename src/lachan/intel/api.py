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
    InputSchema,
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


# --- vulnerability alerts (``/api/v1/intel/vulnerabilities/``, ``/advisories/``) ---------------
#
# Records and advisories are public to every data role; which units and hosts they affect is
# always scoped to the caller's units (``intel.vuln_selectors``). Writing advisories and
# re-running matching are the Department's (``intel.vulns``, audited). A caller with no data
# role (a learner) gets 403. The match rows are the objects of ``lachan vuln matches``.

VULN_TAGS = ["Lỗ hổng bảo mật"]


def _require_vuln_reader(user) -> None:
    from django.core.exceptions import PermissionDenied

    from . import vuln_selectors

    if not vuln_selectors.may_read_vulnerabilities(user):
        raise PermissionDenied


class CvssOut(Schema):
    score: float
    vector: str
    severity: str


class VulnOut(Schema):
    record_id: str = Field(..., description="CVE-…, hoặc ADV-<số> với cảnh báo không có mã CVE")
    source: str = Field(..., description="nvd | cve5 | advisory | kev")
    status: str = Field(..., description="published | rejected")
    description: str = Field(..., description="Mô tả gốc (tiếng Anh)")
    summary_vi: str
    published: dt.datetime | None
    modified: dt.datetime | None
    cvss31: CvssOut | None
    cvss40: CvssOut | None
    severity: str = Field(..., description="critical | high | medium | low | '' (chưa có điểm)")
    cwes: list[str]
    products: list[str] = Field(..., description="vendor:product của các cấu hình bị ảnh hưởng")
    kev: bool
    kev_date_added: dt.date | None
    kev_due_date: dt.date | None
    kev_ransomware: bool
    kev_required_action: str
    epss: float | None
    epss_percentile: float | None
    open_exposures: int = Field(0, description="Trường hợp đang mở trong phạm vi của người gọi")
    affected_units: int = Field(0, description="Đơn vị bị ảnh hưởng trong phạm vi của người gọi")

    @staticmethod
    def _cvss(score, vector, severity):
        if score is None:
            return None
        return {"score": score, "vector": vector, "severity": (severity or "").lower()}

    @staticmethod
    def resolve_cvss31(obj) -> dict | None:
        return VulnOut._cvss(obj.cvss31_score, obj.cvss31_vector, obj.cvss31_severity)

    @staticmethod
    def resolve_cvss40(obj) -> dict | None:
        return VulnOut._cvss(obj.cvss40_score, obj.cvss40_vector, obj.cvss40_severity)

    @staticmethod
    def resolve_severity(obj) -> str:
        return (obj.severity or "").lower()

    @staticmethod
    def resolve_open_exposures(obj) -> int:
        return getattr(obj, "open_exposures", 0) or 0

    @staticmethod
    def resolve_affected_units(obj) -> int:
        return getattr(obj, "affected_units", 0) or 0


class HostRef(Schema):
    id: int
    name: str


class ExposureOut(Schema):
    id: int
    unit: UnitRef
    host: HostRef
    record_id: str
    kev: bool
    product: str = Field(..., description="Phần mềm và phiên bản như trong danh mục")
    status: str = Field(..., description="affected | needs_review")
    reason: str
    fixed_version: str | None
    priority: int = Field(..., description="1 (khẩn cấp) … 4 (thấp)")
    score: float
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_at: dt.datetime | None
    task_id: int | None = Field(None, description="Việc xử lý của máy, nếu đã giao")

    @staticmethod
    def resolve_record_id(obj) -> str:
        return obj.vulnerability.record_id

    @staticmethod
    def resolve_kev(obj) -> bool:
        return obj.vulnerability.kev

    @staticmethod
    def resolve_product(obj) -> str:
        return obj.product_label

    @staticmethod
    def resolve_fixed_version(obj) -> str | None:
        return obj.fixed_version or None

    @staticmethod
    def resolve_task_id(obj) -> int | None:
        task = getattr(obj, "task", None)
        return task.pk if task is not None else None


class ConfigMatchOut(Schema):
    vendor: str
    product: str
    range: str = Field(..., description="Các khoảng phiên bản bị ảnh hưởng, bằng lời")
    criteria: list[str] = Field(..., description="Các chuỗi CPE 2.3 gốc")


class ConfigurationOut(Schema):
    vulnerable: list[ConfigMatchOut]
    platforms: list[ConfigMatchOut] = Field(
        ..., description="Nền tảng phải có cùng (cấu hình dạng AND), nếu có"
    )


class AdvisoryRef(Schema):
    id: int
    title: str
    issued_on: dt.date


class VulnDetailOut(VulnOut):
    references: list[str]
    configurations: list[ConfigurationOut]
    exposures: list[ExposureOut] = Field(..., description="Trong phạm vi của người gọi")
    advisories: list[AdvisoryRef]

    @staticmethod
    def resolve_references(obj) -> list[str]:
        return [r.get("url", "") if isinstance(r, dict) else str(r) for r in obj.references or []]

    @staticmethod
    def resolve_configurations(obj) -> list[dict]:
        from .vuln_views import configuration_groups

        return configuration_groups(obj)

    @staticmethod
    def resolve_exposures(obj) -> list:
        return obj.detail_exposures

    @staticmethod
    def resolve_advisories(obj) -> list:
        return obj.detail_advisories


class MatchRowOut(Schema):
    unit_code: str
    host: str
    vendor: str
    product: str
    version: str
    cve: str
    cvss: float | None
    severity: str
    kev: bool
    epss: float | None
    priority: int
    fixed_version: str | None
    status: str


class MatchSummaryOut(Schema):
    cves_loaded: int
    inventory_rows: int
    matches: int
    needs_review: int


class MatchesOut(Schema):
    summary: MatchSummaryOut
    matches: list[MatchRowOut]


class AdvisoryProduct(InputSchema):
    vendor: str = Field(..., max_length=200)
    product: str = Field(..., max_length=200)
    version_start_including: str | None = None
    version_start_excluding: str | None = None
    version_end_including: str | None = None
    version_end_excluding: str | None = None
    versions: list[str] = Field(default_factory=list, description="Các phiên bản cụ thể")


class AdvisoryOut(Schema):
    id: int
    record_id: str | None = Field(None, description="Bản ghi ADV-<số> của cảnh báo")
    title: str
    source: str
    source_detail: str
    issued_on: dt.date
    reference_number: str
    url: str
    cve_ids: list[str]
    products: list[AdvisoryProduct]
    required_action: str
    deadline: dt.date | None
    affected_units: int = Field(0, description="Trong phạm vi của người gọi")
    affected_hosts: int = Field(0, description="Trong phạm vi của người gọi")

    @staticmethod
    def resolve_record_id(obj) -> str | None:
        return obj.record.record_id if obj.record_id else None


class AdvisoryIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    source: str = Field("other", description="khonggianmang | ncsc | letter | other")
    source_detail: str = Field("", max_length=300)
    issued_on: dt.date
    reference_number: str = Field("", max_length=100)
    url: str = Field("", max_length=500)
    cve_ids: list[str] = Field(default_factory=list)
    products: list[AdvisoryProduct] = Field(default_factory=list)
    required_action: str = ""
    deadline: dt.date | None = None


class RematchOut(Schema):
    entries: int
    matches: int
    affected: int
    needs_review: int
    new: int
    resolved: int
    reopened: int
    findings: int
    tasks: int


def _with_tasks(user, exposures):
    from .vuln_views import tasks_by_finding

    exposures = list(exposures)
    by_finding = tasks_by_finding(user, exposures)
    for e in exposures:
        e.task = by_finding.get(e.finding_id)
    return exposures


def _advisory_counts(user, advisory):
    from . import vuln_selectors

    found = vuln_selectors.advisory_exposures(user, advisory)
    advisory.affected_units = found.values("unit_id").distinct().count()
    advisory.affected_hosts = found.values("host_id").distinct().count()
    return advisory


@router.get(
    "/vulnerabilities/",
    response={200: list[VulnOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="intel_vuln_search",
    tags=VULN_TAGS,
    summary="Tìm lỗ hổng theo mã CVE, nội dung, hãng/sản phẩm; kèm số trường hợp trong phạm vi",
)
@paginate(Pagination)
def vuln_search(
    request: HttpRequest,
    q: str = "",
    kev: bool | None = None,
    severity: str = "",
    exposed_only: bool = False,
):
    from . import vuln_selectors

    _require_vuln_reader(request.user)
    return vuln_selectors.vulnerabilities_search(
        request.user, q=q, kev=kev, severity=severity or None, exposed_only=exposed_only
    )


@router.get(
    "/vulnerabilities/exposures/",
    response={200: list[ExposureOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="intel_vuln_exposures",
    tags=VULN_TAGS,
    summary="Các trường hợp phần mềm trên máy bị ảnh hưởng (ưu tiên cao trước)",
)
@paginate(Pagination)
def vuln_exposures(
    request: HttpRequest,
    unit_id: int | None = None,
    status: str = "",
    priority: int | None = None,
    kev: bool | None = None,
    q: str = "",
    include_resolved: bool = False,
):
    from . import vuln_selectors

    _require_vuln_reader(request.user)
    found = vuln_selectors.exposures_for(
        request.user,
        unit=unit_id,
        status=status or None,
        priority=priority,
        open_only=not include_resolved,
        kev=kev,
        q=q.strip(),
    )
    return found


@router.get(
    "/vulnerabilities/matches/",
    response={200: MatchesOut, 401: ErrorOut, 403: ErrorOut},
    operation_id="intel_vuln_matches",
    tags=VULN_TAGS,
    summary="Kết quả đối chiếu đang mở, cùng dạng với `lachan vuln match` và `lachan vuln matches`",
)
def vuln_matches(request: HttpRequest, unit_id: int | None = None):
    from . import vuln_selectors

    _require_vuln_reader(request.user)
    unit = None
    if unit_id is not None:
        unit = visible_units(request.user).filter(pk=unit_id).first()
        if unit is None:
            return {
                "summary": {"cves_loaded": 0, "inventory_rows": 0, "matches": 0, "needs_review": 0},
                "matches": [],
            }
    return vuln_selectors.match_rows(request.user, unit=unit)


@router.post(
    "/vulnerabilities/rematch/",
    response={200: RematchOut, **WRITE_ERRORS},
    operation_id="intel_vuln_rematch",
    tags=VULN_TAGS,
    summary="Đối chiếu lại toàn bộ phần mềm với dữ liệu lỗ hổng ngay (cấp Sở)",
)
def vuln_rematch(request: HttpRequest):
    from . import vulns

    require_department_staff(request.user)
    return vulns.run_matching(actor=request.user)


@router.get(
    "/vulnerabilities/{record_id}/",
    response={200: VulnDetailOut, **READ_ERRORS, 403: ErrorOut},
    operation_id="intel_vuln_detail",
    tags=VULN_TAGS,
    summary="Một lỗ hổng: điểm, KEV, EPSS, cấu hình bị ảnh hưởng, các máy trong phạm vi",
)
def vuln_detail(request: HttpRequest, record_id: str):
    from . import vuln_selectors

    _require_vuln_reader(request.user)
    detail = vuln_selectors.vulnerability_detail(request.user, record_id)
    vuln = detail.vulnerability
    vuln.open_exposures = len(detail.exposures)
    vuln.affected_units = len(detail.affected_units)
    vuln.detail_exposures = _with_tasks(request.user, detail.exposures)
    vuln.detail_advisories = detail.advisories
    return vuln


@router.get(
    "/advisories/",
    response={200: list[AdvisoryOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="intel_vuln_advisories",
    tags=VULN_TAGS,
    summary="Cảnh báo lỗ hổng Sở đã ghi nhận (mới nhất trước)",
)
@paginate(Pagination)
def vuln_advisories(request: HttpRequest, q: str = ""):
    from . import vuln_selectors

    _require_vuln_reader(request.user)
    return [
        _advisory_counts(request.user, a)
        for a in vuln_selectors.advisories_for(request.user, q=q.strip())
    ]


@router.get(
    "/advisories/{int:advisory_id}/",
    response={200: AdvisoryOut, **READ_ERRORS, 403: ErrorOut},
    operation_id="intel_vuln_advisory_detail",
    tags=VULN_TAGS,
    summary="Một cảnh báo, với số đơn vị và máy bị ảnh hưởng trong phạm vi",
)
def vuln_advisory_detail(request: HttpRequest, advisory_id: int):
    from . import vuln_selectors

    _require_vuln_reader(request.user)
    return _advisory_counts(request.user, vuln_selectors.get_advisory(request.user, advisory_id))


@router.post(
    "/advisories/",
    response={201: AdvisoryOut, **WRITE_ERRORS},
    operation_id="intel_vuln_advisory_create",
    tags=VULN_TAGS,
    summary="Ghi nhận một cảnh báo lỗ hổng (cấp Sở); đối chiếu theo mã CVE và theo sản phẩm",
)
def vuln_advisory_create(request: HttpRequest, payload: AdvisoryIn):
    from . import vulns

    require_department_staff(request.user)
    data = payload.model_dump()
    advisory = vulns.save_advisory(actor=request.user, **data)
    return Status(201, _advisory_counts(request.user, advisory))

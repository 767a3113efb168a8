"""API of phishing drills (``/api/v1/drills/``).

Reads go through ``drills.selectors``: Department officers see every drill; unit roles see
finished drills that reached their units, with their own units' aggregated results only.
``POST /report`` lets a mail client's "report phishing" button send the raw message: when it
holds the token of a drill e-mail sent to the caller, the report counts.
"""

# No ``from __future__ import annotations``: django-ninja reads these annotations at import.

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from lachan.api.common import READ_ERRORS, WRITE_ERRORS, InputSchema, Pagination

from . import selectors, services
from .models import Drill, DrillStatus

router = Router(tags=["Diễn tập thư lừa đảo"])


class DrillOut(Schema):
    id: int
    name: str
    status: DrillStatus
    status_label: str
    template: str
    starts_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj: Drill) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_template(obj: Drill) -> str:
        return obj.template.name


class Rates(Schema):
    sent: float
    opened: float
    clicked: float
    submitted: float
    reported: float
    completed: float


class UnitResult(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    recipients: int
    sent: int
    opened: int
    clicked: int
    submitted: int = Field(..., description="Đã bấm đăng nhập trên trang giả (không thu mật khẩu)")
    reported: int
    completed: int = Field(..., description="Đã học xong bài học sau diễn tập")
    rates: Rates


class DrillResultsOut(Schema):
    drill: DrillOut
    units: list[UnitResult]


class ReportIn(InputSchema):
    message: str = Field(
        ...,
        min_length=1,
        max_length=200_000,
        description="Nội dung thư thô (gồm tiêu đề thư và các đường link); không được lưu lại",
    )


class ReportOut(Schema):
    is_drill: bool
    already_reported: bool
    drills: list[str]
    detail: str


@router.get(
    "/",
    response={200: list[DrillOut], **READ_ERRORS},
    operation_id="drills_list",
    summary="Các đợt diễn tập",
)
@paginate(Pagination)
def list_drills(request):
    return selectors.drills_for(request.user).order_by("-starts_at", "-pk")


@router.get(
    "/{drill_id}/results",
    response={200: DrillResultsOut, **READ_ERRORS},
    operation_id="drills_results",
    summary="Kết quả theo đơn vị",
)
def drill_results(request, drill_id: int):
    drill = selectors.get_drill(request.user, drill_id)
    units = [
        {
            "unit_id": r["unit_id"],
            "unit_code": r["unit__code"],
            "unit_name": r["unit__name"],
            **{k: r[k] for k in ("recipients", "sent", "opened", "clicked", "submitted")},
            **{k: r[k] for k in ("reported", "completed")},
            "rates": r["rates"],
        }
        for r in selectors.results_by_unit(request.user, drill)
    ]
    return {"drill": drill, "units": units}


@router.post(
    "/report",
    response={200: ReportOut, **WRITE_ERRORS},
    operation_id="drills_report",
    summary="Báo cáo thư đáng ngờ",
)
def report(request, payload: ReportIn):
    outcome = services.report_message(actor=request.user, text=payload.message)
    if outcome.is_drill:
        detail = _("Chính xác — đây là thư diễn tập của Sở GDĐT. Cảm ơn thầy/cô đã báo cáo.")
    else:
        detail = _(
            "Đây không phải thư diễn tập gửi tới thầy/cô. Nếu thư đáng ngờ, hãy báo cáo lừa đảo."
        )
    return {
        "is_drill": outcome.is_drill,
        "already_reported": outcome.already_reported,
        "drills": sorted({r.drill.name for r in outcome.recipients}),
        "detail": detail,
    }

"""API of awareness (``/api/v1/awareness/``): lessons and quizzes, then campaigns.

Lessons are public content: the list shows the active lessons, a lesson's detail its rendered
(sanitised) text and how many questions a quiz asks — never the answers. "My progress" is the
caller's own learning (their staff learner), nobody else's.
"""

# No ``from __future__ import annotations``: django-ninja reads these annotations at import.

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lachan.api.common import READ_ERRORS, WRITE_ERRORS, ErrorOut, InputSchema, Pagination, UnitRef

from .models import Audience, Campaign, ClassGroup, Lesson, Progress, Topic
from .selectors import campaigns as campaign_selectors
from .selectors import lessons as lesson_selectors
from .services import campaigns as campaign_services
from .services.learners import learner_for_user

router = Router(tags=["Nâng cao nhận thức"])


# === lessons and quizzes (lesson library) =====================================================


class LessonOut(Schema):
    slug: str
    title: str
    summary: str
    topic: str = Field(..., description="Chủ đề: " + ", ".join(Topic.values))
    audiences: list[str] = Field(..., description="Đối tượng: " + ", ".join(Audience.values))
    minutes: int
    pass_mark: int = Field(..., description="Điểm đạt (%)")
    version: int

    @staticmethod
    def resolve_title(obj: Lesson) -> str:
        return obj.current_version.title

    @staticmethod
    def resolve_summary(obj: Lesson) -> str:
        return obj.current_version.summary

    @staticmethod
    def resolve_minutes(obj: Lesson) -> int:
        return obj.current_version.minutes

    @staticmethod
    def resolve_version(obj: Lesson) -> int:
        return obj.current_version.number


class LessonDetailOut(LessonOut):
    html: str = Field(..., description="Nội dung bài học đã chuyển sang HTML an toàn")
    is_active: bool
    question_count: int = Field(..., description="Số câu hỏi đang dùng trong ngân hàng câu hỏi")
    questions_per_attempt: int = Field(..., description="Số câu mỗi lần làm bài")

    @staticmethod
    def resolve_html(obj: Lesson) -> str:
        return lesson_selectors.render_version(obj)

    @staticmethod
    def resolve_question_count(obj: Lesson) -> int:
        return lesson_selectors.active_question_count(obj)

    @staticmethod
    def resolve_questions_per_attempt(obj: Lesson) -> int:
        return lesson_selectors.questions_per_attempt(obj)


class ProgressOut(Schema):
    lesson: str = Field(..., description="Mã bài học (slug)")
    title: str
    campaign_id: int | None = Field(None, description="Đợt học (null: tự học ngoài đợt)")
    read_at: dt.datetime | None
    attempts: int
    best_score: int
    last_attempt_at: dt.datetime | None
    passed_at: dt.datetime | None

    @staticmethod
    def resolve_lesson(obj: Progress) -> str:
        return obj.lesson.slug

    @staticmethod
    def resolve_title(obj: Progress) -> str:
        return obj.lesson.title


@router.get(
    "/lessons/",
    response=list[LessonOut],
    operation_id="awareness_lessons_list",
    summary="Các bài học đang sử dụng (lọc theo đối tượng, chủ đề, từ khoá)",
)
@paginate(Pagination)
def lessons_list(request: HttpRequest, audience: str = "", topic: str = "", q: str = ""):
    return lesson_selectors.public_lessons(audience=audience, topic=topic, q=q)


@router.get(
    "/lessons/{slug}/",
    response={200: LessonDetailOut, **READ_ERRORS},
    operation_id="awareness_lessons_detail",
    summary="Một bài học: nội dung HTML và số câu hỏi (không kèm đáp án)",
)
def lessons_detail(request: HttpRequest, slug: str):
    return lesson_selectors.get_lesson(request.user, slug)


@router.get(
    "/my/progress/",
    response=list[ProgressOut],
    operation_id="awareness_my_progress",
    summary="Tiến độ học của chính người gọi (mỗi bài học, theo đợt học)",
)
@paginate(Pagination)
def my_progress(request: HttpRequest):
    return lesson_selectors.learner_progress(learner_for_user(request.user))


# === end of lessons and quizzes ===============================================================


# === campaigns ================================================================================
# Department officers see every campaign and number; a unit's IT officer or head the campaigns
# that target its units (never drafts) and only its own units' rows; plain learners get 403.


def _require_campaign_reader(user) -> None:
    if not campaign_selectors.sees_dashboards(user):
        raise PermissionDenied


class CampaignLessonOut(Schema):
    slug: str
    title: str


class CampaignOut(Schema):
    id: int
    title: str
    status: str = Field(..., description="draft | active | closed")
    audiences: list[str] = Field(..., description="staff | students")
    starts_on: dt.date
    deadline: dt.date
    reminder_days: int
    include_subunits: bool
    unit_codes: list[str] = Field(..., description="Đơn vị Sở chọn (mã đơn vị)")

    @staticmethod
    def resolve_unit_codes(obj: Campaign) -> list[str]:
        return sorted(u.code for u in obj.units.all())


class CampaignDetailOut(CampaignOut):
    description: str
    lessons: list[CampaignLessonOut]

    @staticmethod
    def resolve_lessons(obj: Campaign) -> list[dict]:
        return [
            {"slug": lesson.slug, "title": lesson.title}
            for lesson in campaign_selectors.campaign_lessons(obj)
        ]


class ProgressCounts(Schema):
    expected: int
    joined: int
    started: int
    completed: int
    completion_rate: int | None = Field(None, description="Phần trăm hoàn thành (null: chưa có ai)")
    attempts: int
    passed_attempts: int
    pass_rate: int | None = Field(None, description="Phần trăm lượt làm bài đạt")


class UnitProgressOut(Schema):
    unit: UnitRef
    classes: int
    staff: ProgressCounts
    students: ProgressCounts
    total: ProgressCounts


class ClassGroupIn(InputSchema):
    unit_id: int
    name: str = Field(..., max_length=40, description="Tên lớp, ví dụ 10A1")
    expected_students: int | None = Field(None, ge=1, le=200, description="Sĩ số")


class ClassGroupOut(Schema):
    id: int
    campaign_id: int
    unit: UnitRef
    name: str
    join_code: str = Field(..., description="Mã tham gia, dạng K7QM-4RTX")
    is_open: bool
    expected_students: int | None

    @staticmethod
    def resolve_join_code(obj: ClassGroup) -> str:
        return campaign_services.format_join_code(obj.join_code)


def _counts(c) -> dict:
    return {
        "expected": c.expected,
        "joined": c.joined,
        "started": c.started,
        "completed": c.completed,
        "completion_rate": c.completion_rate,
        "attempts": c.attempts,
        "passed_attempts": c.passed_attempts,
        "pass_rate": c.pass_rate,
    }


@router.get(
    "/campaigns/",
    response={200: list[CampaignOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="awareness_campaigns_list",
    summary="Các đợt học người gọi được xem (Sở: tất cả; đơn vị: các đợt giao cho đơn vị)",
)
@paginate(Pagination)
def campaigns_list(request: HttpRequest, status: str = ""):
    _require_campaign_reader(request.user)
    items = campaign_selectors.visible_campaigns(request.user).prefetch_related("units")
    if status:
        items = items.filter(status=status)
    return items.order_by("-starts_on", "-pk")


@router.get(
    "/campaigns/{int:campaign_id}/",
    response={200: CampaignDetailOut, 403: ErrorOut, **READ_ERRORS},
    operation_id="awareness_campaign_detail",
    summary="Một đợt học: bài học theo thứ tự, đơn vị, thời hạn",
)
def campaign_detail(request: HttpRequest, campaign_id: int):
    _require_campaign_reader(request.user)
    return campaign_selectors.get_campaign(request.user, campaign_id)


@router.get(
    "/campaigns/{int:campaign_id}/progress/",
    response={200: list[UnitProgressOut], 403: ErrorOut, **READ_ERRORS},
    operation_id="awareness_campaign_progress",
    summary="Tiến độ của đợt học theo đơn vị (chỉ các đơn vị người gọi được xem)",
)
def campaign_progress(request: HttpRequest, campaign_id: int):
    _require_campaign_reader(request.user)
    campaign = campaign_selectors.get_campaign(request.user, campaign_id)
    report = campaign_selectors.progress_report(request.user, campaign)
    return [
        {
            "unit": row.unit,
            "classes": row.classes,
            "staff": _counts(row.staff),
            "students": _counts(row.students),
            "total": _counts(row.total),
        }
        for row in report.units
    ]


@router.post(
    "/campaigns/{int:campaign_id}/classes/",
    response={201: ClassGroupOut, **WRITE_ERRORS},
    operation_id="awareness_class_groups_create",
    summary="Tạo lớp và mã tham gia cho học sinh (cán bộ CNTT, thủ trưởng đơn vị, cấp Sở)",
)
def class_groups_create(request: HttpRequest, campaign_id: int, payload: ClassGroupIn):
    from django.core.exceptions import ValidationError

    from lachan.org.models import Unit

    _require_campaign_reader(request.user)
    campaign = campaign_selectors.get_campaign(request.user, campaign_id)
    try:
        unit = campaign_selectors.units_in_scope(request.user, campaign).get(pk=payload.unit_id)
    except Unit.DoesNotExist:
        raise ValidationError(
            {"unit_id": ["Không có đơn vị này trong đợt học, hoặc bạn không phụ trách đơn vị."]}
        ) from None
    group = campaign_services.create_class_group(
        actor=request.user,
        campaign=campaign,
        unit=unit,
        name=payload.name,
        expected_students=payload.expected_students,
    )
    return Status(201, group)


# === end of campaigns =========================================================================

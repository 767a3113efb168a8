"""API of awareness (``/api/v1/awareness/``): lessons and quizzes, then campaigns.

Lessons are public content: the list shows the active lessons, a lesson's detail its rendered
(sanitised) text and how many questions a quiz asks — never the answers. "My progress" is the
caller's own learning (their staff learner), nobody else's.
"""

# No ``from __future__ import annotations``: django-ninja reads these annotations at import.

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from lachan.api.common import READ_ERRORS, Pagination

from .models import Audience, Lesson, Progress, Topic
from .selectors import lessons as lesson_selectors
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

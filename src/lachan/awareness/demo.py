"""Campaigns for the demo province: an active "Tháng an toàn thông tin" with classes and join
codes at four schools, students who joined and took the real quizzes (passed, failed and
retried, or stopped half-way), staff progress, and a finished campaign of the spring.

Everything goes through the services (joins, quiz attempts, certificates); names are invented.
"""

from __future__ import annotations

import datetime as dt
import random

from lachan.org.models import Role, RoleAssignment, Unit

ACTIVE_TITLE = "Tháng an toàn thông tin 2026"
FINISHED_TITLE = "Tuần lễ phòng chống lừa đảo trực tuyến"
# (unit code, class name, class size or None)
CLASSES = (
    ("LH-THPT-02", "10A1", 38),
    ("LH-THPT-02", "10A2", 40),
    ("LH-THPT-02", "11B3", None),
    ("LH-THPT-03", "10C1", 36),
    ("LH-THPT-01", "12A1", 35),
    ("LH-DT-01", "8A", 32),
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Gia", "Thanh", "Quốc", "Bảo", "Thu", "Đức", "Khánh")
GIVEN = (
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hương",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Phúc",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Trang",
    "Tú",
    "Vy",
    "Yến",
)


def _student_name(rng: random.Random, used: set[str]) -> str:
    for _attempt in range(50):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        if name not in used:
            used.add(name)
            return name
    return name


def _take(learner, lesson, campaign, *, right: bool, seed: int):
    from .models import Choice
    from .services import quiz

    attempt = quiz.start_attempt(learner=learner, lesson=lesson, campaign=campaign, seed=seed)
    for i, qid in enumerate(attempt.question_order):
        # A failing attempt still gets about half of the questions right.
        choices = list(Choice.objects.filter(question_id=qid).order_by("pk"))
        right_ids = [c.pk for c in choices if c.is_correct]
        wrong_ids = [c.pk for c in choices if not c.is_correct]
        chosen = right_ids if (right or i % 2 == 0 or not wrong_ids) else wrong_ids[:1]
        quiz.answer_question(attempt=attempt, question_id=qid, choice_ids=chosen)
    return quiz.finish_attempt(attempt=attempt)


def _learn(learner, lessons, campaign, rng: random.Random, *, diligence: float) -> None:
    """Read and take the lessons in order; ``diligence`` is the chance to go on to the next."""
    from .services import quiz

    for i, lesson in enumerate(lessons):
        if rng.random() > diligence:
            if rng.random() < 0.4:  # read the next one without taking its quiz
                quiz.mark_read(learner=learner, lesson=lesson, campaigns=[campaign])
            return
        seed = rng.randrange(1 << 30)
        if rng.random() < 0.25:
            _take(learner, lesson, campaign, right=False, seed=seed)
        _take(learner, lesson, campaign, right=True, seed=seed + i)


def _pick_lessons(count: int) -> list:
    from .models import Lesson, Question

    with_questions = set(
        Question.objects.filter(is_active=True).values_list("lesson_id", flat=True)
    )
    lessons = [
        lesson
        for lesson in Lesson.objects.filter(is_active=True, current_version__isnull=False)
        .select_related("current_version")
        .order_by("position", "slug")
        if lesson.pk in with_questions
    ]
    return lessons[:count]


def _unit_it(unit: Unit):
    ra = (
        RoleAssignment.objects.filter(unit=unit, role=Role.UNIT_IT)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return ra.user if ra else None


def seed_awareness_demo(
    *, today: dt.date, units: dict[str, Unit], officer, rng: random.Random
) -> dict[str, int | str]:
    """Load the built-in lessons, then the two campaigns. Returns counts and one open class's
    join code (``join_code``, shown "K7QM-4RTX") for trying the student side."""
    from django.core.exceptions import ValidationError

    from .models import Certificate, ClassGroup, Learner
    from .services import campaigns as svc
    from .services.learners import learner_for_user
    from .services.lessons import load_builtin_lessons

    try:
        load_builtin_lessons()
    except ValidationError:  # content being written: the campaigns use what is loaded
        pass
    lessons = _pick_lessons(8)
    if len(lessons) < 2:
        return {"campaigns": 0}
    root = next((u for u in units.values() if u.parent_id is None), None)
    if root is None:
        return {"campaigns": 0}

    # The spring campaign, for staff: finished, most of the officers completed it.
    finished = svc.save_campaign(
        actor=officer,
        title=FINISHED_TITLE,
        description="Ba bài học ngắn về các thủ đoạn lừa đảo nhắm vào giáo viên và phụ huynh.",
        lessons=lessons[:3],
        units=[root],
        audiences=["staff"],
        starts_on=today - dt.timedelta(days=75),
        deadline=today - dt.timedelta(days=45),
        reminder_days=3,
    )
    finished = svc.activate_campaign(actor=officer, campaign=finished)
    staff_users = list(
        {
            ra.user
            for ra in RoleAssignment.objects.filter(user__is_active=True).select_related("user")
            if ra.user.has_usable_password() or rng.random() < 0.3
        }
    )
    staff_users.sort(key=lambda u: u.pk)
    for user in staff_users:
        learner = learner_for_user(user)
        if learner is not None:
            _learn(learner, lessons[:3], finished, rng, diligence=0.8)
    svc.close_campaign(actor=officer, campaign=finished)

    # This month's campaign: staff and students, three weeks left.
    count = min(len(lessons), 8 if len(lessons) >= 8 else len(lessons))
    active = svc.save_campaign(
        actor=officer,
        title=ACTIVE_TITLE,
        description=(
            "Hưởng ứng Tháng an toàn thông tin: mỗi cán bộ, giáo viên và học sinh học các bài "
            "về lừa đảo trực tuyến, mật khẩu và tin giả, làm bài kiểm tra và nhận giấy chứng nhận."
        ),
        lessons=lessons[:count],
        units=[root],
        audiences=["staff", "students"],
        starts_on=today - dt.timedelta(days=7),
        deadline=today + dt.timedelta(days=21),
        reminder_days=3,
    )
    active = svc.activate_campaign(actor=officer, campaign=active)
    used: set[str] = set()
    join_code = ""
    for code, name, size in CLASSES:
        unit = units.get(code)
        if unit is None:
            continue
        group = svc.create_class_group(
            actor=_unit_it(unit) or officer,
            campaign=active,
            unit=unit,
            name=name,
            expected_students=size,
        )
        join_code = join_code or svc.format_join_code(group.join_code)
        # A week into the campaign: classes have joined unevenly, some already finished.
        joined = rng.randint(12, 24) if size else rng.randint(3, 6)
        diligence = rng.choice((0.8, 0.9, 0.95, 0.98))
        for _ in range(joined):
            learner, _secret = svc.join_class(code=group.join_code, name=_student_name(rng, used))
            _learn(learner, lessons[:count], active, rng, diligence=diligence)
    for user in staff_users:
        if rng.random() < 0.45:
            learner = learner_for_user(user)
            if learner is not None:
                _learn(learner, lessons[:count], active, rng, diligence=0.9)
    return {
        "campaigns": 2,
        "classes": ClassGroup.objects.filter(campaign=active).count(),
        "students": Learner.objects.filter(kind="student").count(),
        "certificates": Certificate.objects.count(),
        "join_code": join_code,
    }

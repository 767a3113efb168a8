"""Helpers of the campaign tests: the fixture lessons, a campaign, a class, a pass or a fail
through the real quiz services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

FIXTURE_LESSONS = Path(__file__).parent / "fixtures" / "campaign_lessons"


def load_fixture_lessons():
    """The two small fixture lessons (8 questions each), loaded by the lesson loader."""
    from lachan.awareness.models import Lesson
    from lachan.awareness.services.lessons import load_builtin_lessons

    load_builtin_lessons(content_dir=FIXTURE_LESSONS)
    return list(
        Lesson.objects.filter(slug__in=["mat-khau-an-toan", "tin-nhan-trung-thuong"]).order_by(
            "position"
        )
    )


def make_campaign(
    *,
    lessons,
    units,
    actor=None,
    audiences=("staff", "students"),
    activate=True,
    include_subunits=True,
    title="Tháng an toàn thông tin 2026",
    deadline: dt.date | None = None,
    reminder_days: int = 3,
):
    from lachan.awareness.services import campaigns as svc

    today = timezone.localdate()
    campaign = svc.save_campaign(
        actor=actor,
        title=title,
        description="Đợt học thử nghiệm.",
        lessons=lessons,
        units=units,
        include_subunits=include_subunits,
        audiences=list(audiences),
        starts_on=today - dt.timedelta(days=1),
        deadline=deadline or today + dt.timedelta(days=20),
        reminder_days=reminder_days,
    )
    if activate:
        campaign = svc.activate_campaign(actor=actor, campaign=campaign)
    return campaign


def take_quiz(learner, lesson, campaign, *, right: bool = True):
    """Answer every question right (or every one wrong) and finish: the finished attempt."""
    from lachan.awareness.models import Choice
    from lachan.awareness.services import quiz

    attempt = quiz.start_attempt(learner=learner, lesson=lesson, campaign=campaign, seed=7)
    for qid in attempt.question_order:
        choice = Choice.objects.filter(question_id=qid, is_correct=right).first()
        quiz.answer_question(attempt=attempt, question_id=qid, choice_ids=[choice.pk])
    return quiz.finish_attempt(attempt=attempt)


def join_student(group, name="Nguyễn Thị Mai"):
    from lachan.awareness.services import campaigns as svc

    learner, _secret = svc.join_class(code=group.join_code, name=name)
    return learner

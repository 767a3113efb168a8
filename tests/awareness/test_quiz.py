"""Quizzes: drawing and shuffling, grading (incl. "multiple"), progress, ``lesson_passed``,
the pages (with and without HTMX) and attempt isolation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from lachan.awareness.models import (
    Attempt,
    Campaign,
    CampaignLesson,
    Choice,
    ClassGroup,
    Learner,
    Lesson,
    Progress,
    Question,
)
from lachan.awareness.services import quiz
from lachan.awareness.services.learners import (
    SESSION_LEARNER_ID,
    SESSION_LEARNER_SECRET,
    learner_for_user,
    new_student_secret,
)
from lachan.awareness.services.lessons import load_builtin_lessons
from lachan.awareness.signals import lesson_passed
from lachan.org.models import Role

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"
SLUG = "mat-khau-manh"

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(tree) -> Lesson:
    load_builtin_lessons(content_dir=FIXTURES)
    return Lesson.objects.get(slug=SLUG)


@pytest.fixture
def teacher(make_user, tree):
    return make_user(Role.LEARNER, tree.a, username="gv_a")


@pytest.fixture
def learner(teacher) -> Learner:
    return learner_for_user(teacher)


@pytest.fixture
def passed_signals():
    received = []

    def handler(sender, **kwargs):
        received.append(kwargs)

    lesson_passed.connect(handler, dispatch_uid="test-quiz-passed")
    yield received
    lesson_passed.disconnect(dispatch_uid="test-quiz-passed")


def _right(qid: int) -> list[int]:
    return list(
        Choice.objects.filter(question_id=qid, is_correct=True).values_list("pk", flat=True)
    )


def _wrong(qid: int) -> list[int]:
    return [Choice.objects.filter(question_id=qid, is_correct=False).first().pk]


def _take(attempt: Attempt, right: int) -> Attempt:
    """Answer the first ``right`` questions right, the others wrong, and finish."""
    for index, qid in enumerate(attempt.question_order):
        quiz.answer_question(
            attempt=attempt,
            question_id=qid,
            choice_ids=_right(qid) if index < right else _wrong(qid),
        )
    return quiz.finish_attempt(attempt=attempt)


def _student(unit, lesson, name="Lê Minh Khoa") -> tuple[Learner, str]:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="Đợt học thử",
        starts_on=today - dt.timedelta(days=1),
        deadline=today + dt.timedelta(days=10),
        status="active",
        audiences=["students"],
    )
    campaign.units.add(unit)
    CampaignLesson.objects.create(campaign=campaign, lesson=lesson)
    group = ClassGroup.objects.create(
        campaign=campaign,
        unit=unit,
        name=f"10A{Learner.objects.count()}",
        join_code=name[:3] + "X1",
    )
    secret, secret_hash = new_student_secret()
    student = Learner.objects.create(
        kind="student", unit=unit, class_group=group, name=name, secret_hash=secret_hash
    )
    return student, secret


def _as_student(client, student: Learner, secret: str) -> None:
    session = client.session
    session[SESSION_LEARNER_ID] = student.pk
    session[SESSION_LEARNER_SECRET] = secret
    session.save()


# --- services ---------------------------------------------------------------------------------


def test_questions_are_drawn_and_shuffled_reproducibly(lesson, learner):
    a = quiz.start_attempt(learner=learner, lesson=lesson, seed=42)
    b = quiz.start_attempt(learner=learner, lesson=lesson, seed=42)
    c = quiz.start_attempt(learner=learner, lesson=lesson, seed=43)
    assert a.question_order == b.question_order and a.choice_order == b.choice_order
    assert (a.question_order, a.choice_order) != (c.question_order, c.choice_order)
    assert len(a.question_order) == 8 == a.total  # 8 of the bank's 10
    assert len(set(a.question_order)) == 8
    bank = set(lesson.questions.values_list("pk", flat=True))
    assert set(a.question_order) <= bank
    for qid in a.question_order:
        ids = set(Choice.objects.filter(question_id=qid).values_list("pk", flat=True))
        assert set(a.choice_order[str(qid)]) == ids
    orders = {
        tuple(quiz.start_attempt(learner=learner, lesson=lesson, seed=s).question_order)
        for s in range(6)
    }
    assert len(orders) > 1


def test_all_questions_when_questions_per_attempt_is_zero_and_inactive_ones_are_not_drawn(
    lesson, learner
):
    lesson.questions_per_attempt = 0
    lesson.save()
    Question.objects.filter(lesson=lesson, key="q01").update(is_active=False)
    attempt = quiz.start_attempt(learner=learner, lesson=lesson, seed=1)
    assert len(attempt.question_order) == 9
    assert lesson.questions.get(key="q01").pk not in attempt.question_order


def test_single_choice_grading(lesson, learner):
    attempt = quiz.start_attempt(learner=learner, lesson=lesson, seed=5)
    first, second = attempt.question_order[:2]
    assert quiz.answer_question(attempt=attempt, question_id=first, choice_ids=_right(first))[
        "correct"
    ]
    result = quiz.answer_question(attempt=attempt, question_id=second, choice_ids=_wrong(second))
    assert not result["correct"] and result["correct_ids"] == _right(second)
    assert result["explanation"] and len(result["choices"]) == 3
    attempt.refresh_from_db()
    assert attempt.correct == 1 and set(attempt.answers) == {str(first), str(second)}


def test_multiple_choice_needs_exactly_the_right_set(lesson, learner):
    lesson.questions_per_attempt = 0
    lesson.save()
    q10 = lesson.questions.get(key="q10")  # three right choices out of four
    right = _right(q10.pk)
    wrong = _wrong(q10.pk)
    assert len(right) == 3
    cases = [
        (right, True),
        (right[:2], False),  # a subset
        (right + wrong, False),  # a superset
        (wrong, False),
    ]
    for chosen, expected in cases:
        attempt = quiz.start_attempt(learner=learner, lesson=lesson, seed=9)
        result = quiz.answer_question(attempt=attempt, question_id=q10.pk, choice_ids=chosen)
        assert result["correct"] is expected, chosen


def test_bad_answers_are_refused(lesson, learner):
    other = quiz.start_attempt(learner=learner, lesson=lesson, seed=2)
    attempt = quiz.start_attempt(learner=learner, lesson=lesson, seed=3)
    single = next(
        qid for qid in attempt.question_order if Question.objects.get(pk=qid).kind == "single"
    )
    foreign = next(qid for qid in other.question_order if qid not in attempt.question_order)
    ids = attempt.choice_order[str(single)]
    with pytest.raises(quiz.QuizError, match="chỉ chọn một đáp án"):
        quiz.answer_question(attempt=attempt, question_id=single, choice_ids=ids[:2])
    with pytest.raises(quiz.QuizError, match="ít nhất một đáp án"):
        quiz.answer_question(attempt=attempt, question_id=single, choice_ids=[])
    with pytest.raises(quiz.QuizError, match="không thuộc bài kiểm tra"):
        quiz.answer_question(attempt=attempt, question_id=foreign, choice_ids=_right(foreign))
    with pytest.raises(quiz.QuizError, match="Đáp án không thuộc"):
        quiz.answer_question(attempt=attempt, question_id=single, choice_ids=_right(foreign))
    quiz.answer_question(attempt=attempt, question_id=single, choice_ids=_right(single))
    with pytest.raises(quiz.QuizError, match="đã được trả lời"):
        quiz.answer_question(attempt=attempt, question_id=single, choice_ids=_wrong(single))
    quiz.finish_attempt(attempt=attempt)
    last = attempt.question_order[-1]
    with pytest.raises(quiz.QuizError, match="đã nộp"):
        quiz.answer_question(attempt=attempt, question_id=last, choice_ids=_right(last))


def test_finish_grades_updates_progress_and_sends_the_signal(lesson, learner, passed_signals):
    failed = _take(quiz.start_attempt(learner=learner, lesson=lesson, seed=1), right=5)
    assert (failed.correct, failed.total, failed.score, failed.passed) == (5, 8, 62, False)
    assert failed.submitted_at is not None and not passed_signals
    progress = Progress.objects.get(learner=learner, lesson=lesson, campaign=None)
    assert (progress.attempts, progress.best_score, progress.passed_at) == (1, 62, None)

    passed = _take(quiz.start_attempt(learner=learner, lesson=lesson, seed=2), right=6)
    assert (passed.score, passed.passed) == (75, True)  # pass mark 75 %
    progress.refresh_from_db()
    assert progress.attempts == 2 and progress.best_score == 75 and progress.passed_at
    first_pass = progress.passed_at
    assert len(passed_signals) == 1
    sent = passed_signals[0]
    assert sent["attempt"].pk == passed.pk and sent["learner"] == learner
    assert sent["lesson"] == lesson and sent["campaign"] is None

    again = _take(quiz.start_attempt(learner=learner, lesson=lesson, seed=3), right=8)
    progress.refresh_from_db()
    assert again.score == 100 and progress.best_score == 100 and progress.attempts == 3
    assert progress.passed_at == first_pass  # the first pass stays
    assert progress.last_attempt_at >= progress.passed_at
    # Finishing twice changes nothing.
    quiz.finish_attempt(attempt=again)
    progress.refresh_from_db()
    assert progress.attempts == 3 and len(passed_signals) == 2


def test_unanswered_questions_count_as_wrong(lesson, learner):
    attempt = quiz.start_attempt(learner=learner, lesson=lesson, seed=4)
    qid = attempt.question_order[0]
    quiz.answer_question(attempt=attempt, question_id=qid, choice_ids=_right(qid))
    attempt = quiz.finish_attempt(attempt=attempt)
    assert (attempt.correct, attempt.total, attempt.score, attempt.passed) == (1, 8, 12, False)


def test_progress_and_signal_in_a_campaign(lesson, tree, passed_signals):
    student, _secret = _student(tree.a, lesson)
    campaign = student.class_group.campaign
    attempt = _take(
        quiz.start_attempt(learner=student, lesson=lesson, campaign=campaign, seed=1), right=8
    )
    assert attempt.passed
    progress = Progress.objects.get(learner=student, lesson=lesson, campaign=campaign)
    assert progress.passed_at and progress.best_score == 100
    assert not Progress.objects.filter(learner=student, campaign=None).exists()
    assert passed_signals[0]["campaign"] == campaign


def test_review_keeps_what_was_shown_after_the_bank_changes(lesson, learner):
    attempt = quiz.start_attempt(learner=learner, lesson=lesson, seed=6)
    qid = attempt.question_order[0]
    quiz.answer_question(attempt=attempt, question_id=qid, choice_ids=_right(qid))
    question = Question.objects.get(pk=qid)
    old_text = question.text
    question.text = "Câu hỏi đã sửa"
    question.save()
    Choice.objects.filter(question=question).update(text="đáp án mới")
    attempt.refresh_from_db()
    result = attempt.results[str(qid)]
    assert result["text"] == old_text and "đáp án mới" not in [c["text"] for c in result["choices"]]


def test_mark_read_marks_the_free_row_once(lesson, learner):
    quiz.mark_read(learner=learner, lesson=lesson)
    first = Progress.objects.get(learner=learner, lesson=lesson, campaign=None).read_at
    quiz.mark_read(learner=learner, lesson=lesson)
    assert Progress.objects.get(learner=learner, lesson=lesson, campaign=None).read_at == first


def test_an_inactive_lesson_has_no_quiz(lesson, learner):
    lesson.is_active = False
    lesson.save()
    with pytest.raises(quiz.QuizError):
        quiz.start_attempt(learner=learner, lesson=lesson)


# --- pages ------------------------------------------------------------------------------------


def _start(client, lesson, **data) -> Attempt:
    response = client.post(reverse("quiz_start", args=[lesson.slug]), data)
    assert response.status_code == 302, response.content[:500]
    return Attempt.objects.get(pk=int(re.search(r"/kiem-tra/(\d+)/", response["Location"])[1]))


def test_the_whole_quiz_without_javascript(client, lesson, teacher):
    client.force_login(teacher)
    attempt = _start(client, lesson)
    attempt_url = reverse("quiz_attempt", args=[lesson.slug, attempt.pk])
    for number, qid in enumerate(attempt.question_order, start=1):
        page = client.get(attempt_url)
        assert page.status_code == 200
        html = page.content.decode()
        assert f"Câu {number}/8" in html
        question = Question.objects.get(pk=qid)
        assert question.text.split(":")[0] in html
        if question.kind == "multiple":
            assert "Chọn tất cả đáp án đúng" in html and 'type="checkbox"' in html
        else:
            assert 'type="radio"' in html
        if question.kind == "scenario":
            assert 'class="quiz-shot"' in html and f"/anh/{question.image_name}" in html
        choices = _right(qid) if number <= 6 else _wrong(qid)
        answered = client.post(
            reverse("quiz_answer", args=[lesson.slug, attempt.pk]),
            {"question": qid, "choice": choices},
        )
        assert answered.status_code == 302
        assert answered["Location"] == f"{attempt_url}?xem={qid}"
        feedback = client.get(answered["Location"]).content.decode()
        assert ("Chính xác!" if number <= 6 else "Chưa đúng.") in feedback
        assert question.explanation in feedback
        assert ("Xem kết quả" if number == 8 else "Câu tiếp theo") in feedback
    attempt.refresh_from_db()
    assert attempt.submitted_at and attempt.score == 75 and attempt.passed
    result = client.get(reverse("quiz_result", args=[lesson.slug, attempt.pk]))
    html = result.content.decode()
    assert "75%" in html and "Đạt" in html and "Làm lại" in html
    assert html.count('class="card"') >= 8  # every question reviewed
    assert client.get(attempt_url)["Location"].endswith("/ket-qua/")
    # "Làm lại": a new attempt, the first one kept.
    again = _start(client, lesson)
    assert again.pk != attempt.pk and Attempt.objects.filter(lesson=lesson).count() == 2


def test_answering_with_htmx_returns_the_feedback_fragment(client, lesson, teacher):
    client.force_login(teacher)
    attempt = _start(client, lesson)
    qid = attempt.question_order[0]
    fragment = client.get(
        reverse("quiz_attempt", args=[lesson.slug, attempt.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert (
        fragment.startswith("<section") and 'id="quiz-card"' in fragment and "<html" not in fragment
    )
    assert 'hx-post="' in fragment
    response = client.post(
        reverse("quiz_answer", args=[lesson.slug, attempt.pk]),
        {"question": qid, "choice": _wrong(qid)},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Chưa đúng." in html and "Đáp án đúng" in html and "Bạn đã chọn — chưa đúng" in html
    assert "Câu tiếp theo" in html and "hx-get=" in html
    # No choice: the question again with a message, nothing recorded.
    nxt = attempt.question_order[1]
    empty = client.post(
        reverse("quiz_answer", args=[lesson.slug, attempt.pk]),
        {"question": nxt},
        headers={"HX-Request": "true"},
    )
    assert "Hãy chọn ít nhất một đáp án." in empty.content.decode()
    attempt.refresh_from_db()
    assert str(nxt) not in attempt.answers


def test_a_second_click_on_an_answered_question_shows_its_feedback(client, lesson, teacher):
    client.force_login(teacher)
    attempt = _start(client, lesson)
    qid = attempt.question_order[0]
    url = reverse("quiz_answer", args=[lesson.slug, attempt.pk])
    client.post(url, {"question": qid, "choice": _right(qid)})
    second = client.post(url, {"question": qid, "choice": _wrong(qid)})
    assert second.status_code == 302 and second["Location"].endswith(f"?xem={qid}")
    attempt.refresh_from_db()
    assert attempt.results[str(qid)]["correct"]


def test_starting_again_continues_an_open_attempt(client, lesson, teacher):
    client.force_login(teacher)
    first = _start(client, lesson)
    assert _start(client, lesson).pk == first.pk


def test_anonymous_visitors_are_asked_to_log_in_or_join(client, lesson):
    response = client.post(reverse("quiz_start", args=[lesson.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/tham-gia/"' in html and "/login/?next=/bai-hoc/mat-khau-manh/" in html
    assert not Attempt.objects.exists()


def test_attempts_belong_to_their_learner_only(client, lesson, teacher, make_user, tree):
    learner = learner_for_user(teacher)
    attempt = quiz.start_attempt(learner=learner, lesson=lesson, seed=1)
    qid = attempt.question_order[0]
    urls = [
        ("get", reverse("quiz_attempt", args=[lesson.slug, attempt.pk])),
        ("get", reverse("quiz_result", args=[lesson.slug, attempt.pk])),
        ("post", reverse("quiz_answer", args=[lesson.slug, attempt.pk])),
    ]
    # Another teacher of the same school, the school's head, a Department officer: 404.
    for role, unit in (
        (Role.LEARNER, tree.a),
        (Role.UNIT_HEAD, tree.a),
        (Role.DEPT_SECURITY, tree.so),
    ):
        client.force_login(make_user(role, unit))
        for method, url in urls:
            response = getattr(client, method)(url, {"question": qid, "choice": _right(qid)})
            assert response.status_code == 404, (role, url)
    client.logout()
    # A student's browser: 404 too.
    student, secret = _student(tree.a, lesson)
    _as_student(client, student, secret)
    for method, url in urls:
        assert (
            getattr(client, method)(url, {"question": qid, "choice": _right(qid)}).status_code
            == 404
        )
    # Without any learner: the login page.
    client.session.flush()
    anonymous = type(client)()
    for method, url in urls:
        response = getattr(anonymous, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    attempt.refresh_from_db()
    assert attempt.answers == {}
    # The wrong lesson in the URL: 404 for the owner too.
    client.force_login(teacher)
    other = Lesson.objects.create(slug="bai-khac", topic="scam")
    assert client.get(reverse("quiz_attempt", args=[other.slug, attempt.pk])).status_code == 404


def test_a_student_session_takes_the_quiz_for_the_class_campaign(client, lesson, tree):
    student, secret = _student(tree.b, lesson)
    _as_student(client, student, secret)
    page = client.get(reverse("lesson_detail", args=[lesson.slug]))
    assert page.status_code == 200 and "Làm bài kiểm tra" in page.content.decode()
    campaign = student.class_group.campaign
    assert Progress.objects.get(learner=student, lesson=lesson, campaign=campaign).read_at
    attempt = _start(client, lesson)
    assert attempt.learner == student and attempt.campaign == campaign
    assert client.get(reverse("quiz_attempt", args=[lesson.slug, attempt.pk])).status_code == 200


def test_reading_marks_progress_for_the_learners_campaigns_or_the_free_row(
    client, lesson, teacher, tree
):
    client.force_login(teacher)
    learner = learner_for_user(teacher)
    client.get(reverse("lesson_detail", args=[lesson.slug]))
    assert Progress.objects.get(learner=learner, lesson=lesson, campaign=None).read_at
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="Tháng an toàn",
        starts_on=today,
        deadline=today + dt.timedelta(days=5),
        status="active",
        audiences=["staff"],
    )
    campaign.units.add(tree.so)  # with its sub-units: school A
    CampaignLesson.objects.create(campaign=campaign, lesson=lesson)
    page = client.get(reverse("lesson_detail", args=[lesson.slug]), {"campaign": campaign.pk})
    assert Progress.objects.get(learner=learner, lesson=lesson, campaign=campaign).read_at
    assert f'name="campaign" value="{campaign.pk}"' in page.content.decode()
    attempt = _start(client, lesson, campaign=campaign.pk)
    assert attempt.campaign == campaign
    # A campaign the learner is not in counts for nothing.
    other = Campaign.objects.create(
        title="Đợt khác", starts_on=today, deadline=today, status="active", audiences=["staff"]
    )
    other.units.add(tree.b)
    CampaignLesson.objects.create(campaign=other, lesson=lesson)
    client.get(reverse("lesson_detail", args=[lesson.slug]), {"campaign": other.pk})
    assert not Progress.objects.filter(learner=learner, campaign=other).exists()

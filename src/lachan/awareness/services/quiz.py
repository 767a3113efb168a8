"""Quizzes: start an attempt, answer one question at a time, grade, record progress.

An attempt draws its questions (``questions_per_attempt`` of the active bank, or all) and
shuffles them and their choices with ``random.Random(seed)``, so a seed gives the same quiz.
Each answer is graded at once and kept with a snapshot of what was shown (question, choices,
explanation): later edits of the bank never change a finished attempt's review.
Grading: a one-answer or scenario question is right when the one right choice is picked; a
"multiple" question when exactly the set of right choices is picked.

Learners' actions are records in themselves (attempts, progress), so they are not audited.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Attempt, Campaign, Learner, Lesson, Progress, Question
from ..signals import lesson_passed


class QuizError(ValidationError):
    """The quiz cannot do that now (no questions, already answered, already finished)."""


def _progress(learner: Learner, lesson: Lesson, campaign: Campaign | None) -> Progress:
    """The learner's progress row for the lesson in ``campaign`` (or outside campaigns), locked."""
    lookup = {"learner": learner, "lesson": lesson, "campaign": campaign}
    progress = Progress.objects.select_for_update().filter(**lookup).first()
    if progress is not None:
        return progress
    try:
        with transaction.atomic():
            return Progress.objects.create(**lookup)
    except IntegrityError:  # created by a concurrent request
        return Progress.objects.select_for_update().get(**lookup)


def mark_read(*, learner: Learner, lesson: Lesson, campaigns: list[Campaign] | None = None) -> None:
    """The learner opened the lesson: ``read_at`` (first time) in each of ``campaigns``, or in
    the free row when there are none."""
    now = timezone.now()
    with transaction.atomic():
        for campaign in campaigns or [None]:
            progress = _progress(learner, lesson, campaign)
            if progress.read_at is None:
                progress.read_at = now
                progress.save(update_fields=["read_at"])


def start_attempt(
    *,
    learner: Learner,
    lesson: Lesson,
    campaign: Campaign | None = None,
    seed: int | None = None,
) -> Attempt:
    """A new attempt at the lesson's quiz: questions drawn and shuffled, choices shuffled."""
    if lesson.current_version_id is None or not lesson.is_active:
        raise QuizError(_("Bài học này hiện không mở bài kiểm tra."))
    questions = list(
        Question.objects.filter(lesson=lesson, is_active=True)
        .prefetch_related("choices")
        .order_by("position", "pk")
    )
    if not questions:
        raise QuizError(_("Bài học này chưa có câu hỏi."))
    rng = random.Random(seed if seed is not None else secrets.randbits(64))
    count = lesson.questions_per_attempt or len(questions)
    drawn = rng.sample(questions, min(count, len(questions)))
    choice_order: dict[str, list[int]] = {}
    for question in drawn:
        ids = [c.pk for c in question.choices.all()]
        rng.shuffle(ids)
        choice_order[str(question.pk)] = ids
    return Attempt.objects.create(
        learner=learner,
        lesson=lesson,
        version_id=lesson.current_version_id,
        campaign=campaign,
        question_order=[q.pk for q in drawn],
        choice_order=choice_order,
        total=len(drawn),
    )


def next_question_id(attempt: Attempt) -> int | None:
    """The first question of the attempt not answered yet."""
    return next((qid for qid in attempt.question_order if str(qid) not in attempt.answers), None)


def answer_question(*, attempt: Attempt, question_id: int, choice_ids: list[int]) -> dict[str, Any]:
    """Record and grade one answer; returns its result snapshot (see ``Attempt.results``)."""
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        key = str(question_id)
        if attempt.submitted_at is not None:
            raise QuizError(_("Bài kiểm tra này đã nộp."))
        if question_id not in attempt.question_order:
            raise QuizError(_("Câu hỏi không thuộc bài kiểm tra này."))
        if key in attempt.answers:
            raise QuizError(_("Câu hỏi này đã được trả lời."))
        question = Question.objects.get(pk=question_id)
        shown = attempt.choice_order.get(key, [])
        choices = {c.pk: c for c in question.choices.filter(pk__in=shown)}
        chosen = sorted({int(c) for c in choice_ids})
        if not chosen:
            raise QuizError(_("Hãy chọn ít nhất một đáp án."))
        if any(c not in choices for c in chosen):
            raise QuizError(_("Đáp án không thuộc câu hỏi này."))
        if question.kind != "multiple" and len(chosen) != 1:
            raise QuizError(_("Câu hỏi này chỉ chọn một đáp án."))
        correct_ids = sorted(pk for pk, c in choices.items() if c.is_correct)
        result = {
            "correct": chosen == correct_ids,
            "chosen": chosen,
            "correct_ids": correct_ids,
            "kind": question.kind,
            "text": question.text,
            "image": question.image_name,
            "explanation": question.explanation,
            "choices": [
                {"id": pk, "text": choices[pk].text, "correct": choices[pk].is_correct}
                for pk in shown
                if pk in choices
            ],
        }
        attempt.answers[key] = chosen
        attempt.results[key] = result
        attempt.correct = sum(1 for r in attempt.results.values() if r["correct"])
        attempt.save(update_fields=["answers", "results", "correct"])
    return result


def finish_attempt(*, attempt: Attempt) -> Attempt:
    """Grade the attempt (unanswered questions count as wrong), update the learner's progress
    for the attempt's campaign (or the free row) and send ``lesson_passed`` on a pass."""
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("lesson", "learner", "campaign")
            .get(pk=attempt.pk)
        )
        if attempt.submitted_at is not None:
            return attempt
        now = timezone.now()
        attempt.total = len(attempt.question_order)
        attempt.correct = sum(
            1 for qid in attempt.question_order if attempt.results.get(str(qid), {}).get("correct")
        )
        attempt.score = round(100 * attempt.correct / attempt.total) if attempt.total else 0
        attempt.passed = attempt.total > 0 and attempt.score >= attempt.lesson.pass_mark
        attempt.submitted_at = now
        attempt.save(update_fields=["total", "correct", "score", "passed", "submitted_at"])

        progress = _progress(attempt.learner, attempt.lesson, attempt.campaign)
        progress.attempts += 1
        progress.best_score = max(progress.best_score, attempt.score)
        progress.last_attempt_at = now
        if progress.read_at is None:
            progress.read_at = attempt.started_at
        if attempt.passed and progress.passed_at is None:
            progress.passed_at = now
        progress.save()
        if attempt.passed:
            lesson_passed.send(
                sender=Attempt,
                attempt=attempt,
                learner=attempt.learner,
                lesson=attempt.lesson,
                campaign=attempt.campaign,
            )
    return attempt

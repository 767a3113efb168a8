"""Routes of the lesson library, quizzes and lesson management (awareness), see spec.py.

Lessons are public content (parents read them without an account): the library, a lesson,
its images and the quiz start page are open to everyone; starting a quiz needs a learner
(anonymous visitors get a page saying how to log in or join a class). An attempt belongs to
its learner only: the world holds school B's IT officer's attempt, which nobody else — not
even the Department — may open or answer ("own" with B's kwargs). Managing lessons is the
Department's.
"""

from __future__ import annotations

from .spec import RouteSpec


def _slug(w):
    return {"slug": w.a.lesson.slug}


def _b_attempt(w):
    return {"slug": w.a.lesson.slug, "pk": w.b.lesson_attempt.pk}


def _answer(w):
    question = w.a.lesson_question
    return {"question": question.pk, "choice": [c.pk for c in question.choices.all()][:1]}


def _post(kwargs=_slug, data=None, kind="department"):
    return RouteSpec(kind, method="POST", kwargs=kwargs, data=data or (lambda w: {}))


ROUTES: dict[str, RouteSpec] = {
    # Reading (anyone).
    "lesson_library": RouteSpec(
        "public", extra={"queries": [{"audience": "parents"}, {"topic": "scam"}]}
    ),
    "lesson_detail": RouteSpec("public", kwargs=_slug),
    "lesson_image": RouteSpec(
        "public", kwargs=lambda w: {"slug": w.a.lesson.slug, "name": "tin-nhan.svg"}
    ),
    "quiz_start": _post(kind="public"),
    # Attempts: the learner's own.
    "quiz_attempt": RouteSpec("own", kwargs=_b_attempt, note="school B's attempt"),
    "quiz_result": RouteSpec("own", kwargs=_b_attempt),
    "quiz_answer": _post(kwargs=_b_attempt, data=_answer, kind="own"),
    # Management (Department).
    "lesson_manage": RouteSpec("department"),
    "lesson_load_builtin": _post(kwargs=None),
    "lesson_create": RouteSpec("department"),
    "lesson_preview": _post(kwargs=None, data=lambda w: {"body": "## Thử"}),
    "lesson_edit": RouteSpec("department", kwargs=_slug),
    "lesson_toggle": _post(data=lambda w: {"active": "0"}),
    "lesson_history": RouteSpec("department", kwargs=_slug),
    "lesson_version": RouteSpec("department", kwargs=lambda w: {**_slug(w), "number": 1}),
    "lesson_version_restore": _post(kwargs=lambda w: {**_slug(w), "number": 1}),
    "lesson_images": RouteSpec("department", kwargs=_slug),
    "lesson_image_delete": _post(kwargs=lambda w: {**_slug(w), "pk": w.a.lesson_image.pk}),
    "lesson_questions": RouteSpec("department", kwargs=_slug),
    "lesson_question_create": RouteSpec("department", kwargs=_slug),
    "lesson_question_edit": RouteSpec(
        "department", kwargs=lambda w: {**_slug(w), "pk": w.a.lesson_question.pk}
    ),
    "lesson_question_toggle": _post(
        kwargs=lambda w: {**_slug(w), "pk": w.a.lesson_question.pk},
        data=lambda w: {"active": "0"},
    ),
    # API.
    "api:awareness_lessons_list": RouteSpec(
        "authenticated", extra={"queries": [{"q": "ma tran"}, {"audience": "staff"}]}
    ),
    "api:awareness_lessons_detail": RouteSpec("authenticated", kwargs=_slug),
    "api:awareness_my_progress": RouteSpec("own", note="the caller's own learner"),
}

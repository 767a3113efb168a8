"""Reads of lessons, their rendering, quizzes and a learner's own progress.

Lessons are public content: anyone sees the active ones. Inactive lessons, version history and
the question bank (with the right answers) are for Department officers. An attempt is seen
only by its own learner.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from lachan.org.selectors import is_department_staff

from ..markdown import render_markdown
from ..models import (
    Attempt,
    Campaign,
    Choice,
    Learner,
    Lesson,
    LessonImage,
    LessonVersion,
    Progress,
    Question,
)


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics, for searching ("lừa đảo" ~ "lua dao")."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# --- the public library -----------------------------------------------------------------------


def public_lessons(*, audience: str = "", topic: str = "", q: str = "") -> list[Lesson]:
    """Active lessons for the library, filtered; ``q`` matches title and summary, with or
    without diacritics."""
    qs = (
        Lesson.objects.filter(is_active=True, current_version__isnull=False)
        .select_related("current_version")
        .order_by("position", "slug")
    )
    if topic:
        qs = qs.filter(topic=topic)
    lessons = list(qs)
    if audience:
        lessons = [lesson for lesson in lessons if audience in (lesson.audiences or [])]
    words = fold(q).split()
    if words:
        lessons = [
            lesson
            for lesson in lessons
            if all(
                w
                in fold(
                    f"{lesson.current_version.title} {lesson.current_version.summary} {lesson.slug}"
                )
                for w in words
            )
        ]
    return lessons


def get_lesson(user, slug: str) -> Lesson:
    """A lesson to read: an active one for anyone; any for Department officers (preview)."""
    qs = Lesson.objects.select_related("current_version").filter(current_version__isnull=False)
    if not is_department_staff(user):
        qs = qs.filter(is_active=True)
    return qs.get(slug=slug)


def get_lesson_image(user, slug: str, name: str) -> LessonImage:
    lesson = get_lesson(user, slug)
    return LessonImage.objects.get(lesson=lesson, name=name)


def image_urls(lesson: Lesson) -> dict[str, str]:
    return {
        name: reverse("lesson_image", kwargs={"slug": lesson.slug, "name": name})
        for name in LessonImage.objects.filter(lesson=lesson).values_list("name", flat=True)
    }


def render_version(
    lesson: Lesson, version: LessonVersion | None = None, body: str | None = None
) -> str:
    """Safe HTML of a lesson's text (the current version, another one, or a draft ``body``)."""
    urls = image_urls(lesson)
    text = body if body is not None else (version or lesson.current_version).body
    return render_markdown(text, image_url=urls.get)


def active_question_count(lesson: Lesson) -> int:
    return Question.objects.filter(lesson=lesson, is_active=True).count()


def questions_per_attempt(lesson: Lesson) -> int:
    count = active_question_count(lesson)
    return min(lesson.questions_per_attempt, count) if lesson.questions_per_attempt else count


# --- learners ---------------------------------------------------------------------------------


def campaigns_with_lesson(learner: Learner | None, lesson: Lesson) -> list[Campaign]:
    """The learner's active campaigns that contain the lesson (earliest deadline first)."""
    if learner is None:
        return []
    from .campaigns import campaigns_for_learner

    campaigns = [c for c in campaigns_for_learner(learner) if c.status == "active"]
    if not campaigns:
        return []
    containing = set(
        Campaign.objects.filter(
            pk__in=[c.pk for c in campaigns], campaign_lessons__lesson=lesson
        ).values_list("pk", flat=True)
    )
    return [c for c in campaigns if c.pk in containing]


def campaign_for_attempt(learner: Learner | None, lesson: Lesson, campaign_id) -> Campaign | None:
    """Where an attempt counts: the campaign named in the URL when it is one of the learner's
    active campaigns holding the lesson; without one, the learner's first such campaign; else
    outside any campaign (None)."""
    campaigns = campaigns_with_lesson(learner, lesson)
    if campaign_id not in (None, ""):
        try:
            wanted = int(campaign_id)
        except (TypeError, ValueError):
            wanted = None
        named = next((c for c in campaigns if c.pk == wanted), None)
        if named is not None:
            return named
    return campaigns[0] if campaigns else None


def get_attempt(learner: Learner | None, pk: int, slug: str | None = None) -> Attempt:
    """One of the learner's own attempts; Attempt.DoesNotExist for anyone else's."""
    if learner is None:
        raise Attempt.DoesNotExist
    qs = Attempt.objects.select_related("lesson", "lesson__current_version", "campaign", "version")
    if slug is not None:
        qs = qs.filter(lesson__slug=slug)
    return qs.get(pk=pk, learner=learner)


def recent_attempts(learner: Learner | None, lesson: Lesson, limit: int = 5) -> list[Attempt]:
    if learner is None:
        return []
    return list(
        Attempt.objects.filter(learner=learner, lesson=lesson, submitted_at__isnull=False).order_by(
            "-submitted_at", "-pk"
        )[:limit]
    )


def open_attempt(learner: Learner | None, lesson: Lesson) -> Attempt | None:
    """The learner's unfinished attempt at the lesson, if any (to continue it)."""
    if learner is None:
        return None
    return (
        Attempt.objects.filter(learner=learner, lesson=lesson, submitted_at__isnull=True)
        .order_by("-started_at", "-pk")
        .first()
    )


def learner_progress(learner: Learner | None) -> QuerySet[Progress]:
    """The learner's own progress rows, newest activity first."""
    if learner is None:
        return Progress.objects.none()
    return (
        Progress.objects.filter(learner=learner)
        .select_related("lesson", "lesson__current_version", "campaign")
        .order_by("-last_attempt_at", "-read_at", "lesson__position")
    )


def attempt_question(attempt: Attempt, question_id: int) -> tuple[Question, list[Choice]]:
    """A question of the attempt and its choices in the order the attempt shows them."""
    question = Question.objects.get(pk=question_id, lesson_id=attempt.lesson_id)
    order = attempt.choice_order.get(str(question_id), [])
    choices = {c.pk: c for c in question.choices.filter(pk__in=order)}
    return question, [choices[pk] for pk in order if pk in choices]


# --- management (Department officers) ---------------------------------------------------------


def _require_department(user) -> None:
    if not is_department_staff(user):
        raise PermissionDenied


def managed_lessons(user, *, q: str = "", state: str = "") -> list[Lesson]:
    """Every lesson with its version and question counts (Department officers only)."""
    _require_department(user)
    qs = (
        Lesson.objects.select_related("current_version")
        .annotate(
            version_count=Count("versions", distinct=True),
            question_count=Count("questions", filter=Q(questions__is_active=True), distinct=True),
        )
        .order_by("position", "slug")
    )
    if state == "active":
        qs = qs.filter(is_active=True)
    elif state == "inactive":
        qs = qs.filter(is_active=False)
    lessons = list(qs)
    words = fold(q).split()
    if words:
        lessons = [
            lesson
            for lesson in lessons
            if all(w in fold(f"{lesson.title} {lesson.slug}") for w in words)
        ]
    return lessons


def get_managed_lesson(user, slug: str) -> Lesson:
    _require_department(user)
    return Lesson.objects.select_related("current_version").get(slug=slug)


def lesson_versions(lesson: Lesson) -> QuerySet[LessonVersion]:
    return lesson.versions.select_related("created_by").order_by("-number")


def question_bank(lesson: Lesson) -> list[Question]:
    return list(
        Question.objects.filter(lesson=lesson)
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")))
        .order_by("-is_active", "position", "pk")
    )


def lesson_images(lesson: Lesson) -> QuerySet[LessonImage]:
    return LessonImage.objects.filter(lesson=lesson).order_by("name")


@dataclass
class DiffLine:
    kind: str  # "same" | "old" | "new" | "gap"
    old_no: int | None
    new_no: int | None
    text: str


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


def diff_lines(old: str, new: str, context: int = 2) -> list[DiffLine]:
    """A line diff of two texts with ``context`` unchanged lines around each change."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if rows:
            rows.append(DiffLine("gap", None, None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(DiffLine("same", i + 1, j1 + (i - i1) + 1, a[i]) for i in range(i1, i2))
                continue
            if tag in ("replace", "delete"):
                rows.extend(DiffLine("old", i + 1, None, a[i]) for i in range(i1, i2))
            if tag in ("replace", "insert"):
                rows.extend(DiffLine("new", None, j + 1, b[j]) for j in range(j1, j2))
    return rows


def version_diff(
    lesson: Lesson, number: int
) -> tuple[LessonVersion, LessonVersion | None, list[FieldChange], list[DiffLine]]:
    """Version ``number`` against the one before it: changed fields and the body's line diff."""
    version = lesson.versions.select_related("created_by").get(number=number)
    previous = lesson.versions.filter(number__lt=number).order_by("-number").first()
    fields: list[FieldChange] = []
    labels = (
        (_("Tiêu đề"), "title"),
        (_("Tóm tắt"), "summary"),
        (_("Thời lượng (phút)"), "minutes"),
    )
    for label, attr in labels:
        old = str(getattr(previous, attr)) if previous else ""
        new = str(getattr(version, attr))
        if old != new:
            fields.append(FieldChange(label, old, new))
    return version, previous, fields, diff_lines(previous.body if previous else "", version.body)

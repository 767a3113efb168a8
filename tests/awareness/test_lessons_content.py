"""The built-in lessons shipped in ``awareness/content/lessons/``: all load, each has a full
question bank and valid images, and every lesson renders with all its images found."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from lachan.awareness.markdown import image_name
from lachan.awareness.models import Lesson, LessonImage
from lachan.awareness.services.lessons import (
    BUILTIN_DIR,
    MIN_QUESTIONS,
    load_builtin_lessons,
    read_content_dir,
)

FOLDERS = sorted(p.name for p in BUILTIN_DIR.iterdir() if p.is_dir() and p.name[:1].isdigit())


def test_there_are_builtin_lessons():
    assert FOLDERS, f"no lesson folders in {BUILTIN_DIR}"


def test_every_folder_reads_without_errors():
    lessons, errors, _warnings = read_content_dir(BUILTIN_DIR)
    assert not errors, "\n".join(errors)
    assert len(lessons) == len(FOLDERS)
    assert [f"{data.position:02d}-{data.slug}" for data in lessons] == FOLDERS


@pytest.mark.django_db
def test_all_builtin_lessons_load_and_render(client):
    report = load_builtin_lessons()
    assert len(report.created) == len(FOLDERS) and not report.skipped
    for lesson in Lesson.objects.select_related("current_version"):
        active = lesson.questions.filter(is_active=True)
        assert active.count() >= MIN_QUESTIONS, lesson.slug
        for question in active.prefetch_related("choices"):
            right = [c for c in question.choices.all() if c.is_correct]
            assert right and question.explanation, (lesson.slug, question.key)
            if question.kind == "scenario":
                assert LessonImage.objects.filter(lesson=lesson, name=question.image_name).exists()
        names = set(LessonImage.objects.filter(lesson=lesson).values_list("name", flat=True))
        for src in re.findall(r"!\[[^\]]*\]\(([^)\s]+)", lesson.current_version.body):
            assert image_name(src) in names, (lesson.slug, src)
        page = client.get(reverse("lesson_detail", args=[lesson.slug]))
        html = page.content.decode()
        assert page.status_code == 200, lesson.slug
        assert "lesson-image-missing" not in html, lesson.slug
        assert "<script" not in html.split('<div class="lesson-body">', 1)[1], lesson.slug
        for name in names:
            image = client.get(reverse("lesson_image", args=[lesson.slug, name]))
            assert image.status_code == 200 and image["Content-Type"].startswith("image/")
    library = client.get(reverse("lesson_library")).content.decode()
    assert library.count('class="card lesson-card"') == len(FOLDERS)

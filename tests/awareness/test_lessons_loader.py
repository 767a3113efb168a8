"""Loading built-in lessons: create, idempotent reload, a changed file → a new version, an
officer's edit kept, errors naming file/line/field, all-or-nothing, the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied, ValidationError

from lachan.audit.models import AuditLog
from lachan.awareness.models import Lesson, LessonImage, Question
from lachan.awareness.services import lessons as services
from lachan.awareness.services.lessons import LessonContentError, load_builtin_lessons
from lachan.cli import _load_commands, cli

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"
SLUG = "mat-khau-manh"
FOLDER = "01-mat-khau-manh"

_load_commands()
pytestmark = pytest.mark.django_db


@pytest.fixture
def content(tmp_path) -> Path:
    """A writable copy of the fixture lessons."""
    target = tmp_path / "lessons"
    shutil.copytree(FIXTURES, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _copy_lesson(content: Path, number: str, slug: str) -> Path:
    folder = content / f"{number}-{slug}"
    shutil.copytree(content / FOLDER, folder)
    _edit(folder / "lesson.md", f"slug: {SLUG}", f"slug: {slug}")
    return folder


def test_new_lesson_is_created_with_version_images_and_questions(content):
    report = load_builtin_lessons(content_dir=content)
    assert report.created == [SLUG] and not report.updated and not report.skipped
    lesson = Lesson.objects.get(slug=SLUG)
    assert lesson.builtin and lesson.is_active and lesson.position == 1
    assert lesson.topic == "account" and lesson.audiences == ["staff"] and lesson.pass_mark == 75
    # 10 questions in the bank: an attempt draws 8 of them.
    assert lesson.questions_per_attempt == services.DEFAULT_QUESTIONS_PER_ATTEMPT
    version = lesson.current_version
    assert version.number == 1 and version.title.startswith("Mật khẩu mạnh")
    assert version.source_sha256 and version.minutes == 5
    assert version.body.startswith("## Chuyện gì đã xảy ra")
    images = {i.name: i for i in LessonImage.objects.filter(lesson=lesson)}
    assert set(images) == {"tin-nhan.svg", "trang-gia.svg"}
    assert images["tin-nhan.svg"].content_type == "image/svg+xml"
    assert len(images["tin-nhan.svg"].sha256) == 64
    assert images["tin-nhan.svg"].file.read().startswith(b"<svg")
    questions = list(lesson.questions.order_by("position"))
    assert [q.key for q in questions] == [f"q{i:02d}" for i in range(1, 11)]
    scenario = lesson.questions.get(key="q07")
    assert scenario.kind == "scenario" and scenario.image_name == "tin-nhan.svg"
    multiple = lesson.questions.get(key="q10")
    assert multiple.choices.filter(is_correct=True).count() == 3
    assert AuditLog.objects.filter(action="lesson.load_builtin").count() == 1


def test_reload_is_idempotent(content):
    load_builtin_lessons(content_dir=content)
    report = load_builtin_lessons(content_dir=content)
    assert report.unchanged == [SLUG] and not report.created and not report.updated
    lesson = Lesson.objects.get(slug=SLUG)
    assert lesson.versions.count() == 1
    assert Question.objects.filter(lesson=lesson).count() == 10
    assert LessonImage.objects.filter(lesson=lesson).count() == 2
    # One audit record per load.
    assert AuditLog.objects.filter(action="lesson.load_builtin").count() == 2


def test_changed_file_makes_a_new_version_and_upserts_questions(content):
    load_builtin_lessons(content_dir=content)
    lesson = Lesson.objects.get(slug=SLUG)
    q01 = lesson.questions.get(key="q01")
    folder = content / FOLDER
    _edit(folder / "lesson.md", "Cô Lan nhận được", "Cô Hồng nhận được")
    _edit(folder / "lesson.md", "pass_mark: 75", "pass_mark: 70")
    # q02 leaves the file: it is kept (old attempts), no longer drawn.
    quiz = (folder / "quiz.yaml").read_text(encoding="utf-8")
    start = quiz.index("- key: q02")
    end = quiz.index("- key: q03")
    (folder / "quiz.yaml").write_text(
        quiz[:start] + quiz[end:].replace("Câu hỏi số 1:", "Câu hỏi thứ nhất:"), encoding="utf-8"
    )
    report = load_builtin_lessons(content_dir=content)
    assert report.updated == [SLUG]
    lesson.refresh_from_db()
    assert lesson.versions.count() == 2 and lesson.current_version.number == 2
    assert "Cô Hồng" in lesson.current_version.body and lesson.pass_mark == 70
    assert lesson.versions.get(number=1).body.count("Cô Lan") == 1
    q01.refresh_from_db()
    assert q01.pk == lesson.questions.get(key="q01").pk  # updated in place, same id
    assert not lesson.questions.get(key="q02").is_active
    assert lesson.questions.filter(is_active=True).count() == 9


def test_changed_image_is_replaced(content):
    load_builtin_lessons(content_dir=content)
    image = LessonImage.objects.get(name="tin-nhan.svg")
    old_sha = image.sha256
    _edit(content / FOLDER / "images" / "tin-nhan.svg", "ngay nhé", "gấp nhé")
    report = load_builtin_lessons(content_dir=content)
    assert report.updated == [SLUG]
    image.refresh_from_db()
    assert image.sha256 != old_sha and "gấp nhé" in image.file.read().decode()


def test_officer_edit_is_kept_and_reported_as_skipped(content, dept_officer):
    load_builtin_lessons(content_dir=content)
    lesson = Lesson.objects.get(slug=SLUG)
    version = lesson.current_version
    services.update_lesson(
        actor=dept_officer,
        lesson=lesson,
        title=version.title,
        summary=version.summary,
        body=version.body + "\nThêm một đoạn của cán bộ Sở.\n",
        minutes=version.minutes,
        topic=lesson.topic,
        audiences=lesson.audiences,
        pass_mark=lesson.pass_mark,
        questions_per_attempt=lesson.questions_per_attempt,
        note="Bổ sung",
    )
    _edit(content / FOLDER / "lesson.md", "Cô Lan", "Cô Hoa")
    report = load_builtin_lessons(content_dir=content)
    assert report.skipped == [(SLUG, "đã sửa trên hệ thống")]
    lesson.refresh_from_db()
    assert lesson.current_version.number == 2
    assert (
        "cán bộ Sở" in lesson.current_version.body and "Cô Hoa" not in lesson.current_version.body
    )


def test_officer_question_edit_also_keeps_the_lesson(content, dept_officer):
    load_builtin_lessons(content_dir=content)
    lesson = Lesson.objects.get(slug=SLUG)
    services.set_question_active(
        actor=dept_officer, question=lesson.questions.get(key="q03"), active=False
    )
    _edit(content / FOLDER / "lesson.md", "Cô Lan", "Cô Hoa")
    report = load_builtin_lessons(content_dir=content)
    assert report.skipped and report.skipped[0][0] == SLUG
    assert not lesson.questions.get(key="q03").is_active


def test_a_lesson_created_by_an_officer_with_the_same_slug_is_not_overwritten(
    content, dept_officer
):
    services.create_lesson(
        actor=dept_officer,
        slug=SLUG,
        title="Bài của Sở",
        body="Nội dung riêng.",
        minutes=3,
        topic="account",
        audiences=["staff"],
    )
    report = load_builtin_lessons(content_dir=content)
    assert report.skipped and report.skipped[0][0] == SLUG
    assert Lesson.objects.get(slug=SLUG).title == "Bài của Sở"


def _errors(content) -> list[str]:
    with pytest.raises(LessonContentError) as caught:
        load_builtin_lessons(content_dir=content)
    return caught.value.messages


def test_quiz_errors_name_the_file_line_question_and_field(content):
    quiz = content / FOLDER / "quiz.yaml"
    text = quiz.read_text(encoding="utf-8")
    # q03: two right answers in a single-answer question.
    start = text.index("- key: q03")
    wrong = text.index("correct: false", start)
    quiz.write_text(text[:wrong] + "correct: true" + text[wrong + len("correct: false") :], "utf-8")
    messages = _errors(content)
    line = text[:start].count("\n") + 1
    assert (
        f"{FOLDER}/quiz.yaml, dòng {line}, câu q03, trường “choices”: cần đúng một đáp án đúng."
        in messages
    )


def test_front_matter_errors_name_the_field(content):
    _edit(content / FOLDER / "lesson.md", "topic: account", "topic: tien-ao")
    _edit(content / FOLDER / "lesson.md", "minutes: 5", "minutes: năm")
    _edit(content / FOLDER / "lesson.md", "summary:", "colour: red\nsummary:")
    messages = " | ".join(_errors(content))
    assert f"{FOLDER}/lesson.md, trường “topic”: phải là một trong:" in messages
    assert f"{FOLDER}/lesson.md, trường “minutes”: là số phút từ 1 đến 120." in messages
    assert f"{FOLDER}/lesson.md, trường “colour”: không có trong định dạng bài học." in messages


def test_missing_image_raw_html_and_bad_yaml_are_errors(content):
    lesson_md = content / FOLDER / "lesson.md"
    _edit(lesson_md, "images/tin-nhan.svg", "images/khong-co.svg")
    _edit(lesson_md, "## Cần làm gì", '<div onclick="x()">HTML</div>\n\n## Cần làm gì')
    (content / FOLDER / "images" / "xau.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "utf-8"
    )
    quiz = content / FOLDER / "quiz.yaml"
    quiz.write_text(quiz.read_text("utf-8") + "  - key: [\n", "utf-8")
    messages = " | ".join(_errors(content))
    text = lesson_md.read_text("utf-8")
    image_line = text[: text.index("images/khong-co.svg")].count("\n") + 1
    html_line = text[: text.index("<div")].count("\n") + 1
    assert f"{FOLDER}/lesson.md, dòng {image_line}: không có ảnh “images/khong-co.svg”" in messages
    assert f"{FOLDER}/lesson.md, dòng {html_line}: không dùng HTML trực tiếp" in messages
    assert f"{FOLDER}/images/xau.svg: SVG không được chứa phần tử <script>." in messages
    assert f"{FOLDER}/quiz.yaml, dòng" in messages and "YAML không hợp lệ" in messages


def test_too_few_questions_and_bad_folder_names(content):
    quiz = content / FOLDER / "quiz.yaml"
    text = quiz.read_text("utf-8")
    quiz.write_text(text[: text.index("- key: q08")], "utf-8")
    (content / "bai-khong-so").mkdir()
    messages = " | ".join(_errors(content))
    assert f"{FOLDER}/quiz.yaml: cần ít nhất 8 câu hỏi (hiện có 7)." in messages
    assert "bai-khong-so: tên thư mục phải có dạng NN-ten-bai" in messages


def test_one_bad_lesson_loads_nothing(content):
    good = _copy_lesson(content, "02", "bai-tot")
    bad = _copy_lesson(content, "03", "bai-loi")
    _edit(bad / "lesson.md", "audiences: [staff]", "audiences: [giao-vien]")
    messages = _errors(content)
    assert any(m.startswith("03-bai-loi/lesson.md, trường “audiences”") for m in messages)
    assert not Lesson.objects.exists()
    assert not AuditLog.objects.filter(action="lesson.load_builtin").exists()
    shutil.rmtree(bad)
    report = load_builtin_lessons(content_dir=content)
    assert sorted(report.created) == ["bai-tot", SLUG]
    assert Lesson.objects.get(slug="bai-tot").position == 2
    assert good.exists()


def test_duplicate_slugs_across_folders(content):
    shutil.copytree(content / FOLDER, content / "02-mat-khau-manh-2")
    messages = " | ".join(_errors(content))
    assert "trường “slug”: phải trùng với tên thư mục" in messages


def test_only_department_officers_load(content, it_a, dept_officer):
    with pytest.raises(PermissionDenied):
        load_builtin_lessons(content_dir=content, actor=it_a)
    report = load_builtin_lessons(content_dir=content, actor=dept_officer)
    assert report.created == [SLUG]
    entry = AuditLog.objects.get(action="lesson.load_builtin")
    assert entry.actor == dept_officer and entry.after["created"] == [SLUG]
    assert Lesson.objects.get(slug=SLUG).current_version.created_by == dept_officer


def test_missing_directory_is_an_error(tmp_path):
    with pytest.raises(ValidationError) as caught:
        load_builtin_lessons(content_dir=tmp_path / "khong-co")
    assert "Không tìm thấy thư mục bài học" in caught.value.messages[0]


# --- CLI --------------------------------------------------------------------------------------


def test_cli_prints_a_summary(content):
    runner = CliRunner()
    result = runner.invoke(cli, ["awareness", "load-lessons", str(content)])
    assert result.exit_code == 0, result.output
    assert f"Thêm mới (1): {SLUG}" in result.output
    assert "Đã thêm 1, cập nhật 0, giữ nguyên 0, bỏ qua 0 bài học." in result.output
    again = runner.invoke(cli, ["awareness", "load-lessons", str(content)])
    assert "Giữ nguyên (1)" in again.output


def test_cli_reports_every_error_and_exits_non_zero(content):
    _edit(content / FOLDER / "lesson.md", "pass_mark: 75", "pass_mark: 175")
    result = CliRunner().invoke(cli, ["awareness", "load-lessons", str(content)])
    assert result.exit_code == 1
    assert "Lỗi: không nạp bài học nào (1 lỗi):" in result.output
    assert f"{FOLDER}/lesson.md, trường “pass_mark”: là phần trăm từ 1 đến 100." in result.output
    assert not Lesson.objects.exists()


def test_cli_missing_directory(tmp_path):
    result = CliRunner().invoke(cli, ["awareness", "load-lessons", str(tmp_path / "khong-co")])
    assert result.exit_code != 0
    assert "Không tìm thấy thư mục" in result.output

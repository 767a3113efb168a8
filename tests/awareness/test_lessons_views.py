"""The lesson library (public), lesson pages and images, the API, and lesson management by
Department officers (versions, diff, restore, images, question bank, audit)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lachan.audit.models import AuditLog
from lachan.awareness.models import Lesson, LessonImage, Question
from lachan.awareness.services import lessons as services
from lachan.awareness.services import quiz
from lachan.awareness.services.learners import learner_for_user
from lachan.awareness.services.lessons import load_builtin_lessons
from lachan.org.models import Role
from lachan.org.services import issue_api_token

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"
SLUG = "mat-khau-manh"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="640">'
    '<text x="10" y="20">Tin nhắn giả</text></svg>'
).encode()

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(tree) -> Lesson:
    load_builtin_lessons(content_dir=FIXTURES)
    return Lesson.objects.get(slug=SLUG)


def _other_lesson(**kw) -> Lesson:
    defaults = dict(
        actor=None,
        slug="hoc-bong-gia",
        title="Học bổng du học “toàn phần” giả mạo",
        summary="Chứng minh tài chính 250 triệu đồng là dấu hiệu lừa đảo.",
        body="## Câu chuyện\n\nEm Nam nhận thư mời học bổng.\n",
        minutes=6,
        topic="scam",
        audiences=["students", "parents"],
    )
    defaults.update(kw)
    lesson = services.create_lesson(**defaults)
    services.save_question(
        actor=None,
        lesson=lesson,
        kind="single",
        text="Trường có yêu cầu chứng minh số dư không?",
        choices=[services.ChoiceData("Không", True), services.ChoiceData("Có", False)],
    )
    services.set_lesson_active(actor=None, lesson=lesson, active=True)
    return lesson


# --- the public library -----------------------------------------------------------------------


def test_library_is_open_to_anonymous_visitors(client, lesson):
    _other_lesson()
    response = client.get(reverse("lesson_library"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mật khẩu mạnh cho tài khoản của thầy cô" in html and "Học bổng du học" in html
    assert "5 phút" in html and "Mật khẩu và tài khoản" in html and "Cha mẹ học sinh" in html
    assert 'class="topbar"' in html and "Đăng nhập" in html  # the public header
    assert reverse("lesson_manage") not in html


def test_library_filters_and_search_without_diacritics(client, lesson):
    _other_lesson()
    url = reverse("lesson_library")

    def titles(**params) -> list[str]:
        html = client.get(url, params).content.decode()
        return [t for t in ("Mật khẩu mạnh", "Học bổng du học") if t in html]

    assert titles(audience="parents") == ["Học bổng du học"]
    assert titles(audience="staff") == ["Mật khẩu mạnh"]
    assert titles(topic="account") == ["Mật khẩu mạnh"]
    assert titles(q="hoc bong") == ["Học bổng du học"]
    assert titles(q="MẬT KHẨU") == ["Mật khẩu mạnh"]
    assert titles(q="không có gì như vậy") == []
    assert "Không có bài học nào khớp" in client.get(url, {"q": "zzz"}).content.decode()
    assert client.get(url, {"audience": "ai-do"}).status_code == 200  # a bad filter is ignored
    fragment = client.get(url, {"q": "hoc"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<section id="lesson-results"') and "Học bổng" in fragment


def test_inactive_lessons_are_hidden_except_from_department_officers(
    client, lesson, dept_officer, it_a
):
    services.set_lesson_active(actor=None, lesson=lesson, active=False)
    assert "Mật khẩu mạnh" not in client.get(reverse("lesson_library")).content.decode()
    assert client.get(reverse("lesson_detail", args=[SLUG])).status_code == 404
    client.force_login(it_a)
    assert client.get(reverse("lesson_detail", args=[SLUG])).status_code == 404
    client.force_login(dept_officer)
    page = client.get(reverse("lesson_detail", args=[SLUG]))
    assert page.status_code == 200 and "Bài học đang tắt" in page.content.decode()


def test_lesson_page_renders_markdown_images_and_the_quiz_button(client, lesson):
    response = client.get(reverse("lesson_detail", args=[SLUG]))
    html = response.content.decode()
    assert "<h2>Chuyện gì đã xảy ra</h2>" in html
    assert f'src="/bai-hoc/{SLUG}/anh/tin-nhan.svg"' in html
    assert "Làm bài kiểm tra" in html and "8 câu hỏi, cần đúng từ 75% để đạt" in html
    assert "Cần đăng nhập, hoặc tham gia lớp" in html


def test_images_are_served_with_a_strict_policy(client, lesson):
    response = client.get(reverse("lesson_image", args=[SLUG, "tin-nhan.svg"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"<svg")
    assert client.get(reverse("lesson_image", args=[SLUG, "khong-co.svg"])).status_code == 404
    assert client.get(reverse("lesson_image", args=["khong-co", "tin-nhan.svg"])).status_code == 404


def test_a_logged_in_teacher_sees_the_nav_link_and_recent_attempts(client, lesson, make_user, tree):
    teacher = make_user(Role.LEARNER, tree.a)
    client.force_login(teacher)
    learner = learner_for_user(teacher)
    attempt = quiz.start_attempt(learner=learner, lesson=lesson, seed=1)
    quiz.finish_attempt(attempt=attempt)
    html = client.get(reverse("lesson_detail", args=[SLUG])).content.decode()
    assert reverse("lesson_library") in html and "Bài học" in html
    assert "Các lần làm gần đây" in html and reverse("quiz_result", args=[SLUG, attempt.pk]) in html


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def api(client, it_a):
    _token, key = issue_api_token(actor=it_a, user=it_a, name="kiem-thu")
    return lambda path, **params: client.get(
        f"/api/v1/awareness/{path}", params, headers={"Authorization": f"Bearer {key}"}
    )


def test_api_lists_and_shows_lessons_without_answers(api, lesson):
    _other_lesson()
    listed = api("lessons/", audience="staff").json()
    assert listed["count"] == 1 and listed["items"][0]["slug"] == SLUG
    assert listed["items"][0]["title"].startswith("Mật khẩu mạnh")
    assert api("lessons/", q="hoc bong").json()["items"][0]["slug"] == "hoc-bong-gia"
    detail = api(f"lessons/{SLUG}/").json()
    assert detail["question_count"] == 10 and detail["questions_per_attempt"] == 8
    assert "<h2>Chuyện gì đã xảy ra</h2>" in detail["html"]
    text = str(detail)
    assert "correct" not in text and "Giữ bí mật mật khẩu" not in text
    assert api("lessons/khong-co/").status_code == 404


def test_api_my_progress_is_the_callers_own(api, lesson, it_a, make_user, tree):
    mine = learner_for_user(it_a)
    other = learner_for_user(make_user(Role.LEARNER, tree.b))
    quiz.mark_read(learner=mine, lesson=lesson)
    quiz.finish_attempt(attempt=quiz.start_attempt(learner=other, lesson=lesson, seed=1))
    progress = api("my/progress/").json()
    assert progress["count"] == 1
    row = progress["items"][0]
    assert row["lesson"] == SLUG and row["read_at"] and row["attempts"] == 0
    assert row["campaign_id"] is None


def test_api_needs_credentials(client, lesson):
    assert client.get("/api/v1/awareness/lessons/").status_code == 401


# --- management -------------------------------------------------------------------------------


def test_management_is_for_department_officers(client, lesson, it_a, make_user, tree):
    url = reverse("lesson_manage")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(it_a)
    assert client.get(url).status_code == 403
    assert client.post(reverse("lesson_load_builtin")).status_code == 403
    assert client.get(reverse("lesson_edit", args=[SLUG])).status_code == 403
    client.force_login(make_user(Role.DEPT_ADMIN, tree.so))
    html = client.get(url).content.decode()
    assert "Nạp bài học có sẵn" in html and "Mật khẩu mạnh" in html and "Có sẵn" in html


def test_load_builtin_button(client, dept_officer, tree, monkeypatch):
    monkeypatch.setattr(services, "BUILTIN_DIR", FIXTURES)
    client.force_login(dept_officer)
    response = client.post(reverse("lesson_load_builtin"), follow=True)
    html = response.content.decode()
    assert "Đã thêm 1, cập nhật 0, giữ nguyên 0, bỏ qua 0 bài học." in html
    assert Lesson.objects.filter(slug=SLUG, builtin=True).exists()
    assert AuditLog.objects.get(action="lesson.load_builtin").actor == dept_officer


def test_load_builtin_button_shows_errors(client, dept_officer, tree, monkeypatch, tmp_path):
    (tmp_path / "01-hong").mkdir()
    monkeypatch.setattr(services, "BUILTIN_DIR", tmp_path)
    client.force_login(dept_officer)
    html = client.post(reverse("lesson_load_builtin"), follow=True).content.decode()
    assert "Không nạp bài học nào vì nội dung có lỗi" in html
    assert "01-hong/lesson.md: thiếu tệp." in html


def test_create_edit_history_diff_and_restore(client, dept_officer, tree):
    client.force_login(dept_officer)
    form = {
        "slug": "ma-qr-gia",
        "title": "Mã QR dán đè",
        "summary": "Kiểm tra tên người nhận trước khi chuyển.",
        "topic": "scam",
        "audiences": ["parents", "staff"],
        "minutes": 4,
        "pass_mark": 80,
        "questions_per_attempt": 0,
        "body": "## Chuyện\n\nPhụ huynh quét mã QR.\n\nDòng cuối.\n",
        "note": "",
    }
    response = client.post(reverse("lesson_create"), form)
    assert response.status_code == 302
    lesson = Lesson.objects.get(slug="ma-qr-gia")
    assert not lesson.is_active and not lesson.builtin
    assert lesson.current_version.number == 1 and lesson.audiences == ["staff", "parents"]
    # A taken or reserved slug is a form error.
    again = client.post(reverse("lesson_create"), form)
    assert again.status_code == 422 and "Đã có bài học mang mã này." in again.content.decode()
    reserved = client.post(reverse("lesson_create"), {**form, "slug": "quan-ly"})
    assert "đã dành cho trang khác" in reserved.content.decode()

    edit_url = reverse("lesson_edit", args=["ma-qr-gia"])
    page = client.get(edit_url).content.decode()
    assert "Phụ huynh quét mã QR." in page and "hx-post=" in page
    edited = {**form, "body": "## Chuyện\n\nPhụ huynh quét mã QR dán đè.\n\nDòng cuối.\n"}
    edited["note"] = "Rõ hơn"
    del edited["slug"]
    assert client.post(edit_url, edited).status_code == 302
    lesson.refresh_from_db()
    assert lesson.current_version.number == 2 and lesson.current_version.note == "Rõ hơn"
    # Only settings changed: no new version.
    assert client.post(edit_url, {**edited, "pass_mark": 70}).status_code == 302
    lesson.refresh_from_db()
    assert lesson.current_version.number == 2 and lesson.pass_mark == 70
    # Missing fields: errors, nothing saved.
    bad = client.post(edit_url, {**edited, "body": "", "audiences": []})
    assert bad.status_code == 422 and lesson.versions.count() == 2

    history = client.get(reverse("lesson_history", args=["ma-qr-gia"])).content.decode()
    assert "Rõ hơn" in history and "hiện hành" in history
    diff = client.get(reverse("lesson_version", args=["ma-qr-gia", 2])).content.decode()
    assert "− Phụ huynh quét mã QR." in diff and "+ Phụ huynh quét mã QR dán đè." in diff
    assert "Khôi phục phiên bản này" not in diff  # it is the current one
    first = client.get(reverse("lesson_version", args=["ma-qr-gia", 1])).content.decode()
    assert "(phiên bản đầu tiên)" in first and "Khôi phục phiên bản này" in first
    assert client.get(reverse("lesson_version", args=["ma-qr-gia", 9])).status_code == 404

    restored = client.post(reverse("lesson_version_restore", args=["ma-qr-gia", 1]))
    assert restored.status_code == 302
    lesson.refresh_from_db()
    assert lesson.current_version.number == 3
    assert lesson.current_version.body == form["body"]  # stored with one final newline
    actions = set(
        AuditLog.objects.filter(object_id=str(lesson.pk)).values_list("action", flat=True)
    )
    assert {"lesson.create", "lesson.update", "lesson.restore"} <= actions


def test_preview_renders_the_draft_with_the_lessons_images(client, dept_officer, lesson):
    client.force_login(dept_officer)
    response = client.post(
        reverse("lesson_preview"),
        {"body": "## Thử\n\n![a](images/tin-nhan.svg)\n\n<script>x</script>", "lesson": SLUG},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<h2>Thử</h2>" in html and f"/bai-hoc/{SLUG}/anh/tin-nhan.svg" in html
    assert "<script>" not in html


def test_activate_needs_questions(client, dept_officer, tree):
    client.force_login(dept_officer)
    lesson = services.create_lesson(
        actor=dept_officer,
        slug="moi",
        title="Bài mới",
        body="Nội dung",
        minutes=3,
        topic="privacy",
        audiences=["staff"],
    )
    html = client.post(
        reverse("lesson_toggle", args=["moi"]), {"active": "1"}, follow=True
    ).content.decode()
    assert "cần ít nhất một câu hỏi" in html
    lesson.refresh_from_db()
    assert not lesson.is_active


def test_images_upload_replace_reject_and_delete(client, dept_officer, lesson):
    client.force_login(dept_officer)
    url = reverse("lesson_images", args=[SLUG])
    ok = client.post(url, {"file": SimpleUploadedFile("Tin-Moi.svg", SVG, "image/svg+xml")})
    assert ok.status_code == 302
    image = LessonImage.objects.get(lesson=lesson, name="tin-moi.svg")
    assert image.content_type == "image/svg+xml"
    lesson.refresh_from_db()
    assert lesson.edited_locally_at is not None  # a later load keeps the officer's content
    bad = client.post(
        url,
        {
            "file": SimpleUploadedFile(
                "xau.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
                "image/svg+xml",
            )
        },
    )
    assert bad.status_code == 422
    assert "xau.svg: SVG không được có thuộc tính xử lý sự kiện (onload)." in bad.content.decode()
    fake_png = client.post(
        url, {"file": SimpleUploadedFile("anh.png", b"<html>no</html>", "image/png")}
    )
    assert "không phải ảnh PNG, JPEG hoặc WebP" in fake_png.content.decode()
    assert not LessonImage.objects.filter(name__in=["xau.svg", "anh.png"]).exists()
    # Same name again: replaced.
    replaced = SVG.replace("giả".encode(), "mới".encode())
    client.post(url, {"file": SimpleUploadedFile("x.svg", replaced), "name": "tin-moi.svg"})
    image.refresh_from_db()
    assert "mới" in image.file.read().decode()
    assert LessonImage.objects.filter(lesson=lesson, name="tin-moi.svg").count() == 1
    page = client.get(url).content.decode()
    assert "images/tin-moi.svg" in page
    deleted = client.post(reverse("lesson_image_delete", args=[SLUG, image.pk]))
    assert deleted.status_code == 302
    assert not LessonImage.objects.filter(pk=image.pk).exists()
    actions = list(
        AuditLog.objects.filter(object_type="awareness.lessonimage").values_list(
            "action", flat=True
        )
    )
    assert actions.count("lesson.image_add") == 1 and "lesson.image_delete" in actions
    assert "lesson.image_replace" in actions


def test_question_bank_add_edit_validate_and_deactivate(client, dept_officer, lesson):
    client.force_login(dept_officer)
    page = client.get(reverse("lesson_questions", args=[SLUG])).content.decode()
    assert "10 câu hỏi đang dùng" in page and "✓ Giữ bí mật mật khẩu" in page
    add_url = reverse("lesson_question_create", args=[SLUG])
    base = {"kind": "single", "text": "Nên làm gì khi bị hỏi mã OTP?", "explanation": "Vì…"}
    # Two right answers in a single-answer question.
    two = client.post(
        add_url,
        {**base, "choice_1": "Từ chối", "correct_1": "on", "choice_2": "Đọc mã", "correct_2": "on"},
    )
    assert two.status_code == 422 and "Cần đúng một đáp án đúng." in two.content.decode()
    # A scenario needs an image; a tick on an empty row is an error, not dropped.
    scenario = client.post(
        add_url,
        {**base, "kind": "scenario", "choice_1": "Từ chối", "correct_1": "on", "choice_2": "Đọc"},
    )
    assert "Câu tình huống cần hình ảnh (image)." in scenario.content.decode()
    ticked = client.post(add_url, {**base, "choice_1": "Từ chối", "correct_3": "on"})
    assert "chưa có nội dung" in ticked.content.decode()
    one = client.post(add_url, {**base, "choice_1": "Từ chối", "correct_1": "on"})
    assert "Cần ít nhất 2 đáp án." in one.content.decode()
    assert lesson.questions.count() == 10
    ok = client.post(
        add_url,
        {
            **base,
            "kind": "multiple",
            "image_name": "tin-nhan.svg",
            "choice_1": "Từ chối",
            "correct_1": "on",
            "choice_2": "Báo nhà trường",
            "correct_2": "on",
            "choice_3": "Đọc mã",
        },
    )
    assert ok.status_code == 302
    new = lesson.questions.get(key="q11")
    assert new.kind == "multiple" and new.choices.filter(is_correct=True).count() == 2
    edit_url = reverse("lesson_question_edit", args=[SLUG, new.pk])
    form = client.get(edit_url).content.decode()
    assert 'value="Báo nhà trường"' in form
    client.post(
        edit_url,
        {**base, "kind": "single", "choice_1": "Từ chối", "correct_1": "on", "choice_2": "Đọc mã"},
    )
    new.refresh_from_db()
    assert new.kind == "single" and new.choices.count() == 2
    toggle = reverse("lesson_question_toggle", args=[SLUG, new.pk])
    client.post(toggle, {"active": "0"})
    new.refresh_from_db()
    assert not new.is_active
    actions = set(
        AuditLog.objects.filter(object_type="awareness.question").values_list("action", flat=True)
    )
    assert {
        "lesson.question_add",
        "lesson.question_update",
        "lesson.question_deactivate",
    } <= actions


def test_the_last_active_question_of_an_open_lesson_stays(dept_officer, lesson):
    Question.objects.filter(lesson=lesson).exclude(key="q01").update(is_active=False)
    with pytest.raises(Exception, match="câu hỏi cuối cùng"):
        services.set_question_active(
            actor=dept_officer, question=lesson.questions.get(key="q01"), active=False
        )


def test_saving_a_builtin_lesson_unchanged_makes_no_version(client, dept_officer, lesson):
    client.force_login(dept_officer)
    version = lesson.current_version
    data = {
        "title": version.title,
        "summary": version.summary,
        "topic": lesson.topic,
        "audiences": lesson.audiences,
        "minutes": version.minutes,
        "pass_mark": lesson.pass_mark,
        "questions_per_attempt": lesson.questions_per_attempt,
        "body": version.body.replace("\n", "\r\n"),  # as a browser sends it
        "note": "",
    }
    assert client.post(reverse("lesson_edit", args=[SLUG]), data).status_code == 302
    lesson.refresh_from_db()
    assert lesson.versions.count() == 1 and lesson.edited_locally_at is None

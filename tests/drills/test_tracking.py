"""Public tracking routes, the lure page's password safeguard, reporting and the lesson."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from lachan.audit.models import AuditLog
from lachan.awareness.models import Learner, LearnerKind, Lesson
from lachan.awareness.signals import lesson_passed
from lachan.drills import services
from lachan.drills.models import DrillRecipient

from .conftest import run_drill

pytestmark = pytest.mark.django_db


def _recipient(drill, user) -> DrillRecipient:
    return drill.recipients.get(user=user)


def test_open_pixel_is_a_fresh_gif_and_keeps_the_first_time(tree, staff):
    drill = run_drill(staff, [tree.a])
    r = _recipient(drill, staff.a[0])
    client = Client()
    url = reverse("drill_open", kwargs={"token": r.token})
    assert url == f"/dt/o/{r.token}.gif"
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "image/gif"
    assert first.content.startswith(b"GIF89a")
    assert "no-store" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    r.refresh_from_db()
    opened = r.opened_at
    assert opened is not None
    client.get(url)
    r.refresh_from_db()
    assert r.opened_at == opened
    assert client.get("/dt/o/" + "x" * 32 + ".gif").status_code == 404


def test_click_without_a_form_goes_to_the_teaching_page(tree, staff):
    drill = run_drill(staff, [tree.a], key="hoc-phi-gia")
    r = _recipient(drill, staff.a[1])
    client = Client()
    response = client.get(f"/dt/c/{r.token}/")
    assert response.status_code == 302 and response["Location"] == f"/dt/l/{r.token}/"
    r.refresh_from_db()
    clicked = r.clicked_at
    assert clicked and r.opened_at == clicked  # a click means the mail was opened
    client.get(f"/dt/c/{r.token}/")
    r.refresh_from_db()
    assert r.clicked_at == clicked
    page = client.get(f"/dt/l/{r.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Đây là bài diễn tập của Sở GDĐT — bạn vừa nhấp vào một thư lừa đảo giả lập" in html
    assert 'class="dt-flag"' in html and "tài khoản cá nhân của kế toán" in html
    assert "Tôi đã hiểu" in html
    # The page names nobody: the link may have been forwarded.
    assert staff.a[1].username not in html and tree.a.name not in html
    assert client.get("/dt/c/" + "y" * 32 + "/").status_code == 404
    assert client.get("/dt/l/" + "y" * 32 + "/").status_code == 404

    done = client.post(f"/dt/l/{r.token}/")
    assert "Cảm ơn thầy/cô" in done.content.decode()
    r.refresh_from_db()
    assert r.acknowledged_at is not None


def test_password_typed_on_the_lure_is_never_stored_or_logged(tree, staff, caplog):
    drill = run_drill(staff, [tree.a], key="mat-khau-het-han")
    r = _recipient(drill, staff.a[0])
    client = Client()
    lure = client.get(f"/dt/c/{r.token}/")
    html = lure.content.decode()
    assert lure.status_code == 200
    assert 'type="password"' in html
    # Neither the password nor the username input has a name: a browser sends neither.
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' not in tag:
            assert "name=" not in tag, tag

    secret = "Mk-Bi-Mat-7f3c9a2e-khong-duoc-luu"
    caplog.set_level(logging.DEBUG)
    response = client.post(
        f"/dt/c/{r.token}/",
        {"username": "gv_a1", "password": secret, "mat_khau": secret, "pass": secret},
    )
    assert response.status_code == 302 and response["Location"] == f"/dt/l/{r.token}/"
    r.refresh_from_db()
    assert r.submitted_at is not None and r.clicked_at is not None
    first = r.submitted_at
    client.post(f"/dt/c/{r.token}/", {"password": secret})
    r.refresh_from_db()
    assert r.submitted_at == first
    page = client.get(f"/dt/l/{r.token}/").content.decode()
    assert "đã bấm “Đăng nhập” trên trang giả" in page and secret not in page

    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert secret not in dump.getvalue()
    assert "gv_a1" not in str(list(AuditLog.objects.values()))  # nor the typed username
    assert secret not in caplog.text


def test_a_cancelled_drill_no_longer_counts(tree, staff):
    drill = run_drill(staff, [tree.a])
    r = _recipient(drill, staff.a[0])
    services.cancel_drill(actor=staff.approver, drill=drill)
    Client().get(f"/dt/c/{r.token}/")
    r.refresh_from_db()
    assert r.clicked_at is None


def test_report_counts_only_the_reporters_own_drill_mail(tree, staff, client):
    drill = run_drill(staff, [tree.a])
    mine = _recipient(drill, staff.a[0])
    theirs = _recipient(drill, staff.a[1])
    client.force_login(staff.a[0])
    message = f"Tiêu đề: Mật khẩu sắp hết hạn\nhttp://127.0.0.1:8000/dt/c/{mine.token}/\n"
    response = client.post(reverse("drill_report"), {"message": message})
    html = response.content.decode()
    assert "Chính xác — đây là thư diễn tập" in html
    mine.refresh_from_db()
    assert mine.reported_at is not None
    assert AuditLog.objects.filter(action="drill.report", actor=staff.a[0]).count() == 1
    assert message not in str(list(AuditLog.objects.values()))
    again = client.post(reverse("drill_report"), {"message": message}).content.decode()
    assert "đã báo cáo thư này trước đó" in again

    # Someone else's drill link, or an ordinary message: not a drill for this person.
    other = client.post(
        reverse("drill_report"), {"message": f"https://x.test/dt/o/{theirs.token}.gif"}
    ).content.decode()
    assert "Đây không phải thư diễn tập của Sở" in other
    theirs.refresh_from_db()
    assert theirs.reported_at is None
    plain = client.post(reverse("drill_report"), {"message": "Con đang cấp cứu, chuyển gấp"})
    assert "Đây không phải thư diễn tập của Sở" in plain.content.decode()
    assert client.post(reverse("drill_report"), {"message": " "}).status_code == 200
    assert client.get(reverse("drill_report")).status_code == 200


def _lesson(slug: str) -> Lesson:
    return Lesson.objects.create(slug=slug, topic="phishing")


def test_follow_up_lesson_completion_through_the_signal(tree, staff):
    lesson = _lesson("nhan-dien-thu-lua-dao")
    drill = run_drill(staff, [tree.a], lesson=lesson)
    learner = Learner.objects.create(
        kind=LearnerKind.STAFF, user=staff.a[1], unit=tree.a, name="Giáo viên A2"
    )
    # Another lesson does not count.
    lesson_passed.send(
        sender=None, attempt=None, learner=learner, lesson=_lesson("mat-khau"), campaign=None
    )
    assert _recipient(drill, staff.a[1]).lesson_completed_at is None
    lesson_passed.send(sender=None, attempt=None, learner=learner, lesson=lesson, campaign=None)
    done = _recipient(drill, staff.a[1]).lesson_completed_at
    assert done is not None  # counted even though this person never clicked
    lesson_passed.send(sender=None, attempt=None, learner=learner, lesson=lesson, campaign=None)
    assert _recipient(drill, staff.a[1]).lesson_completed_at == done
    assert _recipient(drill, staff.a[0]).lesson_completed_at is None

    # It still counts after the drill has finished.
    services.finish_drill(actor=staff.creator, drill=drill)
    other = Learner.objects.create(
        kind=LearnerKind.STAFF, user=staff.a[0], unit=tree.a, name="Giáo viên A1"
    )
    lesson_passed.send(sender=None, attempt=None, learner=other, lesson=lesson, campaign=None)
    assert _recipient(drill, staff.a[0]).lesson_completed_at is not None

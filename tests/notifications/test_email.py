"""Task notifications by e-mail, end to end through a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from lachan.notifications.models import Notification, NotificationStatus
from lachan.notifications.services import retry_unsent
from lachan.org.models import Role
from lachan.remediation import services as rs
from lachan.remediation.models import Task, TaskStatus

from .mailserver import free_port


def _due(days: int = 7) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def people(tree, make_user, dept_officer, dept_admin, it_a):
    """School A's IT officer account and head, the Department's officers, and a bystander."""
    head_a = make_user(Role.UNIT_HEAD, tree.a, username="head_a")
    make_user(Role.UNIT_IT, tree.b, username="it_b")
    make_user(Role.LEARNER, tree.a, username="learner_a")
    return {"head_a": head_a, "it_a": it_a, "officer": dept_officer, "admin": dept_admin}


@pytest.mark.django_db(transaction=True)
def test_assigned_task_mails_the_unit_after_commit(smtp, tree, people):
    task = rs.create_task(
        actor=people["officer"],
        unit=tree.a,
        title="Vá lỗ hổng CVE-2024-4577 trên máy chủ web",
        guidance="Cập nhật PHP lên bản mới nhất.",
        severity="critical",
        due_date=_due(3),
    )

    received = smtp.wait_for(3, timeout=10)
    recipients = sorted(r for m in received for r in m.recipients)
    # The unit's IT officer address from the unit record, plus its IT and head accounts.
    assert recipients == [
        "head_a@example.edu.vn",
        "it.a@example.edu.vn",
        "it_a@example.edu.vn",
    ]
    mail = smtp.to("it.a@example.edu.vn")[0]
    assert mail.subject == "[Lá Chắn] Việc mới cần xử lý: Vá lỗ hổng CVE-2024-4577 trên máy chủ web"
    assert f"http://127.0.0.1:8000/tasks/{task.pk}/" in mail.body
    assert f"Hạn xử lý: {_due(3):%d/%m/%Y}" in mail.body
    assert "Cập nhật PHP lên bản mới nhất." in mail.body
    assert "Mức độ: Nghiêm trọng" in mail.body
    assert mail.message["X-Lachan-Event"] == "task.assigned"

    rows = Notification.objects.filter(object_type="remediation.task", object_id=str(task.pk))
    assert rows.count() == 3
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert all(n.attempts == 1 and n.sent_at and n.unit_id == tree.a.pk for n in rows)
    assert smtp.to("it_b@example.edu.vn") == []


@pytest.mark.django_db
def test_submit_return_verify_reach_the_right_people(
    smtp, tree, people, django_capture_on_commit_callbacks
):
    officer, it_a = people["officer"], people["it_a"]
    with django_capture_on_commit_callbacks(execute=True):
        task = rs.create_task(
            actor=officer, unit=tree.a, title="Gỡ mã độc botnet", due_date=_due(7)
        )
    smtp.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rs.submit_task(
            actor=it_a,
            task=task,
            answer_text="Đã quét và gỡ mã độc trên máy phòng kế toán.",
            files=[SimpleUploadedFile("bien-ban.txt", "Biên bản".encode(), "text/plain")],
        )
    submitted = smtp.messages()
    # Department officers of the Sở (admin and security officer) — not the school.
    assert sorted(r for m in submitted for r in m.recipients) == [
        "admin_so@example.edu.vn",
        "attt_so@example.edu.vn",
    ]
    assert submitted[0].subject == "[Lá Chắn] Trường THPT Lê Lợi đã gửi báo cáo: Gỡ mã độc botnet"
    assert "Đã quét và gỡ mã độc trên máy phòng kế toán." in submitted[0].body
    assert "Số tệp minh chứng: 1" in submitted[0].body
    smtp.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rs.return_task(actor=officer, task=task, reason="Thiếu ảnh chụp kết quả quét.")
    returned = smtp.to("it.a@example.edu.vn")
    assert len(returned) == 1
    assert returned[0].subject == "[Lá Chắn] Báo cáo bị trả lại: Gỡ mã độc botnet"
    assert "Lý do: Thiếu ảnh chụp kết quả quét." in returned[0].body
    assert smtp.to("attt_so@example.edu.vn") == []
    smtp.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rs.submit_task(actor=it_a, task=task, answer_text="Đã bổ sung ảnh chụp.")
    smtp.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rs.verify_task(actor=officer, task=task)
    verified = smtp.messages()
    assert sorted(r for m in verified for r in m.recipients) == [
        "head_a@example.edu.vn",
        "it.a@example.edu.vn",
        "it_a@example.edu.vn",
    ]
    assert verified[0].subject == "[Lá Chắn] Đã xác nhận hoàn thành: Gỡ mã độc botnet"
    assert f"/tasks/{task.pk}/" in verified[0].body

    events = list(
        Notification.objects.filter(object_id=str(task.pk))
        .order_by("id")
        .values_list("event", flat=True)
        .distinct()
    )
    assert set(events) == {"task.assigned", "task.submitted", "task.returned", "task.verified"}


@pytest.mark.django_db(transaction=True)
def test_refusing_smtp_marks_rows_failed_and_keeps_the_task(smtp, tree, people):
    smtp.refuse = True
    task = rs.create_task(
        actor=people["officer"], unit=tree.a, title="Đổi mật khẩu bộ phát Wi-Fi", due_date=_due()
    )

    # The write committed even though every message was rejected.
    assert Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).exists()
    rows = list(Notification.objects.filter(object_id=str(task.pk)))
    assert len(rows) == 3
    assert {n.status for n in rows} == {NotificationStatus.FAILED}
    assert all("554" in n.error and n.attempts == 1 for n in rows)
    assert smtp.messages() == []

    # Too early for the retry job: nothing is tried.
    assert retry_unsent()["tried"] == 0

    # The server recovers; the periodic retry (15 minutes later) sends them.
    smtp.refuse = False
    later = timezone.now() + dt.timedelta(minutes=16)
    assert retry_unsent(now=later) == {"tried": 3, "sent": 3, "failed": 0}
    assert len(smtp.wait_for(3, timeout=10)) == 3
    rows = list(Notification.objects.filter(object_id=str(task.pk)))
    assert {n.status for n in rows} == {NotificationStatus.SENT}
    assert all(n.attempts == 2 and n.error == "" for n in rows)
    # A sent row is never sent again.
    assert retry_unsent(now=later + dt.timedelta(hours=1))["tried"] == 0


@pytest.mark.django_db(transaction=True)
def test_unreachable_smtp_server_is_recorded(settings, tree, people):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 3
    task = rs.create_task(
        actor=people["officer"], unit=tree.a, title="Cập nhật Windows", due_date=_due()
    )
    assert Task.objects.filter(pk=task.pk).exists()
    rows = Notification.objects.filter(object_id=str(task.pk))
    assert rows.count() == 3
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.FAILED}
    assert all("ConnectionRefusedError" in e for e in rows.values_list("error", flat=True))


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_sends_nothing(smtp, tree, people):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        rs.create_task(actor=people["officer"], unit=tree.a, title="Sẽ huỷ", due_date=_due())
        raise Abort

    assert not Task.objects.exists()
    assert not Notification.objects.exists()
    assert smtp.messages() == []


@pytest.mark.django_db(transaction=True)
def test_retry_stops_at_the_attempt_limit(settings, smtp, tree, people):
    settings.LACHAN_NOTIFY_MAX_ATTEMPTS = 3
    smtp.refuse = True
    task = rs.create_task(
        actor=people["officer"], unit=tree.a, title="Rà soát tài khoản", due_date=_due()
    )
    now = timezone.now()
    for i in range(1, 5):
        retry_unsent(now=now + dt.timedelta(minutes=16 * i))
    rows = Notification.objects.filter(object_id=str(task.pk))
    assert set(rows.values_list("attempts", flat=True)) == {3}
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.FAILED}


@pytest.mark.django_db(transaction=True)
def test_broker_down_leaves_rows_pending_for_the_retry_job(
    settings, monkeypatch, smtp, tree, people
):
    """Production path with the broker unreachable: the write stands, the retry job sends later."""
    from lachan.notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks.deliver_notifications, "delay", broker_down)
    task = rs.create_task(
        actor=people["officer"], unit=tree.a, title="Kiểm tra sao lưu", due_date=_due()
    )
    rows = Notification.objects.filter(object_id=str(task.pk))
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.PENDING}
    assert smtp.messages() == []

    result = retry_unsent(now=timezone.now() + dt.timedelta(minutes=16))
    assert result == {"tried": 3, "sent": 3, "failed": 0}
    assert len(smtp.wait_for(3, timeout=10)) == 3


@pytest.mark.django_db
def test_plain_text_mail_is_not_html_escaped(
    smtp, tree, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rs.create_task(
            actor=people["officer"],
            unit=tree.a,
            title='Máy chủ "web" & cổng <8080>',
            guidance="Chặn cổng 8080 từ Internet & báo cáo.",
            due_date=_due(),
        )
    mail = smtp.to("it.a@example.edu.vn")[0]
    assert mail.subject == '[Lá Chắn] Việc mới cần xử lý: Máy chủ "web" & cổng <8080>'
    assert 'Máy chủ "web" & cổng <8080>' in mail.body
    assert "Chặn cổng 8080 từ Internet & báo cáo." in mail.body
    assert "&amp;" not in mail.body and "&quot;" not in mail.body

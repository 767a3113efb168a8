"""The channel registry (ready for Telegram or webhooks) and the scoped notification reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lachan.notifications import channels
from lachan.notifications.channels import Audience, EmailChannel, register_channel
from lachan.notifications.models import Notification, NotificationStatus
from lachan.notifications.selectors import notifications_for, notifications_of
from lachan.org.models import Role
from lachan.remediation import services as rs


class ChatChannel:
    """What a Telegram channel would look like: its own addresses, its own delivery."""

    name = "chat"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def is_enabled(self) -> bool:
        return True

    def addresses(self, audience: Audience) -> list[str]:
        return [f"chat:{u.username}" for u in audience.users]

    def deliver(self, notification: Notification) -> None:
        if notification.recipient == "chat:broken":
            raise RuntimeError("chat API said no")
        self.sent.append((notification.recipient, notification.subject))


@pytest.fixture
def chat_channel():
    channel = register_channel(ChatChannel())
    yield channel
    channels.CHANNELS.pop(channel.name, None)


def test_registry_rejects_duplicates_and_non_channels():
    with pytest.raises(ValueError):
        register_channel(EmailChannel())
    with pytest.raises(TypeError):
        register_channel(object())  # type: ignore[arg-type]
    assert channels.get_channel("email") is not None


def test_email_addresses_are_unique_and_case_insensitive():
    class U:
        def __init__(self, email):
            self.email = email

    audience = Audience(users=(U("It.A@example.edu.vn"), U("")), emails=("it.a@example.edu.vn",))
    assert EmailChannel().addresses(audience) == ["it.a@example.edu.vn"]


@pytest.mark.django_db
def test_a_new_channel_receives_every_task_event(
    chat_channel, tree, it_a, dept_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = rs.create_task(
            actor=dept_officer,
            unit=tree.a,
            title="Cập nhật trình duyệt",
            due_date=timezone.localdate() + dt.timedelta(days=5),
        )
    assert chat_channel.sent == [
        ("chat:it_a", "[Lá Chắn] Việc mới cần xử lý: Cập nhật trình duyệt")
    ]
    rows = Notification.objects.filter(object_id=str(task.pk))
    # Two e-mails (the unit record's officer address and the account), one chat message.
    assert sorted(rows.values_list("channel", flat=True)) == ["chat", "email", "email"]
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.SENT}


@pytest.mark.django_db
def test_unknown_channel_and_channel_errors_are_recorded(chat_channel, tree):
    from lachan.notifications.services import deliver

    orphan = Notification.objects.create(
        channel="fax", event="task.assigned", recipient="x", subject="s", body="b"
    )
    assert deliver(orphan) is False
    orphan.refresh_from_db()
    assert orphan.status == NotificationStatus.FAILED and "unknown channel" in orphan.error

    broken = Notification.objects.create(
        channel="chat", event="task.assigned", recipient="chat:broken", subject="s", body="b"
    )
    assert deliver(broken) is False
    broken.refresh_from_db()
    assert broken.error == "RuntimeError: chat API said no" and broken.attempts == 1

    # A stale copy cannot deliver again: the row was claimed (attempts moved on).
    stale = Notification.objects.get(pk=broken.pk)
    stale.attempts = 0
    assert deliver(stale) is False


@pytest.mark.django_db
def test_selectors_scope_notifications(
    tree, make_user, it_a, it_b, dept_officer, django_capture_on_commit_callbacks
):
    head_c = make_user(Role.UNIT_HEAD, tree.c, username="head_c")
    with django_capture_on_commit_callbacks(execute=True):
        task_a = rs.create_task(
            actor=dept_officer,
            unit=tree.a,
            title="Việc của trường A",
            due_date=timezone.localdate() + dt.timedelta(days=5),
        )
        rs.submit_task(actor=it_a, task=task_a, answer_text="Đã xong.")
        task_c = rs.create_task(
            actor=dept_officer,
            unit=tree.c,
            title="Việc của trường C",
            due_date=timezone.localdate() + dt.timedelta(days=5),
        )

    # The Department sees everything about the task, including its own "submitted" mail.
    events = set(notifications_of(dept_officer, task_a).values_list("event", flat=True))
    assert events == {"task.assigned", "task.submitted"}
    # School A sees what its unit was sent, not the Department officers' mail.
    assert set(notifications_of(it_a, task_a).values_list("event", flat=True)) == {"task.assigned"}
    assert "attt_so@example.edu.vn" not in notifications_of(it_a, task_a).values_list(
        "recipient", flat=True
    )
    # School B sees nothing of school A, by object or by list.
    assert not notifications_of(it_b, task_a).exists()
    assert not notifications_for(it_b).filter(unit=tree.a).exists()
    # The list is scoped to the user's subtree.
    assert set(notifications_for(head_c).values_list("object_id", flat=True)) == {str(task_c.pk)}
    assert (
        notifications_for(dept_officer, status="sent").count()
        == Notification.objects.filter(status="sent").count()
    )
    assert not notifications_of(head_c, task_a).exists()

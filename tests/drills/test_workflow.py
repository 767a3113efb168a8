"""The drill workflow and its safeguards, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lachan.audit.models import AuditLog
from lachan.drills import services
from lachan.drills.models import DrillRecipient, DrillStatus
from lachan.org.models import Role

from .conftest import make_drill, template

pytestmark = pytest.mark.django_db


def test_builtin_templates_are_vietnamese_and_use_the_drill_domain(settings):
    settings.LACHAN_DRILL_SENDER_DOMAIN = "dien-tap.so-gd.test"
    services.ensure_builtin_templates()
    assert services.ensure_builtin_templates() == 0  # idempotent
    tuition = template("hoc-phi-gia")
    ministry = template("cong-van-bo-gia")
    password = template("mat-khau-het-han")
    assert tuition.subject.startswith("Thông báo thu học phí học kỳ I")
    assert ministry.subject == "Bộ GD&ĐT: Công văn khẩn về rà soát hồ sơ giáo viên"
    assert password.subject == "Mật khẩu hộp thư công vụ của thầy/cô sẽ hết hạn sau 24 giờ"
    assert password.has_login_form and not tuition.has_login_form
    assert all(
        t.builtin and len(t.red_flags) >= 3 and 3 <= len(t.tips) <= 5
        for t in (tuition, ministry, password)
    )
    mail = services.render_mail(
        password,
        {
            "ho_ten": "Lan Anh",
            "don_vi": "THPT A",
            "duong_link": "http://x/dt/c/t/",
            "ngay": "01/12/2026",
        },
    )
    assert mail.from_email.endswith("@dien-tap.so-gd.test>")
    assert "Lan Anh" in mail.text and "http://x/dt/c/t/" in mail.html


def test_only_department_officers_create_and_the_creator_cannot_approve(tree, staff):
    with pytest.raises(PermissionDenied):
        services.create_drill(
            actor=staff.a[2],  # school A's IT officer
            name="x",
            template=template(),
            units=[tree.a],
            starts_at=timezone.now(),
        )
    drill = make_drill(staff, [tree.a], approve=False)
    services.submit_drill(actor=staff.creator, drill=drill)
    with pytest.raises(ValidationError, match="không được tự phê duyệt"):
        services.approve_drill(actor=staff.creator, drill=drill)
    with pytest.raises(PermissionDenied):
        services.approve_drill(actor=staff.a[2], drill=drill)
    drill.refresh_from_db()
    assert drill.status == DrillStatus.AWAITING_APPROVAL and not drill.recipients.exists()
    drill = services.approve_drill(actor=staff.approver, drill=drill)
    assert drill.status == DrillStatus.APPROVED and drill.approved_by == staff.approver
    actions = list(
        AuditLog.objects.filter(object_type="drills.drill", object_id=str(drill.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["drill.create", "drill.submit", "drill.approve"]


def test_return_and_state_rules(tree, staff):
    drill = make_drill(staff, [tree.a], approve=False)
    with pytest.raises(services.DrillStateError):
        services.approve_drill(actor=staff.approver, drill=drill)  # still a draft
    services.submit_drill(actor=staff.creator, drill=drill)
    with pytest.raises(ValidationError):
        services.return_drill(actor=staff.approver, drill=drill, reason=" ")
    drill = services.return_drill(actor=staff.approver, drill=drill, reason="Đổi sang mẫu học phí.")
    assert drill.status == DrillStatus.DRAFT and drill.return_reason == "Đổi sang mẫu học phí."
    drill = services.update_drill(
        actor=staff.creator, drill=drill, template=template("hoc-phi-gia")
    )
    assert drill.template.key == "hoc-phi-gia"
    drill = services.cancel_drill(actor=staff.approver, drill=drill, reason="Trùng kỳ thi")
    with pytest.raises(services.DrillStateError):
        services.submit_drill(actor=staff.creator, drill=drill)


def test_form_rules_name_the_field(tree, staff):
    with pytest.raises(ValidationError) as exc:
        services.create_drill(
            actor=staff.creator,
            name=" ",
            template=template(),
            units=[],
            starts_at=timezone.now(),
            send_until=timezone.now() - dt.timedelta(hours=1),
            rate_per_minute=500,
        )
    assert set(exc.value.error_dict) == {"name", "units", "rate_per_minute", "send_until"}


def test_recipients_are_registered_staff_with_a_role_and_an_address(
    tree, staff, make_user, settings
):
    from django.contrib.auth import get_user_model

    # No role anywhere: never a recipient, even with an address in the right domain.
    make_user(None, None, username="khach_khong_vai_tro")
    no_mail = make_user(Role.LEARNER, tree.a, username="gv_khong_thu")
    no_mail.email = ""
    no_mail.save()
    locked = make_user(Role.LEARNER, tree.a, username="gv_da_khoa")
    locked.is_active = False
    locked.save()
    outsider = make_user(Role.LEARNER, tree.a, username="gv_gmail")
    outsider.email = "gv.ca.nhan@gmail.example"
    outsider.save()
    settings.LACHAN_DRILL_ALLOWED_DOMAINS = ["example.edu.vn"]

    plan = services.plan_recipients(units=[tree.a], include_subunits=True)
    emails = sorted(r.email for r in plan.accepted)
    assert emails == sorted(u.email for u in staff.a)
    refused = {r.email or r.label: r.reason for r in plan.refused}
    assert (
        "chưa có địa chỉ thư điện tử"
        in refused[f"{no_mail.get_full_name() or 'gv_khong_thu'} (THPT Lê Lợi)"]
    )
    assert refused["gv.ca.nhan@gmail.example"].startswith("tên miền “gmail.example”")
    assert refused["gv_da_khoa@example.edu.vn"] == "tài khoản đã bị khoá"
    all_users = {u.email for u in get_user_model().objects.all()}
    assert "khach_khong_vai_tro@example.edu.vn" in all_users
    assert "khach_khong_vai_tro@example.edu.vn" not in emails + list(refused)

    # The cluster with its subunits reaches school C's head; without them, nobody.
    assert [
        r.user for r in services.plan_recipients(units=[tree.cum], include_subunits=True).accepted
    ] == staff.c
    assert services.plan_recipients(units=[tree.cum], include_subunits=False).accepted == []


def test_recipient_list_is_frozen_at_approval(tree, staff, make_user):
    drill = make_drill(staff, [tree.a])
    assert drill.recipients.count() == 3
    make_user(Role.LEARNER, tree.a, username="gv_moi_sau_duyet")
    services.start_drill(actor=staff.creator, drill=drill)
    services.send_due_drill_emails()
    assert drill.recipients.count() == 3
    assert not drill.recipients.filter(user__username="gv_moi_sau_duyet").exists()
    tokens = set(drill.recipients.values_list("token", flat=True))
    assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)


def test_sending_respects_the_rate_and_the_window(tree, staff, make_user, settings):
    for i in range(7):
        make_user(Role.LEARNER, tree.b, username=f"gv_b_them_{i}")
    start = timezone.now() - dt.timedelta(minutes=5)
    drill = make_drill(
        staff, [tree.b], rate=4, starts_at=start, send_until=start + dt.timedelta(minutes=7)
    )
    assert drill.recipients.count() == 9
    counts = services.send_due_drill_emails(now=start + dt.timedelta(minutes=1))
    assert counts["started"] == 1 and counts["queued"] == 4
    assert services.send_due_drill_emails(now=start + dt.timedelta(minutes=2))["queued"] == 4
    # The send window closes before the last one goes out.
    assert services.send_due_drill_emails(now=start + dt.timedelta(minutes=8))["queued"] == 0
    assert drill.recipients.filter(queued_at__isnull=True).count() == 1

    # The global cap per run applies over all drills.
    settings.LACHAN_DRILL_MAX_PER_RUN = 2
    other = make_drill(staff, [tree.a], rate=120, starts_at=start)
    assert services.send_due_drill_emails(now=start + dt.timedelta(minutes=3))["queued"] == 2
    # The older drill takes its last recipient first, then the new one gets the rest.
    assert drill.recipients.filter(queued_at__isnull=True).count() == 0
    assert other.recipients.filter(queued_at__isnull=False).count() == 1


def test_a_drill_finishes_at_its_end(tree, staff):
    start = timezone.now() - dt.timedelta(hours=2)
    drill = make_drill(staff, [tree.a], starts_at=start, ends_at=start + dt.timedelta(hours=1))
    services.send_due_drill_emails(now=start + dt.timedelta(minutes=1))
    counts = services.send_due_drill_emails(now=start + dt.timedelta(hours=1, minutes=1))
    drill.refresh_from_db()
    assert counts["finished"] == 1 and drill.status == DrillStatus.FINISHED
    assert AuditLog.objects.filter(action="drill.finish", object_id=str(drill.pk)).exists()


def test_unsent_recipients_have_no_public_token(tree, staff):
    drill = make_drill(staff, [tree.a])
    r = drill.recipients.first()
    with pytest.raises(DrillRecipient.DoesNotExist):
        services.recipient_by_token(r.token)

"""Campaigns: services (draft, activate, close, reopen; checks and audit), who sees what,
progress per unit, class and lesson, the pages, the XLSX export and the reminders."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lachan.audit.models import AuditLog
from lachan.awareness.models import Campaign, CampaignStatus, ClassGroup
from lachan.awareness.selectors import campaigns as sel
from lachan.awareness.services import campaigns as svc
from lachan.org.models import Role

from .campaign_support import join_student, load_fixture_lessons, make_campaign, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(db):
    return load_fixture_lessons()


@pytest.fixture
def campaign(tree, lessons, dept_officer):
    return make_campaign(lessons=lessons, units=[tree.so], actor=dept_officer)


# --- services ---------------------------------------------------------------------------------


def test_draft_edit_activate_close_reopen_with_audit(tree, lessons, dept_officer):
    today = timezone.localdate()
    draft = svc.save_campaign(
        actor=dept_officer,
        title="  Tháng   an toàn thông tin ",
        lessons=[lessons[1], lessons[0]],
        units=[tree.a, tree.b],
        include_subunits=False,
        audiences=["students", "staff"],
        starts_on=today,
        deadline=today + dt.timedelta(days=10),
    )
    assert draft.status == CampaignStatus.DRAFT
    assert draft.title == "Tháng an toàn thông tin"
    assert draft.audiences == ["staff", "students"]
    assert [lesson.pk for lesson in sel.campaign_lessons(draft)] == [lessons[1].pk, lessons[0].pk]
    draft = svc.save_campaign(
        actor=dept_officer,
        campaign=draft,
        title="Tháng an toàn thông tin 2026",
        lessons=lessons,
        units=[tree.a],
        starts_on=today,
        deadline=today + dt.timedelta(days=12),
    )
    assert [lesson.pk for lesson in sel.campaign_lessons(draft)] == [x.pk for x in lessons]
    active = svc.activate_campaign(actor=dept_officer, campaign=draft)
    assert active.status == CampaignStatus.ACTIVE
    with pytest.raises(ValidationError) as exc:
        svc.save_campaign(
            actor=dept_officer,
            campaign=active,
            title="Đổi bài",
            lessons=lessons[:1],
            units=[tree.a],
            starts_on=today,
            deadline=today + dt.timedelta(days=12),
        )
    assert "lessons" in exc.value.message_dict
    closed = svc.close_campaign(actor=dept_officer, campaign=active)
    assert closed.status == CampaignStatus.CLOSED
    with pytest.raises(ValidationError):
        svc.close_campaign(actor=dept_officer, campaign=closed)
    assert svc.reopen_campaign(actor=dept_officer, campaign=closed).status == CampaignStatus.ACTIVE
    actions = list(
        AuditLog.objects.filter(object_type="awareness.campaign", object_id=str(draft.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "awareness.campaign.create",
        "awareness.campaign.update",
        "awareness.campaign.activate",
        "awareness.campaign.close",
        "awareness.campaign.reopen",
    ]


def test_campaign_checks_name_each_field(tree, lessons, dept_officer):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        svc.save_campaign(
            actor=dept_officer,
            title=" ",
            lessons=[lessons[0], lessons[0]],
            audiences=[],
            starts_on=today,
            deadline=today - dt.timedelta(days=1),
            reminder_days=99,
        )
    errors = exc.value.message_dict
    assert set(errors) == {"title", "audiences", "deadline", "reminder_days", "lessons"}
    assert "không được trước ngày bắt đầu" in errors["deadline"][0]
    empty = svc.save_campaign(
        actor=dept_officer, title="Trống", starts_on=today, deadline=today, audiences=["staff"]
    )
    with pytest.raises(ValidationError) as exc:
        svc.activate_campaign(actor=dept_officer, campaign=empty)
    assert set(exc.value.message_dict) == {"lessons", "units"}


def test_only_the_department_manages_campaigns(tree, lessons, it_a, campaign):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        svc.save_campaign(
            actor=it_a, title="Của trường", lessons=lessons, starts_on=today, deadline=today
        )
    with pytest.raises(PermissionDenied):
        svc.close_campaign(actor=it_a, campaign=campaign)


# --- classes ----------------------------------------------------------------------------------


def test_classes_by_unit_officers_for_their_units_only(tree, campaign, it_a, it_b, make_user):
    head_a = make_user(Role.UNIT_HEAD, tree.a)
    teacher_a = make_user(Role.LEARNER, tree.a)
    group = svc.create_class_group(
        actor=it_a, campaign=campaign, unit=tree.a, name=" 10A1 ", expected_students=35
    )
    assert group.name == "10A1" and len(group.join_code) == 8
    assert set(group.join_code) <= set(svc.JOIN_ALPHABET)
    assert not set(group.join_code) & set("01OIL")
    svc.create_class_group(actor=head_a, campaign=campaign, unit=tree.a, name="10A2")
    with pytest.raises(PermissionDenied):
        svc.create_class_group(actor=it_a, campaign=campaign, unit=tree.b, name="10B1")
    with pytest.raises(PermissionDenied):
        svc.create_class_group(actor=teacher_a, campaign=campaign, unit=tree.a, name="10A3")
    with pytest.raises(ValidationError) as exc:
        svc.create_class_group(actor=it_a, campaign=campaign, unit=tree.a, name="10A1")
    assert "10A1" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as exc:
        svc.create_class_group(
            actor=it_a, campaign=campaign, unit=tree.a, name="10A9", expected_students=0
        )
    assert "expected_students" in exc.value.message_dict

    old = group.join_code
    group = svc.regenerate_join_code(actor=it_a, class_group=group)
    assert group.join_code != old
    group = svc.set_class_open(actor=it_a, class_group=group, is_open=False)
    assert not group.is_open
    with pytest.raises(PermissionDenied):
        svc.regenerate_join_code(actor=it_b, class_group=group)
    assert set(
        AuditLog.objects.filter(object_type="awareness.classgroup").values_list("action", flat=True)
    ) == {"awareness.class.create", "awareness.class.regenerate_code", "awareness.class.close"}


def test_no_class_outside_the_campaign(tree, lessons, dept_officer, it_a):
    staff_only = make_campaign(
        lessons=lessons, units=[tree.a], actor=dept_officer, audiences=["staff"], title="Cán bộ"
    )
    with pytest.raises(ValidationError) as exc:
        svc.create_class_group(actor=it_a, campaign=staff_only, unit=tree.a, name="10A1")
    assert "campaign" in exc.value.message_dict
    only_c = make_campaign(
        lessons=lessons, units=[tree.c], actor=dept_officer, include_subunits=False, title="C"
    )
    with pytest.raises(ValidationError) as exc:
        svc.create_class_group(actor=dept_officer, campaign=only_c, unit=tree.a, name="10A1")
    assert "unit" in exc.value.message_dict


# --- visibility and progress ------------------------------------------------------------------


def test_who_sees_which_campaign(tree, lessons, dept_officer, it_a, it_b, make_user):
    for_a = make_campaign(
        lessons=lessons, units=[tree.a], actor=dept_officer, include_subunits=False, title="A"
    )
    for_all = make_campaign(lessons=lessons, units=[tree.so], actor=dept_officer, title="Tất cả")
    draft = make_campaign(
        lessons=lessons, units=[tree.so], actor=dept_officer, activate=False, title="Nháp"
    )
    assert set(sel.visible_campaigns(dept_officer)) == {for_a, for_all, draft}
    assert set(sel.visible_campaigns(it_a)) == {for_a, for_all}
    assert set(sel.visible_campaigns(it_b)) == {for_all}
    assert not sel.visible_campaigns(make_user(Role.LEARNER, tree.a)).exists()
    assert [u.code for u in sel.units_in_scope(it_a, for_all)] == ["THPT-A"]


def test_progress_per_unit_class_and_lesson(tree, lessons, campaign, it_a, it_b, make_user):
    from lachan.awareness.services.learners import learner_for_user

    teacher = make_user(Role.LEARNER, tree.a)
    group_a = svc.create_class_group(
        actor=it_a, campaign=campaign, unit=tree.a, name="10A1", expected_students=4
    )
    group_b = svc.create_class_group(actor=it_b, campaign=campaign, unit=tree.b, name="11B2")
    done = join_student(group_a, "Trần Minh Khoa")
    half = join_student(group_a, "Lê Thu Hà")
    other = join_student(group_b, "Phạm Quốc Bảo")
    for lesson in lessons:
        take_quiz(done, lesson, campaign)
        take_quiz(other, lesson, campaign)
    take_quiz(half, lessons[0], campaign, right=False)
    take_quiz(half, lessons[0], campaign)
    staff = learner_for_user(teacher)
    for lesson in lessons:
        take_quiz(staff, lesson, campaign)

    report = sel.progress_report(it_a, campaign)
    assert [r.unit.code for r in report.units] == ["THPT-A"]
    row = report.units[0]
    # Staff of A: it_a and the teacher hold roles there.
    assert (row.staff.expected, row.staff.completed) == (2, 1)
    assert (row.students.expected, row.students.joined, row.students.completed) == (4, 2, 1)
    assert (row.total.expected, row.total.completed, row.total.completion_rate) == (6, 2, 33)
    assert (row.total.attempts, row.total.passed_attempts, row.total.pass_rate) == (6, 5, 83)
    assert [c.group.name for c in report.classes] == ["10A1"]
    assert report.classes[0].counts.completion_rate == 25
    first = report.lesson_rows[0]
    assert (first.read, first.passed, first.attempts, first.passed_attempts) == (3, 3, 4, 3)
    assert first.average_best == 100
    assert {lr.learner.name for lr in report.learners} == {
        "Trần Minh Khoa",
        "Lê Thu Hà",
        staff.name,
    }
    assert "Phạm Quốc Bảo" not in {lr.learner.name for lr in report.learners}

    everything = sel.progress_report(None, campaign)
    codes = [r.unit.code for r in everything.units]
    assert codes[:1] == ["SO"] and "THPT-B" in codes and "THCS-C" in codes
    assert everything.students_total.completed == 2
    assert sel.campaigns_for_learner(done) == [campaign]
    assert sel.campaigns_for_learner(staff) == [campaign]
    assert sel.campaign_for_learner(done, "garbage") == campaign
    assert sel.campaign_for_learner(staff, str(campaign.pk)) == campaign
    assert sel.campaign_for_learner(staff, "999999") is None


# --- pages ------------------------------------------------------------------------------------


def test_pages_for_department_school_and_learner(
    client, tree, campaign, dept_officer, it_a, it_b, make_user
):
    group_b = svc.create_class_group(actor=it_b, campaign=campaign, unit=tree.b, name="11B-Mật")
    join_student(group_b, "Phạm Quốc Bảo")
    client.force_login(dept_officer)
    assert client.get(reverse("awareness_campaign_list")).status_code == 200
    page = client.get(reverse("awareness_campaign_dashboard", args=[campaign.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Trường THPT Nguyễn Trãi" in body and "<svg" in body and "11B-Mật" in body

    client.force_login(it_a)
    body = client.get(reverse("awareness_campaign_dashboard", args=[campaign.pk])).content.decode()
    assert "Trường THPT Lê Lợi" in body
    assert "Nguyễn Trãi" not in body and "11B-Mật" not in body
    assert client.get(reverse("awareness_class_detail", args=[group_b.pk])).status_code == 404
    assert client.get(reverse("awareness_class_sheet", args=[group_b.pk])).status_code == 404
    response = client.post(reverse("awareness_class_regenerate", args=[group_b.pk]))
    assert response.status_code == 404
    assert client.get(reverse("awareness_campaign_create")).status_code == 403
    response = client.post(reverse("awareness_campaign_transition", args=[campaign.pk, "close"]))
    assert response.status_code == 403

    client.force_login(make_user(Role.LEARNER, tree.a))
    assert client.get(reverse("awareness_campaign_list")).status_code == 403
    assert (
        client.get(reverse("awareness_campaign_dashboard", args=[campaign.pk])).status_code == 403
    )


def test_department_creates_a_campaign_in_the_form(client, tree, lessons, dept_officer):
    client.force_login(dept_officer)
    data = {
        "title": "Tuần lễ phòng chống lừa đảo",
        "description": "",
        "lessons": [lessons[0].pk, lessons[1].pk],
        f"pos_{lessons[0].pk}": "2",
        f"pos_{lessons[1].pk}": "1",
        "units": [tree.a.pk, tree.cum.pk],
        "include_subunits": "on",
        "audiences": ["staff", "students"],
        "starts_on": "01/12/2026",
        "deadline": "30/11/2026",
        "reminder_days": "3",
    }
    page = client.post(reverse("awareness_campaign_create"), data)
    assert page.status_code == 200
    assert "Hạn hoàn thành không được trước ngày bắt đầu." in page.content.decode()
    data["deadline"] = "21/12/2026"
    response = client.post(reverse("awareness_campaign_create"), data)
    campaign = Campaign.objects.get(title="Tuần lễ phòng chống lừa đảo")
    assert response.status_code == 302
    assert [x.slug for x in sel.campaign_lessons(campaign)] == [lessons[1].slug, lessons[0].slug]
    assert campaign.deadline == dt.date(2026, 12, 21)
    response = client.post(reverse("awareness_campaign_transition", args=[campaign.pk, "activate"]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE


def test_school_creates_a_class_and_prints_the_sheet(client, tree, campaign, it_a):
    client.force_login(it_a)
    page = client.get(reverse("awareness_class_create", args=[campaign.pk]))
    assert "Nguyễn Trãi" not in page.content.decode()
    response = client.post(
        reverse("awareness_class_create", args=[campaign.pk]),
        {"unit": tree.b.pk, "name": "10B1"},
    )
    assert response.status_code == 200 and not ClassGroup.objects.exists()
    response = client.post(
        reverse("awareness_class_create", args=[campaign.pk]),
        {"unit": tree.a.pk, "name": "10A1", "expected_students": "38"},
    )
    group = ClassGroup.objects.get()
    assert response.status_code == 302 and group.unit == tree.a
    sheet = client.get(reverse("awareness_class_sheet", args=[group.pk])).content.decode()
    code = svc.format_join_code(group.join_code)
    assert code in sheet and "<svg" in sheet and "/tham-gia/" in sheet
    client.post(reverse("awareness_class_toggle", args=[group.pk]), {"open": "0"})
    group.refresh_from_db()
    assert not group.is_open


def test_export_has_four_sheets_and_only_the_schools_rows(
    client, tree, lessons, campaign, it_a, it_b
):
    from openpyxl import load_workbook

    group_a = svc.create_class_group(actor=it_a, campaign=campaign, unit=tree.a, name="10A1")
    group_b = svc.create_class_group(actor=it_b, campaign=campaign, unit=tree.b, name="11B2")
    student = join_student(group_a, "Trần Minh Khoa")
    join_student(group_b, "Phạm Quốc Bảo")
    take_quiz(student, lessons[0], campaign)
    client.force_login(it_a)
    response = client.get(reverse("awareness_campaign_export", args=[campaign.pk]))
    assert response.status_code == 200
    today = timezone.localdate()
    assert (
        f'filename="tien-do-thang-an-toan-thong-tin-2026-{today:%Y%m%d}.xlsx"'
        in response["Content-Disposition"]
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Theo đơn vị", "Theo lớp", "Theo bài học", "Người học"]
    text = repr([list(ws.values) for ws in wb.worksheets])
    assert "Trần Minh Khoa" in text and "10A1" in text
    assert "Phạm Quốc Bảo" not in text and "Nguyễn Trãi" not in text and "11B2" not in text
    units = list(wb["Theo đơn vị"].values)
    assert units[1][0] == "THPT-A"


def test_formula_like_names_are_not_formulas_in_the_export(tree, campaign, it_a, dept_officer):
    from openpyxl import load_workbook

    from lachan.awareness.campaign_export import progress_workbook
    from lachan.awareness.models import Learner

    group = svc.create_class_group(actor=it_a, campaign=campaign, unit=tree.a, name="10A1")
    learner = join_student(group, "Trần An")
    Learner.objects.filter(pk=learner.pk).update(name="=HYPERLINK(1)")
    data = progress_workbook(sel.progress_report(dept_officer, campaign))
    ws = load_workbook(io.BytesIO(data))["Người học"]
    assert ws["A2"].value == "'=HYPERLINK(1)"


# --- reminders --------------------------------------------------------------------------------


def test_reminders_once_a_day_to_staff_not_done_and_unit_officers(
    tree, lessons, dept_officer, it_a, make_user, django_capture_on_commit_callbacks
):
    from lachan.awareness.services.learners import learner_for_user
    from lachan.awareness.tasks import send_campaign_reminders

    today = timezone.localdate()
    campaign = make_campaign(
        lessons=lessons,
        units=[tree.a],
        include_subunits=False,
        actor=dept_officer,
        deadline=today + dt.timedelta(days=5),
        reminder_days=3,
    )
    done = make_user(Role.LEARNER, tree.a, username="gv_da_xong")
    pending = make_user(Role.LEARNER, tree.a, username="gv_chua_xong")
    learner = learner_for_user(done)
    for lesson in lessons:
        take_quiz(learner, lesson, campaign)
    group = svc.create_class_group(actor=it_a, campaign=campaign, unit=tree.a, name="10A1")
    join_student(group)

    assert send_campaign_reminders(today=today) == {"campaigns": 0, "messages": 0}
    day = today + dt.timedelta(days=2)  # three days before the deadline
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        counts = send_campaign_reminders(today=day.isoformat())
    assert counts["campaigns"] == 1
    to = {m.to[0] for m in mail.outbox}
    assert pending.email in to and it_a.email in to and "it.a@example.edu.vn" in to
    assert done.email not in to
    summary = next(m for m in mail.outbox if m.to[0] == "it.a@example.edu.vn")
    assert "Lớp 10A1: 0/1" in summary.body and "THPT Lê Lợi" in summary.subject
    personal = next(m for m in mail.outbox if m.to[0] == pending.email)
    assert "Còn 3 ngày" in personal.subject and "/hoc/" in personal.body
    assert send_campaign_reminders(today=day) == {"campaigns": 0, "messages": 0}
    campaign.refresh_from_db()
    assert campaign.last_reminded_on == day
    assert AuditLog.objects.filter(action="awareness.campaign.remind").count() == 1
    assert send_campaign_reminders(today=today + dt.timedelta(days=4))["campaigns"] == 1
    assert send_campaign_reminders(today=today + dt.timedelta(days=6))["campaigns"] == 0

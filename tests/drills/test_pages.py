"""Drill pages: the Department's workflow, results per unit, unit scoping, export, API."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lachan.drills import services
from lachan.drills.models import Drill, DrillStatus
from lachan.org.models import Role

from .conftest import run_drill, template

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_department_creates_submits_and_a_second_officer_approves(tree, staff):
    creator, approver = _client(staff.creator), _client(staff.approver)
    page = creator.get(reverse("drill_create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Xem trước thư" in html and "Nguyễn Văn A" in html  # the sample recipient
    response = creator.post(
        reverse("drill_create"),
        {
            "name": "Diễn tập học phí",
            "template": template("hoc-phi-gia").pk,
            "units": [tree.a.pk, tree.cum.pk],
            "include_subunits": "on",
            "starts_at": "01/12/2026 08:00",
            "rate_per_minute": "10",
        },
    )
    drill = Drill.objects.get(name="Diễn tập học phí")
    assert response.status_code == 302 and response["Location"] == f"/dien-tap/{drill.pk}/"
    detail = creator.get(response["Location"]).content.decode()
    assert "Người nhận dự kiến" in detail and "THPT Lê Lợi" in detail
    recipients = creator.get(reverse("drill_recipients", args=[drill.pk])).content.decode()
    assert "Trường THCS Hòa Bình" in recipients

    creator.post(reverse("drill_submit", args=[drill.pk]))
    drill.refresh_from_db()
    assert drill.status == DrillStatus.AWAITING_APPROVAL
    own = creator.get(reverse("drill_detail", args=[drill.pk])).content.decode()
    assert "không thể tự phê duyệt" in own
    refused = creator.post(reverse("drill_approve", args=[drill.pk]), follow=True)
    assert "không được tự phê duyệt" in refused.content.decode()
    drill.refresh_from_db()
    assert drill.status == DrillStatus.AWAITING_APPROVAL
    approver.post(reverse("drill_approve", args=[drill.pk]))
    drill.refresh_from_db()
    assert drill.status == DrillStatus.APPROVED and drill.recipients.count() == 4
    approver.post(reverse("drill_start", args=[drill.pk]))
    approver.post(reverse("drill_finish", args=[drill.pk]))
    drill.refresh_from_db()
    assert drill.status == DrillStatus.FINISHED


def test_form_errors_are_shown_in_vietnamese(tree, staff):
    page = _client(staff.creator).post(
        reverse("drill_create"),
        {"name": "", "template": template().pk, "starts_at": "hôm qua", "rate_per_minute": "0"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Trường này là bắt buộc" in html or "bắt buộc" in html
    assert not Drill.objects.exists()


def test_unit_roles_cannot_manage(tree, staff):
    it_a = _client(staff.a[2])
    drill = run_drill(staff, [tree.a])
    for name, method in [
        ("drill_create", "get"),
        ("drill_template_list", "get"),
    ]:
        assert getattr(it_a, method)(reverse(name)).status_code == 403
    for name in ("drill_detail", "drill_recipients"):
        assert it_a.get(reverse(name, args=[drill.pk])).status_code in (403, 404)
    assert it_a.post(reverse("drill_finish", args=[drill.pk])).status_code in (403, 404)


def _play(drill, users, stage):
    client = Client()
    for user in users:
        r = drill.recipients.get(user=user)
        if stage == "click":
            client.get(f"/dt/c/{r.token}/")
        elif stage == "submit":
            client.post(f"/dt/c/{r.token}/")


def test_results_per_unit_and_unit_scoping(tree, staff):
    drill = run_drill(staff, [tree.a, tree.b])
    services.sync_delivery()
    _play(drill, staff.a[:2], "click")
    _play(drill, staff.a[:1], "submit")
    _play(drill, staff.b[:1], "click")
    r = drill.recipients.get(user=staff.b[1])
    services.report_message(actor=staff.b[1], text=f"/dt/c/{r.token}/")

    officer = _client(staff.creator)
    rows = {row["unit__code"]: row for row in services_rows(staff.creator, drill)}
    assert rows["THPT-A"]["recipients"] == 3 and rows["THPT-A"]["clicked"] == 2
    assert rows["THPT-A"]["submitted"] == 1 and rows["THPT-B"]["reported"] == 1
    assert rows["THPT-A"]["rates"]["clicked"] == round(100 * 2 / 3, 1)
    page = officer.get(reverse("drill_results", args=[drill.pk])).content.decode()
    assert "THPT Lê Lợi" in page and "THPT Nguyễn Trãi" in page and "<svg" in page

    # School A's IT officer sees nothing while it runs…
    it_a = _client(staff.a[2])
    assert it_a.get(reverse("drill_results", args=[drill.pk])).status_code == 404
    assert drill.name not in it_a.get(reverse("drill_list")).content.decode()
    services.finish_drill(actor=staff.creator, drill=drill)
    # …and once finished, only school A's aggregated row, with no names.
    page = it_a.get(reverse("drill_results", args=[drill.pk])).content.decode()
    assert "THPT Lê Lợi" in page and "Nguyễn Trãi" not in page
    assert "gv_a1" not in page and "Lan Anh" not in page
    assert drill.name in it_a.get(reverse("drill_list")).content.decode()
    # A teacher (learner role) sees no results.
    assert _client(staff.a[0]).get(reverse("drill_results", args=[drill.pk])).status_code == 404

    # Export: school A gets one sheet with its unit; the Department gets the names too.
    mine = load_workbook(io.BytesIO(it_a.get(reverse("drill_export", args=[drill.pk])).content))
    assert mine.sheetnames == ["Kết quả theo đơn vị"]
    codes = [row[0] for row in mine.active.iter_rows(min_row=2, values_only=True)]
    assert codes == ["THPT-A"]
    full = load_workbook(io.BytesIO(officer.get(reverse("drill_export", args=[drill.pk])).content))
    assert full.sheetnames == ["Kết quả theo đơn vị", "Người nhận"]
    emails = {row[2] for row in full["Người nhận"].iter_rows(min_row=2, values_only=True)}
    assert "gv_b1@example.edu.vn" in emails

    # School B's head does not see A, and C (not in the drill) sees no drill at all.
    from lachan.org.models import RoleAssignment

    head_c = staff.c[0]
    assert RoleAssignment.objects.filter(user=head_c, role=Role.UNIT_HEAD).exists()
    assert _client(head_c).get(reverse("drill_results", args=[drill.pk])).status_code == 404


def services_rows(user, drill):
    from lachan.drills.selectors import results_by_unit

    return results_by_unit(user, drill)


def test_template_pages(tree, staff):
    client = _client(staff.creator)
    services.ensure_builtin_templates()
    assert (
        "Mật khẩu hộp thư sắp hết hạn"
        in client.get(reverse("drill_template_list")).content.decode()
    )
    tpl = template("cong-van-bo-gia")
    detail = client.get(reverse("drill_template_detail", args=[tpl.pk])).content.decode()
    assert "không chuyển tiếp và không trao đổi với người khác" in detail
    edit = client.get(reverse("drill_template_edit", args=[tpl.pk])).content.decode()
    assert "Nội dung | Đe doạ quyền lợi" in edit
    bad = client.post(
        reverse("drill_template_create"),
        {
            "key": "thu-moi",
            "name": "Thư mời họp",
            "sender_name": "Văn phòng",
            "sender_local_part": "Văn Phòng",
            "subject": "Mời họp {gio_hop}",
            "body_text": "Kính gửi {ho_ten}",
            "red_flags": "Đâu đó | sai",
        },
    ).content.decode()
    assert "Dòng 1: phần “Đâu đó” không có" in bad
    bad = client.post(
        reverse("drill_template_create"),
        {
            "key": "thu-moi",
            "name": "Thư mời họp",
            "sender_name": "Văn phòng",
            "sender_local_part": "Văn Phòng",
            "subject": "Mời họp {gio_hop}",
            "body_text": "Kính gửi {ho_ten}",
            "red_flags": "Tiêu đề | Gấp",
        },
    ).content.decode()
    assert "Không có ô thay thế {gio_hop}" in bad
    assert "phải có ô {duong_link}" in bad
    assert "chữ thường không dấu" in bad
    ok = client.post(
        reverse("drill_template_create"),
        {
            "key": "thu-moi",
            "name": "Thư mời họp",
            "sender_name": "Văn phòng",
            "sender_local_part": "van-phong",
            "subject": "Mời họp ngày {ngay}",
            "body_text": "Kính gửi {ho_ten}, xem giấy mời: {duong_link}",
            "red_flags": "Đường link | Giấy mời thật đến qua hệ thống văn bản\nNội dung | Gấp | xem giấy mời",
            "tips": "Hỏi văn thư",
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    preview = client.get(reverse("drill_template_preview"), {"template": template("thu-moi").pk})
    assert 'class="dt-flag"' in preview.content.decode()


def test_api_lists_results_and_report(tree, staff):
    drill = run_drill(staff, [tree.a, tree.b])
    officer, it_a, gv = _client(staff.creator), _client(staff.a[2]), _client(staff.a[0])
    assert officer.get("/api/v1/drills/").json()["count"] == 1
    assert it_a.get("/api/v1/drills/").json()["count"] == 0
    assert it_a.get(f"/api/v1/drills/{drill.pk}/results").status_code == 404
    units = officer.get(f"/api/v1/drills/{drill.pk}/results").json()["units"]
    assert {u["unit_code"] for u in units} == {"THPT-A", "THPT-B"}

    token = drill.recipients.get(user=staff.a[0]).token
    answer = gv.post(
        "/api/v1/drills/report",
        {"message": f"From: x\n\nhttp://127.0.0.1:8000/dt/c/{token}/"},
        content_type="application/json",
    ).json()
    assert answer["is_drill"] is True and answer["drills"] == [drill.name]
    assert (
        gv.post(
            "/api/v1/drills/report", {"message": "hello"}, content_type="application/json"
        ).json()["is_drill"]
        is False
    )
    assert (
        gv.post(
            "/api/v1/drills/report", {"message": "x", "extra": 1}, content_type="application/json"
        ).status_code
        == 422
    )

    services.finish_drill(actor=staff.creator, drill=drill)
    units = it_a.get(f"/api/v1/drills/{drill.pk}/results").json()["units"]
    assert [u["unit_code"] for u in units] == ["THPT-A"]
    assert units[0]["reported"] == 1

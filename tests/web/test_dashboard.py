"""The dashboard for every role, the health check and the error pages."""

from __future__ import annotations

from django.urls import reverse

from lachan.org.models import Role
from lachan.web.views import unit_bar_chart


def test_department_officer_sees_every_unit(client, dept_officer, tasks):
    client.force_login(dept_officer)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tổng quan toàn ngành" in body
    # Status cards, with the overdue count first.
    totals = response.context["totals"]
    assert totals["overdue"] == 1 and totals["submitted"] == 1 and totals["verified"] == 1
    # The table lists units with tasks, including school B.
    names = {row["code"] for row in response.context["unit_rows"]}
    assert names == {"THPT-A", "THPT-B", "THCS-C"}
    # The chart is inline SVG, labelled in Vietnamese, with the overdue unit on top.
    assert "<svg" in body and "Quá hạn" in body
    bars = response.context["chart"]["bars"]
    assert bars[0]["label"] == "THPT Lê Lợi" and bars[0]["overdue"] == 1
    assert "Việc tôi cần làm" not in body


def test_department_admin_dashboard(client, dept_admin, tasks):
    client.force_login(dept_admin)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "Nhật ký hệ thống" in response.content.decode()  # the sidebar shows the audit log


def test_school_it_officer_sees_own_unit_and_todo(client, it_a, tasks):
    client.force_login(it_a)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Việc tôi cần làm" in body
    assert "Gỡ mã độc máy trạm phòng tin học A1" in body
    assert "Quá hạn 3 ngày" in body
    # Submitted tasks wait for the Department, not for him.
    assert [t.pk for t in response.context["todo"]] == [tasks["a_late"].pk]
    assert "Nguyễn Trãi" not in body and "THPT-B" not in body
    assert f"?unit={response.context['primary_unit'].pk}" in body
    assert "Nhật ký hệ thống" not in body


def test_unit_head_sees_own_unit(client, tree, login_as, tasks):
    login_as(Role.UNIT_HEAD, tree.a)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["totals"]["overdue"] == 1
    assert "Nguyễn Trãi" not in response.content.decode()


def test_cluster_officer_gets_the_table_of_his_schools(client, tree, login_as, tasks):
    login_as(Role.UNIT_IT, tree.cum)
    response = client.get(reverse("dashboard"))
    body = response.content.decode()
    assert "Việc cần xử lý theo đơn vị" in body
    assert {r["code"] for r in response.context["unit_rows"]} == {"THCS-C"}
    assert "Lê Lợi" not in body


def test_learner_gets_a_welcome_without_unit_data(client, tree, login_as, tasks):
    login_as(Role.LEARNER, tree.a)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chào mừng bạn đến với Lá Chắn" in body
    assert "Gỡ mã độc" not in body
    assert "Quá hạn" not in body
    assert "totals" not in response.context
    # Nor do the unit pages show anything.
    assert client.get(reverse("unit_list")).context["total"] == 0


def test_user_without_roles_gets_the_welcome(client, make_user, db):
    client.force_login(make_user(None, None))
    assert "Chào mừng" in client.get(reverse("dashboard")).content.decode()


def test_chart_geometry():
    rows = [
        {
            "pk": 1,
            "code": "A",
            "name": "Trường A",
            "short_name": "",
            "open_count": 4,
            "overdue_count": 1,
        },
        {
            "pk": 2,
            "code": "B",
            "name": "Trường B",
            "short_name": "B",
            "open_count": 2,
            "overdue_count": 2,
        },
        {
            "pk": 3,
            "code": "C",
            "name": "Trường C",
            "short_name": "",
            "open_count": 0,
            "overdue_count": 0,
        },
    ]
    chart = unit_bar_chart(rows)
    assert [b["pk"] for b in chart["bars"]] == [2, 1]  # most overdue first; idle units left out
    widest = chart["bars"][1]
    assert float(widest["open_w"]) == 100.0 and float(widest["overdue_w"]) == 25.0
    assert unit_bar_chart(rows[2:]) is None


def test_healthz_is_public_plain_text(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")


def test_not_found_page_is_vietnamese(client, it_a):
    client.force_login(it_a)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang bạn cần" in response.content.decode()


def test_forbidden_page_is_vietnamese(client, it_a):
    client.force_login(it_a)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 403
    assert "Bạn không có quyền truy cập trang này" in response.content.decode()


def test_server_error_page_renders_without_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Hệ thống gặp sự cố" in html


def test_language_switch_to_english(client, it_a):
    client.force_login(it_a)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("dashboard")}
    )
    assert response.status_code == 302
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert '<html lang="en">' in page.content.decode()
    assert page["Content-Language"] == "en"
    # And back to Vietnamese.
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get(reverse("dashboard")).content.decode()


def test_login_page_offers_the_language_switch(client, db):
    body = client.get(reverse("login")).content.decode()
    assert reverse("set_language") in body and "English" in body

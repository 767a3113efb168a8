"""Unit pages: tree, search, detail, create/edit/retire, import (dry run + confirm), export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lachan.audit.models import AuditLog
from lachan.org.models import Role, Unit


def test_unit_tree_for_department(client, dept_officer, tasks):
    client.force_login(dept_officer)
    response = client.get(reverse("unit_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="unit-tree"' in body and "<details open>" in body
    for name in [
        "Sở Giáo dục và Đào tạo",
        "Trường THPT Lê Lợi",
        "Trường THPT Nguyễn Trãi",
        "Trường THCS Hòa Bình",
    ]:
        assert name in body
    roots = response.context["roots"]
    assert [n["unit"].code for n in roots] == ["SO"]
    # Siblings: offices first, then high schools by name, then the cluster.
    assert [n["unit"].code for n in roots[0]["children"]] == ["SO-VP", "THPT-A", "THPT-B", "CUM-1"]
    assert roots[0]["children"][1]["counts"]["overdue_count"] == 1


def test_unit_tree_of_a_school_shows_only_it(client, it_a, tasks):
    client.force_login(it_a)
    response = client.get(reverse("unit_list"))
    body = response.content.decode()
    assert [n["unit"].code for n in response.context["roots"]] == ["THPT-A"]
    assert "Nguyễn Trãi" not in body and "Hòa Bình" not in body
    assert "Thêm đơn vị" not in body


def test_unit_search_is_live_with_htmx(client, dept_officer, tree):
    client.force_login(dept_officer)
    response = client.get(reverse("unit_list"), {"q": "hòa bình"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # only the results
    assert {u.code for u in response.context["results"]} == {"CUM-1", "THCS-C"}
    assert "HX-Request" in response["Vary"]
    # Without HTMX the same URL is a whole page.
    assert "<html" in client.get(reverse("unit_list"), {"q": "hòa bình"}).content.decode()


def test_unit_filters_type_and_active(client, dept_admin, tree):
    from lachan.org.services import retire_unit

    retire_unit(actor=dept_admin, unit=tree.c, valid_to=tree.c.created_at.date())
    client.force_login(dept_admin)
    thpt = client.get(reverse("unit_list"), {"type": "thpt"}).context["results"]
    assert {u.code for u in thpt} == {"THPT-A", "THPT-B"}
    inactive = client.get(reverse("unit_list"), {"active": "no"}).context["results"]
    assert [u.code for u in inactive] == ["THCS-C"]


def test_unit_search_never_leaks_other_schools(client, it_a, tree):
    client.force_login(it_a)
    response = client.get(reverse("unit_list"), {"q": "Trường"})
    assert {u.code for u in response.context["results"]} == {"THPT-A"}


def test_unit_detail(client, dept_admin, make_user, tree, tasks):
    from lachan.org.services import add_unit_alias, retire_unit

    add_unit_alias(actor=dept_admin, unit=tree.c, alias="THCS Hoa Binh")
    retire_unit(actor=dept_admin, unit=tree.c, valid_to=tree.c.created_at.date(), successor=tree.a)
    make_user(Role.UNIT_IT, tree.c, username="cntt_c", first_name="Lò Văn", last_name="Chiến")
    client.force_login(dept_admin)
    response = client.get(reverse("unit_detail", args=[tree.c.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Trường THCS Hòa Bình" in body and "THCS-C" in body
    assert "THCS Hoa Binh" in body  # alias
    assert "Ngừng hoạt động" in body and "Trường THPT Lê Lợi" in body  # successor
    assert "Cụm trường phường Hòa Bình" in body  # breadcrumb
    assert "Lò Văn Chiến" in body and "Cán bộ phụ trách CNTT đơn vị" in body
    assert f"?unit={tree.c.pk}" in body
    assert "Lịch sử thay đổi" in body
    # The successor shows where the unit went; the parent lists its children.
    parent = client.get(reverse("unit_detail", args=[tree.cum.pk])).content.decode()
    assert "Đơn vị trực thuộc (1)" in parent
    successor = client.get(reverse("unit_detail", args=[tree.a.pk])).content.decode()
    assert "Tiếp nhận từ" in successor


def test_unit_detail_of_another_school_is_404(client, it_a, tree):
    client.force_login(it_a)
    assert client.get(reverse("unit_detail", args=[tree.b.pk])).status_code == 404
    own = client.get(reverse("unit_detail", args=[tree.a.pk]))
    assert own.status_code == 200
    body = own.content.decode()
    assert "Sửa" not in body.split("page-actions")[1].split("</div>")[0]
    assert "Lịch sử thay đổi" not in body


@pytest.mark.parametrize("name", ["unit_create", "unit_import"])
def test_admin_pages_forbidden_to_others(client, dept_officer, it_a, name):
    for user in (dept_officer, it_a):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_unit_edit_forbidden_to_it_officer(client, it_a, tree):
    client.force_login(it_a)
    assert client.get(reverse("unit_edit", args=[tree.a.pk])).status_code == 403
    assert client.post(reverse("unit_edit", args=[tree.a.pk]), {"name": "X"}).status_code == 403
    assert client.get(reverse("unit_edit", args=[tree.b.pk])).status_code == 404


def _unit_form(**overrides):
    data = {
        "code": "THPT-D",
        "name": "Trường THPT Võ Thị Sáu",
        "short_name": "THPT Võ Thị Sáu",
        "type": "thpt",
        "address": "12 Lê Duẩn",
        "ward": "Phường Hòa Bình",
        "province": "Hòa An",
        "phone": "0236 3821 456",
        "email": "c3vothisau@example.edu.vn",
        "it_officer_name": "Hồ Thị Diệu",
        "it_officer_phone": "0905 111 222",
        "it_officer_email": "dieu@example.edu.vn",
        "head_name": "Phan Văn Đức",
        "aliases": "THPT Vo Thi Sau\nTrường Võ Thị Sáu",
        "valid_from": "01/07/2025",
        "valid_to": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_create_and_edit_unit(client, dept_admin, tree):
    client.force_login(dept_admin)
    page = client.get(reverse("unit_create"), {"parent": tree.so.pk})
    assert page.status_code == 200
    response = client.post(reverse("unit_create"), _unit_form(parent=tree.so.pk))
    assert response.status_code == 302
    unit = Unit.objects.get(code="THPT-D")
    assert response["Location"] == reverse("unit_detail", args=[unit.pk])
    assert unit.parent == tree.so and unit.aliases == ["THPT Vo Thi Sau", "Trường Võ Thị Sáu"]
    assert unit.valid_from.isoformat() == "2025-07-01"
    assert AuditLog.objects.filter(
        action="unit.create", object_id=str(unit.pk), actor_id=dept_admin.pk
    ).exists()

    # Edit: move under the cluster; the code cannot change.
    edit = client.get(reverse("unit_edit", args=[unit.pk]))
    assert edit.status_code == 200 and "01/07/2025" in edit.content.decode()
    response = client.post(
        reverse("unit_edit", args=[unit.pk]),
        _unit_form(code="HACKED", parent=tree.cum.pk, name="Trường THPT Võ Thị Sáu (mới)"),
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.code == "THPT-D" and unit.parent == tree.cum and unit.path.startswith(tree.cum.path)
    assert AuditLog.objects.filter(action="unit.update", object_id=str(unit.pk)).exists()


def test_unit_form_errors_are_shown(client, dept_admin, tree):
    client.force_login(dept_admin)
    response = client.post(
        reverse("unit_create"),
        _unit_form(email="khong-phai-email", valid_from="31/02/2025", parent=tree.so.pk),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nhập ngày theo dạng dd/mm/yyyy" in body
    assert not Unit.objects.filter(code="THPT-D").exists()
    # Duplicate code.
    dup = client.post(reverse("unit_create"), _unit_form(code="THPT-A", parent=tree.so.pk))
    assert dup.status_code == 200 and "Mã đơn vị này đã có" in dup.content.decode()
    # A unit cannot move under its own subtree.
    cycle = client.post(
        reverse("unit_edit", args=[tree.cum.pk]),
        _unit_form(code="CUM-1", name="Cụm", type="khac", parent=tree.c.pk),
    )
    assert cycle.status_code == 200
    tree.cum.refresh_from_db()
    assert tree.cum.parent == tree.so


def test_retire_unit(client, dept_admin, tree):
    client.force_login(dept_admin)
    response = client.post(
        reverse("unit_retire", args=[tree.c.pk]), {"valid_to": "30/06/2025", "successor": tree.a.pk}
    )
    assert response.status_code == 302
    tree.c.refresh_from_db()
    assert not tree.c.is_active and tree.c.successor == tree.a
    assert tree.c.valid_to.isoformat() == "2025-06-30"
    bad = client.post(
        reverse("unit_retire", args=[tree.b.pk]), {"valid_to": "hôm qua"}, follow=True
    )
    assert "Nhập ngày theo dạng dd/mm/yyyy" in bad.content.decode()

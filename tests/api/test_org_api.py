"""Units, users and /me over the API, for each role, with unit scoping."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from lachan.audit.models import AuditLog
from lachan.org.models import Role, RoleAssignment, Unit

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [u["code"] for u in response.json()["items"]]


# --- units: reads -----------------------------------------------------------------------------


def test_department_sees_every_unit_in_tree_order(api_as, dept_officer):
    response = api_as(dept_officer).get("org/units/")
    assert codes(response) == ["SO", "SO-VP", "THPT-A", "THPT-B", "CUM-1", "THCS-C"]
    assert response.json()["count"] == 6


def test_school_sees_only_its_own_unit(api_as, it_a, unit_head_a):
    for user in (it_a, unit_head_a):
        response = api_as(user).get("org/units/")
        assert codes(response) == ["THPT-A"]
        assert response.json()["count"] == 1


def test_learner_sees_no_unit(api_as, learner_a):
    assert codes(api_as(learner_a).get("org/units/")) == []


def test_cluster_sees_its_subtree(api_as, make_user, tree):
    user = make_user(Role.UNIT_IT, tree.cum)
    assert codes(api_as(user).get("org/units/")) == ["CUM-1", "THCS-C"]


def test_unit_list_filters_and_search(api_as, dept_officer, tree):
    api = api_as(dept_officer)
    assert codes(api.get("org/units/", {"q": "nguyễn trãi"})) == ["THPT-B"]
    assert codes(api.get("org/units/", {"q": "thpt-"})) == ["THPT-A", "THPT-B"]
    assert codes(api.get("org/units/", {"type": "thcs"})) == ["THCS-C"]
    assert codes(api.get("org/units/", {"parent_id": tree.cum.pk})) == ["THCS-C"]
    Unit.objects.filter(pk=tree.c.pk).update(is_active=False)
    assert codes(api.get("org/units/", {"active": "false"})) == ["THCS-C"]
    response = api.get("org/units/", {"type": "truong"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["type"]


def test_school_search_for_another_school_finds_nothing(api_as, it_a):
    response = api_as(it_a).get("org/units/", {"q": "Nguyễn Trãi"})
    assert codes(response) == []
    assert response.json()["count"] == 0


def test_unit_list_pagination(api_as, dept_officer, tree):
    api = api_as(dept_officer)
    response = api.get("org/units/", {"limit": 2, "offset": 2})
    assert codes(response) == ["THPT-A", "THPT-B"]
    assert response.json()["count"] == 6
    assert api.get("org/units/", {"limit": 0}).status_code == 422


def test_unit_detail_by_id_and_by_code(api_as, it_a, tree):
    api = api_as(it_a)
    body = api.get(f"org/units/{tree.a.pk}/").json()
    assert body["code"] == "THPT-A"
    assert body["parent_code"] == "SO"
    assert body["type"] == "thpt"
    assert body["type_label"] == "Trường THPT"
    assert body["it_officer_email"] == "it.a@example.edu.vn"
    assert api.get("org/units/by-code/THPT-A/").json()["id"] == tree.a.pk


def test_other_schools_unit_is_404_by_id_and_by_code(api_as, it_a, tree):
    api = api_as(it_a)
    for path in (f"org/units/{tree.b.pk}/", "org/units/by-code/THPT-B/", "org/units/999999/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Không tìm thấy."}


# --- units: writes ----------------------------------------------------------------------------

NEW_UNIT = {
    "code": "THPT-D",
    "name": "Trường THPT Chu Văn An",
    "type": "thpt",
    "parent_code": "SO",
    "email": "c3chuvanan@example.edu.vn",
    "aliases": ["THPT Chu Van An"],
}


def test_department_admin_creates_a_unit_through_the_service(api_as, dept_admin, tree):
    response = api_as(dept_admin).post("org/units/", NEW_UNIT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "THPT-D"
    assert body["parent_id"] == tree.so.pk
    assert body["aliases"] == ["THPT Chu Van An"]
    unit = Unit.objects.get(code="THPT-D")
    assert unit.path == f"{tree.so.path}{unit.pk}/"
    log = AuditLog.objects.get(action="unit.create", object_id=str(unit.pk))
    assert log.actor == dept_admin


@pytest.mark.parametrize("who", ["dept_officer", "it_a", "unit_head_a", "learner_a"])
def test_only_department_admins_create_units(api_as, request, who, tree):
    response = api_as(request.getfixturevalue(who)).post("org/units/", NEW_UNIT)
    assert response.status_code == 403
    assert response.json() == {"detail": "Bạn không có quyền thực hiện thao tác này."}
    assert not Unit.objects.filter(code="THPT-D").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "THPT-A"}, "code"),
        ({"email": "không-phải-email"}, "email"),
        ({"parent_code": "KHONG-CO"}, "parent_code"),
        ({"parent_id": 999999}, "parent_id"),
        ({"type": "dai_hoc"}, "type"),
        ({"name": ""}, "name"),
        ({"parent_id": 1, "parent_code": "SO"}, "parent_id"),
    ],
)
def test_unit_create_validation_errors_name_the_field(api_as, dept_admin, change, field):
    response = api_as(dept_admin).post("org/units/", {**NEW_UNIT, **change})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "Dữ liệu gửi lên không hợp lệ."
    assert field in body["errors"], body
    assert not Unit.objects.filter(code="THPT-D").exists()


def test_missing_field_message_is_vietnamese(api_as, dept_admin):
    response = api_as(dept_admin).post("org/units/", {"name": "Không mã"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"code": ["Trường này là bắt buộc."]}


def test_department_admin_updates_and_moves_a_unit(api_as, dept_admin, tree):
    api = api_as(dept_admin)
    response = api.patch(f"org/units/{tree.c.pk}/", {"phone": "0123 456 789", "parent_code": "SO"})
    assert response.status_code == 200, response.content
    unit = Unit.objects.get(pk=tree.c.pk)
    assert unit.phone == "0123 456 789"
    assert unit.parent_id == tree.so.pk
    assert unit.path == f"{tree.so.path}{unit.pk}/"
    assert unit.name == "Trường THCS Hòa Bình"  # untouched fields stay
    # A field left out keeps its value (the parent too).
    response = api.patch(f"org/units/{tree.a.pk}/", {"short_name": "Lê Lợi"})
    assert response.status_code == 200
    a = Unit.objects.get(pk=tree.a.pk)
    assert (a.code, a.short_name, a.parent_id) == ("THPT-A", "Lê Lợi", tree.so.pk)
    # The root keeps having no parent when its other fields change.
    assert api.patch(f"org/units/{tree.so.pk}/", {"phone": "0200"}).status_code == 200


def test_unit_update_refuses_what_it_cannot_do(api_as, dept_admin, tree):
    api = api_as(dept_admin)
    # The code is stable: sending it is an error, not silently ignored.
    response = api.patch(f"org/units/{tree.a.pk}/", {"code": "X"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"code": ["Trường này không được hỗ trợ."]}
    # No unit becomes a root through the API.
    response = api.patch(f"org/units/{tree.a.pk}/", {"parent_id": None})
    assert response.status_code == 422
    assert response.json()["errors"] == {"parent_id": ["Hãy chọn đơn vị cấp trên."]}
    response = api.post("org/units/", {"code": "GOC-MOI", "name": "Gốc mới"})
    assert response.status_code == 422
    assert "parent_id" in response.json()["errors"]
    assert Unit.objects.get(pk=tree.a.pk).parent_id == tree.so.pk


def test_unit_cannot_move_under_its_own_subtree(api_as, dept_admin, tree):
    response = api_as(dept_admin).patch(f"org/units/{tree.cum.pk}/", {"parent_code": "THCS-C"})
    assert response.status_code == 422
    assert "parent" in response.json()["errors"]


def test_school_cannot_update_its_own_unit_and_cannot_see_others(api_as, it_a, tree):
    api = api_as(it_a)
    assert api.patch(f"org/units/{tree.a.pk}/", {"phone": "1"}).status_code == 403
    assert api.patch(f"org/units/{tree.b.pk}/", {"phone": "1"}).status_code == 404
    assert Unit.objects.get(pk=tree.b.pk).phone == ""


def test_department_security_cannot_update_units(api_as, dept_officer, tree):
    assert api_as(dept_officer).patch(f"org/units/{tree.b.pk}/", {"phone": "1"}).status_code == 403


# --- users ------------------------------------------------------------------------------------


def test_department_admin_lists_and_filters_users(api_as, dept_admin, dept_officer, it_a, it_b):
    api = api_as(dept_admin)
    response = api.get("org/users/")
    assert response.status_code == 200
    names = [u["username"] for u in response.json()["items"]]
    assert names == ["admin_so", "attt_so", "it_a", "it_b"]
    response = api.get("org/users/", {"unit_id": it_b.role_assignments.get().unit_id})
    assert [u["username"] for u in response.json()["items"]] == ["it_b"]
    item = response.json()["items"][0]
    assert item["roles"] == [
        {
            "id": it_b.role_assignments.get().pk,
            "unit": {
                "id": item["roles"][0]["unit"]["id"],
                "code": "THPT-B",
                "name": "Trường THPT Nguyễn Trãi",
            },
            "role": "unit_it",
            "role_label": "Cán bộ phụ trách CNTT đơn vị",
        }
    ]
    assert [
        u["username"] for u in api.get("org/users/", {"role": "dept_security"}).json()["items"]
    ] == ["attt_so"]
    assert [u["username"] for u in api.get("org/users/", {"q": "IT_"}).json()["items"]] == [
        "it_a",
        "it_b",
    ]


@pytest.mark.parametrize("who", ["dept_officer", "it_a", "unit_head_a", "learner_a"])
def test_only_department_admins_read_users(api_as, request, who, it_b):
    api = api_as(request.getfixturevalue(who))
    assert api.get("org/users/").status_code == 403
    assert api.get(f"org/users/{it_b.pk}/").status_code == 403


def test_department_admin_creates_user_with_roles(api_as, dept_admin, tree):
    response = api_as(dept_admin).post(
        "org/users/",
        {
            "username": "cntt.chuvanan",
            "email": "cntt@example.edu.vn",
            "full_name": "Lê Thị Hoa",
            "password": "Mot-mat-khau-dai-12",
            "roles": [{"unit_code": "THPT-A", "role": "unit_it"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Lê Thị Hoa"
    assert [(r["unit"]["code"], r["role"]) for r in body["roles"]] == [("THPT-A", "unit_it")]
    user = get_user_model().objects.get(username="cntt.chuvanan")
    assert user.check_password("Mot-mat-khau-dai-12")
    assert AuditLog.objects.filter(action="user.create", object_id=str(user.pk)).exists()
    assert AuditLog.objects.filter(action="role.assign").exists()


def test_user_create_is_all_or_nothing(api_as, dept_admin, tree):
    response = api_as(dept_admin).post(
        "org/users/",
        {"username": "nguoi.moi", "roles": [{"unit_code": "KHONG-CO", "role": "unit_it"}]},
    )
    assert response.status_code == 422
    assert "roles.0.unit_code" in response.json()["errors"]
    assert not get_user_model().objects.filter(username="nguoi.moi").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "admin_so"}, "username"),
        ({"username": "x", "password": "123"}, "password"),
        ({"username": "x", "roles": [{"unit_code": "THPT-A", "role": "vua"}]}, "roles.0.role"),
        ({"username": "x", "roles": [{"unit_code": "THPT-A", "role": "dept_admin"}]}, "role"),
    ],
)
def test_user_create_errors(api_as, dept_admin, body, field):
    response = api_as(dept_admin).post("org/users/", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_new_user_without_roles_is_still_manageable(api_as, dept_admin, tree):
    api = api_as(dept_admin)
    user_id = api.post("org/users/", {"username": "chua.co.vai.tro"}).json()["id"]
    assert api.get(f"org/users/{user_id}/").json()["roles"] == []
    response = api.post(f"org/users/{user_id}/roles/", {"unit_id": tree.b.pk, "role": "unit_head"})
    assert response.status_code == 201
    assert response.json()["unit"]["code"] == "THPT-B"
    assert RoleAssignment.objects.filter(user_id=user_id, unit=tree.b, role="unit_head").exists()


def test_department_admin_revokes_a_role(api_as, dept_admin, it_b):
    assignment = it_b.role_assignments.get()
    api = api_as(dept_admin)
    response = api.delete(f"org/users/{it_b.pk}/roles/{assignment.pk}/")
    assert response.status_code == 204
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditLog.objects.filter(action="role.revoke").exists()
    assert api.delete(f"org/users/{it_b.pk}/roles/{assignment.pk}/").status_code == 404


def test_school_cannot_assign_roles(api_as, it_a, tree):
    response = api_as(it_a).post(
        f"org/users/{it_a.pk}/roles/", {"unit_id": tree.b.pk, "role": "unit_it"}
    )
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=it_a, unit=tree.b).exists()


def test_me_shows_only_the_callers_own_account(api_as, learner_a, it_b):
    body = api_as(learner_a).get("org/me/").json()
    assert body["username"] == "hocvien_a"
    assert [(r["unit"]["code"], r["role"]) for r in body["roles"]] == [("THPT-A", "learner")]
    assert body["is_department_admin"] is False


def test_me_of_department_admin(api_as, dept_admin):
    body = api_as(dept_admin).get("org/me/").json()
    assert body["is_department_admin"] is True
    assert body["is_department_staff"] is True

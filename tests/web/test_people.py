"""People pages: list, detail, create, role assignment and revocation, (de)activation, 2FA reset."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachan.audit.models import AuditLog
from lachan.org.models import Role, RoleAssignment

User = get_user_model()


def test_department_sees_everyone_with_roles(client, dept_officer, it_a, it_b):
    client.force_login(dept_officer)
    response = client.get(reverse("user_list"))
    assert response.status_code == 200
    usernames = {u.username for u in response.context["page"].object_list}
    assert {"it_a", "it_b", "attt_so"} <= usernames
    body = response.content.decode()
    assert "Cán bộ phụ trách CNTT đơn vị" in body and "THPT Nguyễn Trãi" in body
    assert "Thêm người dùng" not in body  # only administrators add people


def test_school_officer_sees_only_his_subtree(client, tree, it_a, it_b, make_user):
    make_user(Role.LEARNER, tree.a, username="gv_a")
    client.force_login(it_a)
    response = client.get(reverse("user_list"))
    usernames = {u.username for u in response.context["page"].object_list}
    assert usernames == {"it_a", "gv_a"}
    body = response.content.decode()
    assert "it_b" not in body and "Nguyễn Trãi" not in body
    assert client.get(reverse("user_detail", args=[it_b.pk])).status_code == 404
    detail = client.get(reverse("user_detail", args=[User.objects.get(username="gv_a").pk]))
    assert detail.status_code == 200
    assert "Thu hồi" not in detail.content.decode()  # he can look, not change


def test_people_filters_and_htmx(client, dept_admin, tree, it_a, it_b):
    client.force_login(dept_admin)
    by_unit = client.get(reverse("user_list"), {"unit": tree.b.pk})
    assert {u.username for u in by_unit.context["page"].object_list} == {"it_b"}
    by_role = client.get(reverse("user_list"), {"role": Role.DEPT_ADMIN})
    assert {u.username for u in by_role.context["page"].object_list} == {"admin_so"}
    search = client.get(reverse("user_list"), {"q": "it_"}, HTTP_HX_REQUEST="true")
    assert "<html" not in search.content.decode()
    assert {u.username for u in search.context["page"].object_list} == {"it_a", "it_b"}


def test_roles_shown_are_only_visible_ones(client, tree, make_user, it_a):
    both = make_user(Role.LEARNER, tree.a, username="hai_truong")
    RoleAssignment.objects.create(user=both, unit=tree.b, role=Role.LEARNER)
    client.force_login(it_a)
    body = client.get(reverse("user_list")).content.decode()
    assert "hai_truong" in body and "Nguyễn Trãi" not in body
    detail = client.get(reverse("user_detail", args=[both.pk])).content.decode()
    assert "Nguyễn Trãi" not in detail


def test_create_user_with_role(client, dept_admin, tree):
    client.force_login(dept_admin)
    assert client.get(reverse("user_create")).status_code == 200
    response = client.post(
        reverse("user_create"),
        {
            "username": "hoang.thi.mai",
            "full_name": "Hoàng Thị Mai",
            "email": "mai@example.edu.vn",
            "password": "Mat-khau-ban-dau-2025",
            "unit": tree.b.pk,
            "role": Role.UNIT_HEAD,
        },
    )
    assert response.status_code == 302
    person = User.objects.get(username="hoang.thi.mai")
    assert person.get_full_name() == "Hoàng Thị Mai"
    assert RoleAssignment.objects.filter(user=person, unit=tree.b, role=Role.UNIT_HEAD).exists()
    assert AuditLog.objects.filter(action="user.create", actor_id=dept_admin.pk).exists()
    assert AuditLog.objects.filter(action="role.assign", actor_id=dept_admin.pk).exists()


def test_create_user_errors_store_nothing(client, dept_admin, tree):
    client.force_login(dept_admin)
    # A Department role at a school is refused by the service: the account is not created.
    response = client.post(
        reverse("user_create"),
        {
            "username": "sai.vai.tro",
            "full_name": "Sai Vai Trò",
            "password": "Mat-khau-ban-dau-2025",
            "unit": tree.a.pk,
            "role": Role.DEPT_ADMIN,
        },
    )
    assert response.status_code == 200
    assert "Vai trò cấp Sở chỉ gán tại Sở" in response.content.decode()
    assert not User.objects.filter(username="sai.vai.tro").exists()
    weak = client.post(
        reverse("user_create"),
        {"username": "yeu", "full_name": "Mật Khẩu Yếu", "password": "123"},
    )
    assert weak.status_code == 200 and not User.objects.filter(username="yeu").exists()
    dup = client.post(
        reverse("user_create"),
        {"username": "ADMIN_SO", "full_name": "Trùng", "password": "Mat-khau-ban-dau-2025"},
    )
    assert "đã tồn tại" in dup.content.decode()


def test_user_without_role_stays_reachable_for_admin(client, dept_admin, tree):
    client.force_login(dept_admin)
    client.post(
        reverse("user_create"),
        {
            "username": "chua.co.quyen",
            "full_name": "Chưa Có Quyền",
            "password": "Mat-khau-ban-dau-2025",
        },
    )
    person = User.objects.get(username="chua.co.quyen")
    assert client.get(reverse("user_detail", args=[person.pk])).status_code == 200
    assert "chua.co.quyen" in client.get(reverse("user_list")).content.decode()


def test_assign_and_revoke_role(client, dept_admin, it_b, tree):
    client.force_login(dept_admin)
    response = client.post(
        reverse("role_assign", args=[it_b.pk]), {"unit": tree.c.pk, "role": Role.UNIT_HEAD}
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=it_b, unit=tree.c)
    refused = client.post(
        reverse("role_assign", args=[it_b.pk]),
        {"unit": tree.c.pk, "role": Role.DEPT_SECURITY},
        follow=True,
    )
    assert "Vai trò cấp Sở chỉ gán tại Sở" in refused.content.decode()
    assert client.post(reverse("role_revoke", args=[assignment.pk])).status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditLog.objects.filter(action="role.revoke").exists()


def test_admin_cannot_revoke_own_admin_role(client, dept_admin):
    client.force_login(dept_admin)
    own = RoleAssignment.objects.get(user=dept_admin, role=Role.DEPT_ADMIN)
    client.post(reverse("role_revoke", args=[own.pk]))
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_non_admins_cannot_change_people(client, dept_officer, it_a, it_b, tree):
    assignment = RoleAssignment.objects.get(user=it_b)
    client.force_login(dept_officer)
    assert (
        client.post(
            reverse("role_assign", args=[it_b.pk]), {"unit": tree.b.pk, "role": "learner"}
        ).status_code
        == 403
    )
    assert client.post(reverse("role_revoke", args=[assignment.pk])).status_code == 403
    assert client.post(reverse("user_deactivate", args=[it_b.pk])).status_code == 403
    assert client.get(reverse("user_create")).status_code == 403
    client.force_login(it_a)
    assert client.post(reverse("user_deactivate", args=[it_b.pk])).status_code == 404
    assert client.post(reverse("role_revoke", args=[assignment.pk])).status_code == 404
    it_b.refresh_from_db()
    assert it_b.is_active


def test_deactivate_and_activate(client, dept_admin, it_b):
    client.force_login(dept_admin)
    assert client.post(reverse("user_deactivate", args=[it_b.pk])).status_code == 302
    it_b.refresh_from_db()
    assert not it_b.is_active
    page = client.get(reverse("user_detail", args=[it_b.pk])).content.decode()
    assert "Đã khoá" in page and "Mở khoá tài khoản" in page
    client.post(reverse("user_activate", args=[it_b.pk]))
    it_b.refresh_from_db()
    assert it_b.is_active
    # Not oneself.
    client.post(reverse("user_deactivate", args=[dept_admin.pk]))
    dept_admin.refresh_from_db()
    assert dept_admin.is_active


def test_reset_two_factor(client, dept_admin, it_b):
    TOTPDevice.objects.create(user=it_b, name="Lá Chắn", confirmed=True)
    client.force_login(dept_admin)
    assert "Đang bật" in client.get(reverse("user_detail", args=[it_b.pk])).content.decode()
    assert client.post(reverse("user_reset_2fa", args=[it_b.pk])).status_code == 302
    assert not TOTPDevice.objects.filter(user=it_b).exists()
    assert AuditLog.objects.filter(action="auth.2fa_reset", object_id=str(it_b.pk)).exists()

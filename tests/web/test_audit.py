"""The audit log page: Department administrators only, filters, diff rows, pagination, CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from lachan.audit.services import record
from lachan.org.models import Role


@pytest.fixture
def history(dept_admin, tree):
    from lachan.org.services import save_unit

    save_unit(
        actor=dept_admin,
        code="THPT-A",
        name="Trường THPT Lê Lợi (đổi tên)",
        parent=tree.so,
        type="thpt",
    )
    record(actor=dept_admin, action="auth.login", obj=dept_admin)


@pytest.mark.parametrize(
    "role_unit",
    [(Role.DEPT_SECURITY, "so"), (Role.UNIT_IT, "a"), (Role.UNIT_HEAD, "a"), (Role.LEARNER, "a")],
)
def test_only_department_admins(client, tree, login_as, role_unit):
    role, unit = role_unit
    login_as(role, getattr(tree, unit))
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_export")).status_code == 403


def test_sub_unit_admin_is_not_a_department_admin(client, tree, login_as):
    login_as(Role.DEPT_ADMIN, tree.vp)
    assert client.get(reverse("audit_log")).status_code == 403


def test_audit_log_lists_and_shows_diffs(client, dept_admin, history):
    client.force_login(dept_admin)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nhật ký hệ thống" in body
    assert "Sửa đơn vị" in body and "unit.update" in body
    assert "<details>" in body and "Trường THPT Lê Lợi (đổi tên)" in body
    update = next(r for r in response.context["rows"] if r["entry"].action == "unit.update")
    fields = {name: (old, new) for name, old, new in update["changes"]}
    assert fields["tên đơn vị"] == ("Trường THPT Lê Lợi", "Trường THPT Lê Lợi (đổi tên)")


def test_audit_filters(client, dept_admin, tree, history):
    client.force_login(dept_admin)

    def actions(**params):
        response = client.get(reverse("audit_log"), params)
        assert response.status_code == 200
        return [r["entry"].action for r in response.context["rows"]]

    assert actions(action="auth.login") == ["auth.login"]
    assert set(actions(actor="admin_so")) == {"auth.login", "unit.update"}
    assert actions(object_type="org.unit", unit=tree.a.pk) == ["unit.update", "unit.create"]
    assert "unit.create" in actions(unit=tree.b.pk)
    assert actions(q="đổi tên") == ["unit.update"]
    assert actions(date_from="01/01/2000", date_to="31/12/2000") == []
    assert len(actions(date_from="01/01/2000")) > 5
    # A bad date is reported and ignored, not a crash.
    response = client.get(reverse("audit_log"), {"date_from": "32/13/2025"})
    assert response.status_code == 200
    assert "Nhập ngày theo dạng dd/mm/yyyy." in response.content.decode()


def test_audit_pagination(client, dept_admin, db):
    for i in range(55):
        record(
            actor=dept_admin,
            action="test.bulk",
            object_type="test",
            object_id=str(i),
            object_repr=f"mục {i}",
        )
    client.force_login(dept_admin)
    first = client.get(reverse("audit_log"), {"action": "test.bulk"})
    assert len(first.context["rows"]) == 50
    assert "Trang 1/2" in first.content.decode()
    second = client.get(reverse("audit_log"), {"action": "test.bulk", "page": 2})
    assert len(second.context["rows"]) == 5
    partial = client.get(reverse("audit_log"), {"action": "test.bulk"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()


def test_audit_export_csv_follows_filters(client, dept_admin, history):
    client.force_login(dept_admin)
    response = client.get(reverse("audit_export"), {"action": "unit.update"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "Thời điểm"
    assert len(rows) == 2 and rows[1][3] == "unit.update"
    assert "đổi tên" in rows[1][10]

"""Network pages for each role: list with filters and overlaps, create/edit/delete, import
(dry run then confirm), export, the unit page's section and the sidebar link."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from lachan.assets.models import Network
from lachan.audit.models import AuditLog
from lachan.org.models import Role

from .conftest import A_PREFIX, B_PREFIX

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


# --- list -------------------------------------------------------------------------------------


def test_department_sees_every_network_and_the_overlap_panel(
    client, tree, networks, net, dept_officer
):
    net(tree.a, "14.160.20.128/25", subscriber="Nhánh thuê lại")  # inside B's /24
    client.force_login(dept_officer)
    response = client.get(reverse("network_list"))
    assert response.status_code == 200
    body = text(response)
    for prefix in (A_PREFIX, B_PREFIX, networks["c"].prefix, "14.160.20.128/25"):
        assert prefix in body
    assert "Dải IP chồng lấn giữa các đơn vị" in body
    assert "Ưu tiên: 14.160.20.128/25" in body
    assert "Chồng lấn" in body
    assert 'href="/networks/new/"' in body and 'href="/networks/import/"' in body
    assert "Mạng Internet" in body  # the sidebar link


def test_school_it_officer_sees_only_its_networks_and_no_foreign_overlap(
    client, tree, networks, net, it_a
):
    net(tree.a, "14.160.20.128/25")  # overlaps B's network, which A may not see
    client.force_login(it_a)
    body = text(client.get(reverse("network_list")))
    assert A_PREFIX in body and "14.160.20.128/25" in body
    assert B_PREFIX not in body and "Nguyễn Trãi" not in body and "Viettel" not in body
    assert "chồng lấn giữa các đơn vị" not in body
    assert 'href="/networks/new/"' in body
    for query in ({"unit": tree.b.pk}, {"address": "14.160.20.9"}, {"q": "Nguyễn Trãi"}):
        body = text(client.get(reverse("network_list"), query))
        assert B_PREFIX not in body and "Nguyễn Trãi B" not in body
    assert "0 dải IP" in text(client.get(reverse("network_list"), {"unit": tree.b.pk}))


def test_unit_head_reads_without_edit_links(client, tree, networks, head_a):
    client.force_login(head_a)
    body = text(client.get(reverse("network_list")))
    assert A_PREFIX in body
    assert reverse("network_edit", args=[networks["a"].pk]) not in body
    assert 'href="/networks/new/"' not in body


def test_learner_sees_an_empty_list(client, tree, networks, learner_a):
    client.force_login(learner_a)
    response = client.get(reverse("network_list"))
    assert response.status_code == 200
    assert A_PREFIX not in text(response) and "Chưa có dải IP nào" in text(response)


def test_filters_and_htmx_partial(client, tree, networks, dept_officer):
    client.force_login(dept_officer)
    url = reverse("network_list")
    body = text(client.get(url, {"address": "14.160.20.77"}))
    assert B_PREFIX in body and A_PREFIX not in body
    body = text(client.get(url, {"unit": tree.cum.pk}))
    assert networks["c"].prefix in body and A_PREFIX not in body
    body = text(client.get(url, {"line_type": "ftth", "isp": "VNPT"}))
    assert A_PREFIX in body and B_PREFIX not in body
    body = text(client.get(url, {"active_on": "31/12/2024"}))
    assert B_PREFIX not in body and A_PREFIX in body
    body = text(client.get(url, {"address": "không phải IP"}))
    assert "Không phải địa chỉ IP hay dải IP." in body and A_PREFIX not in body
    partial = client.get(url, {"q": "Lê Lợi"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert text(partial).lstrip().startswith('<section id="network-results"')
    assert "<html" not in text(partial)
    assert "HX-Request" in partial["Vary"]


# --- create, edit, delete ---------------------------------------------------------------------


def test_it_officer_adds_a_network_for_his_unit(client, tree, it_a):
    client.force_login(it_a)
    page = client.get(reverse("network_create"))
    assert page.status_code == 200
    body = text(page)
    assert "Trường THPT Lê Lợi" in body and "Trường THPT Nguyễn Trãi" not in body
    response = client.post(
        reverse("network_create"),
        {
            "unit": tree.a.pk,
            "prefix": "14.160.10.7",
            "isp": "VNPT",
            "subscriber": "THPT Lê Lợi",
            "line_type": "ftth",
            "is_static": "on",
            "valid_from": "01/09/2025",
            "valid_to": "",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('network_list')}?unit={tree.a.pk}"
    network = Network.objects.get()
    assert (network.prefix, network.valid_from) == ("14.160.10.7/32", dt.date(2025, 9, 1))
    assert AuditLog.objects.get(action="network.create").actor == it_a


def test_create_shows_errors_on_the_fields(client, tree, it_a):
    client.force_login(it_a)
    data = {"unit": tree.a.pk, "prefix": "14.160.10.7/24", "line_type": "ftth"}
    data.update(valid_from="02/01/2025", valid_to="01/01/2025")
    response = client.post(reverse("network_create"), data)
    assert response.status_code == 200
    body = text(response)
    assert "Có phải ý bạn là 14.160.10.0/24?" in body
    assert "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu." in body
    assert not Network.objects.exists()


def test_create_for_a_unit_outside_the_scope_is_a_form_error(client, tree, it_a):
    client.force_login(it_a)
    response = client.post(
        reverse("network_create"),
        {"unit": tree.b.pk, "prefix": "14.160.10.0/24", "line_type": "ftth"},
    )
    assert response.status_code == 200
    assert "Nguyễn Trãi" not in text(response)
    assert not Network.objects.exists()


def test_create_warns_about_private_prefixes_and_overlaps(client, tree, networks, dept_officer):
    client.force_login(dept_officer)
    response = client.post(
        reverse("network_create"),
        {"unit": tree.c.pk, "prefix": "14.160.10.0/26", "line_type": "ftth"},
        follow=True,
    )
    body = text(response)
    assert "Đã thêm dải 14.160.10.0/26" in body
    assert "nằm trong dải 14.160.10.0/24 của THPT Lê Lợi (THPT-A)" in body
    response = client.post(
        reverse("network_create"),
        {"unit": tree.c.pk, "prefix": "192.168.10.0/24", "line_type": "ftth"},
        follow=True,
    )
    assert "192.168.10.0/24 là địa chỉ riêng" in text(response)


@pytest.mark.parametrize("who", ["head_a", "learner_a"])
def test_read_only_roles_may_not_create_or_import(request, client, tree, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("network_create")).status_code == 403
    assert client.post(reverse("network_create"), {"unit": tree.a.pk}).status_code == 403
    assert client.get(reverse("network_import")).status_code == 403


def test_edit_and_delete(client, tree, networks, it_a):
    client.force_login(it_a)
    network = networks["a"]
    url = reverse("network_edit", args=[network.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Lịch sử thay đổi" in text(page)
    response = client.post(
        url,
        {
            "unit": tree.a.pk,
            "prefix": A_PREFIX,
            "isp": "VNPT",
            "line_type": "ftth",
            "valid_to": "30/06/2025",
        },
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.valid_to == dt.date(2025, 6, 30) and network.is_static is False
    response = client.post(reverse("network_delete", args=[network.pk]))
    assert response.status_code == 302
    assert not Network.objects.filter(pk=network.pk).exists()


def test_edit_next_goes_back_to_the_unit_page_only_on_this_site(client, tree, networks, it_a):
    client.force_login(it_a)
    url = reverse("network_edit", args=[networks["a"].pk])
    data = {"unit": tree.a.pk, "prefix": A_PREFIX, "line_type": "ftth"}
    back = reverse("unit_detail", args=[tree.a.pk])
    assert client.post(url, {**data, "next": back})["Location"] == back
    assert "evil" not in client.post(url, {**data, "next": "https://evil.example/"})["Location"]


def test_school_a_gets_404_for_school_bs_network(client, networks, it_a, head_a):
    b = networks["b"]
    for user in (it_a, head_a):
        client.force_login(user)
        assert client.get(reverse("network_edit", args=[b.pk])).status_code == 404
        assert client.post(reverse("network_delete", args=[b.pk])).status_code == 404
    assert Network.objects.filter(pk=b.pk).exists()


def test_unit_head_gets_403_for_its_own_units_network(client, networks, head_a):
    client.force_login(head_a)
    a = networks["a"]
    assert client.get(reverse("network_edit", args=[a.pk])).status_code == 403
    assert client.post(reverse("network_delete", args=[a.pk])).status_code == 403
    assert Network.objects.filter(pk=a.pk).exists()


# --- import and export ------------------------------------------------------------------------

CSV = (
    "unit_code,prefix,isp,subscriber,line_type,valid_from,valid_to,note\r\n"
    "THPT-A,14.160.10.0/24,VNPT,Trường THPT Lê Lợi,ftth,,,\r\n"
    "THPT-A,14.160.11.0/24,VNPT,,leased,01/01/2025,,\r\n"
)


def _upload(content: str, name="mang.csv"):
    f = io.BytesIO(content.encode("utf-8"))
    f.name = name
    return f


def test_import_dry_run_then_confirm(client, tree, it_a):
    client.force_login(it_a)
    response = client.post(reverse("network_import"), {"file": _upload(CSV)})
    body = text(response)
    assert response.status_code == 200 and "không có lỗi" in body
    assert not Network.objects.exists()
    payload = response.context["payload"]
    response = client.post(reverse("network_import"), {"payload": payload})
    assert response.status_code == 302
    assert Network.objects.filter(unit=tree.a).count() == 2


def test_import_errors_are_listed_by_row_and_nothing_is_stored(client, tree, it_a):
    client.force_login(it_a)
    bad = CSV + "THPT-B,14.160.20.0/24,,,,,,\r\nTHPT-A,14.160.12.1/24,,,,,,\r\n"
    response = client.post(reverse("network_import"), {"file": _upload(bad)})
    body = text(response)
    assert "có 2 lỗi" in body
    assert "Không tìm thấy đơn vị có mã “THPT-B”." in body
    assert "14.160.12.0/24" in body
    assert "payload" not in response.context or not response.context.get("payload")
    assert not Network.objects.exists()


def test_import_confirmation_is_bound_to_the_user(client, tree, it_a, dept_officer):
    client.force_login(dept_officer)
    payload = client.post(reverse("network_import"), {"file": _upload(CSV)}).context["payload"]
    client.force_login(it_a)
    assert client.post(reverse("network_import"), {"payload": payload}).status_code == 403
    assert client.post(reverse("network_import"), {"payload": "forged"}).status_code == 400
    assert not Network.objects.exists()


def test_export_formats_and_scope(client, tree, networks, it_a, dept_officer):
    client.force_login(dept_officer)
    response = client.get(reverse("network_export"), {"format": "csv", "unit": tree.b.pk})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="mang-don-vi-')
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("unit_code,prefix,isp,subscriber,line_type,valid_from,valid_to,note")
    assert len(lines) == 2 and B_PREFIX in lines[1]
    xlsx = client.get(reverse("network_export"), {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("network_export"), {"format": "pdf"}).status_code == 400
    client.force_login(it_a)
    rows = json.loads(client.get(reverse("network_export"), {"format": "json"}).content)
    assert [r["prefix"] for r in rows] == [A_PREFIX]


# --- the unit page ----------------------------------------------------------------------------


def test_unit_page_lists_the_units_networks(client, tree, networks, it_a, make_user):
    client.force_login(it_a)
    body = text(client.get(reverse("unit_detail", args=[tree.a.pk])))
    assert "Mạng của đơn vị" in body and A_PREFIX in body
    assert f"{reverse('network_create')}?unit={tree.a.pk}" in body
    head = make_user(Role.UNIT_HEAD, tree.a)
    client.force_login(head)
    body = text(client.get(reverse("unit_detail", args=[tree.a.pk])))
    assert A_PREFIX in body and reverse("network_create") not in body
    client.force_login(make_user(Role.DEPT_ADMIN, tree.so))
    body = text(client.get(reverse("unit_detail", args=[tree.cum.pk])))
    assert "Chưa đăng ký dải IP nào cho đơn vị này." in body  # C's network is a level below


def test_history_of_a_network_moved_in_shows_nothing_of_the_former_unit(
    client, tree, networks, dept_officer, it_a
):
    from lachan.assets.services import save_network

    b = networks["b"]  # subscriber "Thuê bao Nguyễn Trãi B", ISP Viettel
    save_network(actor=dept_officer, unit=tree.a, network=b, subscriber="THPT Lê Lợi")
    client.force_login(it_a)
    body = text(client.get(reverse("network_edit", args=[b.pk])))
    assert "Lịch sử thay đổi" in body
    assert "Nguyễn Trãi" not in body and "THPT-B" not in body
    assert "(đơn vị ngoài phạm vi của bạn) → THPT Lê Lợi" in body
    client.force_login(dept_officer)
    body = text(client.get(reverse("network_edit", args=[b.pk])))
    assert "THPT Nguyễn Trãi → THPT Lê Lợi" in body
    assert "Thuê bao Nguyễn Trãi B → THPT Lê Lợi" in body

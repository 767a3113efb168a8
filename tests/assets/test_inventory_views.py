"""The inventory pages: hosts with their filters, a host's software with how each entry was
mapped and its vulnerabilities, information systems, the two-step import and the exports
(which import back unchanged) — and that school A never sees school B's hosts."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from intel import vuln_pages
from intel.vuln_pages import READERS
from lachan.assets.models import Host, Software

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    with vuln_pages.fresh_caches():
        yield


@pytest.fixture
def vworld(tree, make_user, tmp_path):
    return vuln_pages.build_vworld(tree, make_user, tmp_path)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def host(name: str) -> Host:
    return Host.objects.get(name=name)


@pytest.mark.parametrize("role", READERS)
def test_pages_render_for_each_data_role(vworld, role):
    client = client_for(vworld.users[role])
    for url in (
        reverse("host_list"),
        reverse("host_list") + "?exposed=yes&role=server&os=Ubuntu+22.04",
        reverse("host_detail", args=[host("SRV-WEB").pk]),
        reverse("system_list"),
        reverse("system_list") + f"?unit={vworld.tree.a.pk}&q=Cổng",
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_a_learner_is_refused(vworld):
    client = client_for(vworld.users["learner"])
    for url in (
        reverse("host_list"),
        reverse("host_detail", args=[host("SRV-WEB").pk]),
        reverse("system_list"),
        reverse("inventory_import"),
        reverse("inventory_export"),
    ):
        assert client.get(url).status_code == 403, url


def test_school_a_never_sees_school_b_hosts(vworld):
    client = client_for(vworld.users["unit_it"])
    body = text(client.get(reverse("host_list")))
    assert "SRV-WEB" in body and "PC-01" in body and "SRV-B" not in body
    body = text(client.get(reverse("host_list"), {"unit": vworld.tree.b.pk}))
    assert "SRV-B" not in body and "Không có máy nào khớp" in body
    assert client.get(reverse("host_detail", args=[host("SRV-B").pk])).status_code == 404
    department = text(client_for(vworld.users["dept_security"]).get(reverse("host_list")))
    assert "SRV-B" in department


def test_host_filters(vworld):
    client = client_for(vworld.users["dept_admin"])
    url = reverse("host_list")
    exposed = text(client.get(url, {"exposed": "yes"}))
    assert "SRV-WEB" in exposed and "PC-01" in exposed and ">PC-02<" not in exposed
    clean = text(client.get(url, {"exposed": "no"}))
    assert ">PC-02<" in clean and ">SRV-WEB<" not in clean
    by_os = text(client.get(url, {"os": "Windows 10"}))
    assert ">PC-01<" in by_os and ">SRV-WEB<" not in by_os
    system = host("SRV-WEB").system
    by_system = text(client.get(url, {"system": system.pk}))
    assert ">SRV-WEB<" in by_system and ">PC-01<" not in by_system
    by_software = text(client.get(url, {"q": "chrome"}))
    assert ">PC-01<" in by_software and ">SRV-WEB<" not in by_software
    htmx = text(client.get(url, {"q": "SRV"}, headers={"HX-Request": "true"}))
    assert 'id="host-results"' in htmx and "<html" not in htmx


def test_host_page_shows_how_each_entry_was_mapped(vworld):
    client = client_for(vworld.users["unit_it"])
    body = text(client.get(reverse("host_detail", args=[host("SRV-WEB").pk])))
    assert "apache:http_server:2.4.49" in body
    assert "Bảng tên gọi" in body  # "Apache HTTP Server" → apache:http_server by the alias table
    assert "CPE ghi sẵn" in body  # PHP came with its CPE
    assert "Tên gói Debian/Ubuntu" in body and "gói của Debian" in body
    assert "CVE-2021-41773" in body and "CVE-2024-4577" in body
    assert "nâng lên 8.1.29" in body
    assert "Cần xem xét" in body  # the OpenSSH package
    unmapped = text(client.get(reverse("host_detail", args=[host("PC-02").pk])))
    assert "Chưa nhận ra" in unmapped and "row-unmapped" in unmapped
    assert "bảng tên gọi phần mềm" in unmapped


def test_system_list_shows_level_and_internet_facing(vworld):
    from lachan.assets.services import save_system

    system = host("SRV-WEB").system
    save_system(actor=None, unit=system.unit, system=system, security_level=3, internet_facing=True)
    body = text(client_for(vworld.users["unit_head"]).get(reverse("system_list")))
    assert "Cổng thông tin" in body and "Cấp độ 3" in body
    assert f"?system={system.pk}&amp;exposed=yes" in body


# --- import -----------------------------------------------------------------------------------

NEW_FILE = (
    "Mã đơn vị,Tên máy,Hệ điều hành,Nhà phát triển,Phần mềm,Phiên bản,CPE,Hệ thống\r\n"
    "THPT-A,PC-03,Windows 11,,Google Chrome,120.0.6099.71,,\r\n"
    "THPT-A,PC-03,Windows 11,,7-Zip 23.01 (x64),23.01,,\r\n"
)


def test_two_step_import_by_the_schools_it_officer(vworld):
    client = client_for(vworld.users["unit_it"])
    url = reverse("inventory_import")
    upload = SimpleUploadedFile("may-tinh.csv", NEW_FILE.encode("utf-8"))
    response = client.post(url, {"file": upload})
    body = text(response)
    assert response.status_code == 200 and "không có lỗi" in body
    assert not Host.objects.filter(name="PC-03").exists()  # a check stores nothing
    payload = body.split('name="payload" value="')[1].split('"')[0]
    response = client.post(url, {"payload": payload})
    assert response.status_code == 302 and response["Location"] == reverse("host_list")
    assert Software.objects.filter(host__name="PC-03").count() == 2


def test_import_errors_name_row_and_column_and_store_nothing(vworld):
    client = client_for(vworld.users["unit_it"])
    bad = "unit_code,host,os,vendor,product,version,cpe,system\r\nTHPT-A,PC-09,,,,1.0,,\r\n"
    response = client.post(
        reverse("inventory_import"), {"file": SimpleUploadedFile("loi.csv", bad.encode())}
    )
    body = text(response)
    assert "có 1 lỗi" in body and "product" in body
    assert not Host.objects.filter(name="PC-09").exists()


def test_a_school_cannot_import_for_another_school(vworld):
    client = client_for(vworld.users["unit_it"])
    before = list(Software.objects.filter(host__unit=vworld.tree.b).values())

    def attempt(code: str) -> str:
        data = f"unit_code,host,product,version\r\n{code},SRV-X,nginx,1.0\r\n"
        response = client.post(
            reverse("inventory_import"), {"file": SimpleUploadedFile("x.csv", data.encode())}
        )
        body = text(response)
        return body[body.index("<tbody>") : body.index("</tbody>")]

    refused = attempt("THPT-B")
    missing = attempt("KHONG-CO")
    assert refused.replace("THPT-B", "X") == missing.replace("KHONG-CO", "X")
    assert list(Software.objects.filter(host__unit=vworld.tree.b).values()) == before
    head = client_for(vworld.users["unit_head"])
    assert head.get(reverse("inventory_import")).status_code == 403


# --- export -----------------------------------------------------------------------------------


def test_exports_parse_back_and_import_unchanged(vworld):
    from lachan.assets.inventory_import import import_inventory

    client = client_for(vworld.users["unit_it"])
    url = reverse("inventory_export")
    rows = json.loads(client.get(url, {"format": "json"}).content)
    assert {r["unit_code"] for r in rows} == {"THPT-A"}
    assert list(rows[0]) == [
        "unit_code",
        "host",
        "os",
        "vendor",
        "product",
        "version",
        "cpe",
        "system",
    ]
    response = client.get(url, {"format": "csv"})
    assert response["Content-Disposition"].startswith('attachment; filename="danh-muc-phan-mem-')
    parsed = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(parsed) == len(rows)
    again = import_inventory(actor=None, data=response.content, filename="lai.csv", dry_run=True)
    assert again.ok and again.created == 0 and again.unchanged == len(rows)
    xlsx = client.get(url, {"format": "xlsx"}).content
    again = import_inventory(actor=None, data=xlsx, filename="lai.xlsx", dry_run=True)
    assert again.ok and again.unchanged == len(rows)
    mapped = json.loads(client.get(url, {"format": "json", "mapping": "1"}).content)
    assert {"mapping_method", "mapping_rule", "cpe_vendor"} <= set(mapped[0])
    filtered = json.loads(client.get(url, {"format": "json", "q": "chrome"}).content)
    assert {r["host"] for r in filtered} == {"PC-01"}
    department = json.loads(
        client_for(vworld.users["dept_admin"]).get(url, {"format": "json"}).content
    )
    assert "THPT-B" in {r["unit_code"] for r in department}
    assert client.get(url, {"format": "doc"}).status_code == 400

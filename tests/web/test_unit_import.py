"""Unit import (dry run, per-row errors, confirm) and export pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lachan.org.models import Role, Unit

# --- import / export ----------------------------------------------------------------------------

# The importer is written alongside these pages; skip cleanly if it is not there yet.
pytest.importorskip("lachan.org.importers")

HEADER = "code,name,short_name,type,parent_code,address,ward,province,phone,email,it_officer_name,it_officer_phone,it_officer_email,aliases\n"


def _csv(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "don-vi.csv", (HEADER + "\n".join(rows) + "\n").encode("utf-8"), content_type="text/csv"
    )


def test_import_dry_run_then_confirm(client, dept_admin, tree):
    client.force_login(dept_admin)
    assert client.get(reverse("unit_import")).status_code == 200
    upload = _csv(
        "THPT-E,Trường THPT Hoàng Hoa Thám,THPT Hoàng Hoa Thám,thpt,SO,,,,,,,,,HHT",
        "THCS-F,Trường THCS Kim Đồng,,Trường THCS,CUM-1,,,,,,,,,",
        "THPT-A,Trường THPT Lê Lợi,THPT Lê Lợi,thpt,SO,,,,,,Nguyễn Văn An,0912000111,it.a@example.edu.vn,",
    )
    dry = client.post(reverse("unit_import"), {"file": upload})
    assert dry.status_code == 200
    report = dry.context["report"]
    assert report.ok and report.created == 2 and report.updated == 1
    assert not Unit.objects.filter(code="THPT-E").exists()  # nothing stored yet
    payload = dry.context["payload"]
    assert "Xác nhận nhập" in dry.content.decode()

    done = client.post(reverse("unit_import"), {"payload": payload, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("unit_list")
    assert Unit.objects.get(code="THCS-F").parent == tree.cum
    assert Unit.objects.get(code="THPT-E").aliases == ["HHT"]


def test_import_errors_are_listed_per_row(client, dept_admin, tree):
    client.force_login(dept_admin)
    upload = _csv(
        "THPT-E,Trường THPT Hoàng Hoa Thám,,thpt,KHONG-CO,,,,,,,,,",
        "THCS-F,Trường THCS Kim Đồng,,loai-la,SO,,,,,sai-email,,,,",
    )
    response = client.post(reverse("unit_import"), {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.ok and len(report.errors) >= 3
    body = response.content.decode()
    assert "chưa lưu gì" in body and "payload" not in response.context
    rows = {e.row for e in report.errors}
    assert rows == {2, 3}
    assert not Unit.objects.filter(code__in=["THPT-E", "THCS-F"]).exists()


def test_import_confirm_payload_is_signed(client, dept_admin, tree):
    client.force_login(dept_admin)
    response = client.post(reverse("unit_import"), {"payload": "gia-mao", "confirm": "1"})
    assert response.status_code == 400


def test_import_confirm_belongs_to_the_uploader(client, dept_admin, make_user, tree):
    client.force_login(dept_admin)
    dry = client.post(
        reverse("unit_import"), {"file": _csv("THPT-E,Trường THPT E,,thpt,SO,,,,,,,,,")}
    )
    other = make_user(Role.DEPT_ADMIN, tree.so, username="admin2")
    client.force_login(other)
    response = client.post(reverse("unit_import"), {"payload": dry.context["payload"]})
    assert response.status_code == 403
    assert not Unit.objects.filter(code="THPT-E").exists()


def test_unreadable_file_is_reported(client, dept_admin, tree):
    client.force_login(dept_admin)
    upload = SimpleUploadedFile("don-vi.xlsx", b"not really a spreadsheet")
    response = client.post(reverse("unit_import"), {"file": upload})
    assert response.status_code == 200
    assert not response.context["report"].ok


def test_wrong_extension_is_refused(client, dept_admin, tree):
    client.force_login(dept_admin)
    response = client.post(reverse("unit_import"), {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert response.status_code == 200
    assert "Chỉ nhận tệp .csv, .xlsx hoặc .xls." in response.content.decode()


@pytest.mark.parametrize(
    ("fmt", "ctype"),
    [("csv", "text/csv"), ("json", "application/json"), ("xlsx", "application/vnd.openxmlformats")],
)
def test_export_is_scoped(client, it_a, tree, fmt, ctype):
    client.force_login(it_a)
    response = client.get(reverse("unit_export"), {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(ctype)
    assert f".{fmt}" in response["Content-Disposition"]
    if fmt != "xlsx":
        body = response.content.decode("utf-8-sig")
        assert "THPT-A" in body and "THPT-B" not in body


def test_export_rejects_unknown_format(client, it_a):
    client.force_login(it_a)
    assert client.get(reverse("unit_export"), {"format": "pdf"}).status_code == 400

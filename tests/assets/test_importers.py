"""Networks import/export: every error kind with its row, all-or-nothing, re-import
updates, Vietnamese headers, XLSX with a title row, overlaps as warnings, scoping."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata

import openpyxl
import pytest

from lachan.assets.importers import EXPORT_COLUMNS, export_networks, import_networks
from lachan.assets.models import Network
from lachan.audit.models import AuditLog

pytestmark = pytest.mark.django_db

HEADER = ["unit_code", "prefix", "isp", "subscriber", "line_type", "valid_from", "valid_to", "note"]
VI_HEADER = [
    "Mã đơn vị",
    "Dải IP",
    "Nhà mạng",
    "Tên thuê bao",
    "Loại đường truyền",
    "Từ ngày",
    "Đến ngày",
    "Ghi chú",
]


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    return _cp1258(text) if encoding == "cp1258" else text.encode(encoding)


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: a letter cp1258 lacks is its base letter (with
    its vowel marks) followed by the tone mark as a combining character."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in tones))
            out.append((base + "".join(p for p in parts if p in tones)).encode("cp1258"))
    return b"".join(out)


def xlsx_bytes(rows, header=HEADER, title_rows=()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Dải IP"
    for title in title_rows:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(data, filename="mang.csv", actor=None, dry_run=False):
    return import_networks(actor=actor, data=data, filename=filename, dry_run=dry_run)


def errors(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def assert_error(report, row, column, fragment):
    found = [e for e in report.errors if e.row == row and e.column == column]
    assert found, f"no error at row {row}, column {column}: {errors(report)}"
    assert any(fragment in e.message for e in found), errors(report)


GOOD = [
    ["THPT-A", "14.160.10.0/24", "VNPT", "Trường THPT Lê Lợi", "FTTH", "", "", "Đường chính"],
    ["THPT-A", "2402:800:1::/48", "VNPT", "Trường THPT Lê Lợi", "ftth", "01/01/2025", "", ""],
    ["THPT-B", "14.160.20.7", "Viettel", "THPT Nguyễn Trãi", "Kênh thuê riêng", "", "", ""],
    ["THCS-C", "27.72.1.0/28", "Viettel", "", "4G", "01/01/2025", "31/01/2025", "IP động"],
]


def test_imports_every_row_and_audits_each(tree):
    report = run(csv_bytes(GOOD))
    assert report.ok, errors(report)
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    b = Network.objects.get(unit=tree.b)
    assert (b.prefix, b.line_type, b.isp) == ("14.160.20.7/32", "leased", "Viettel")
    c = Network.objects.get(unit=tree.c)
    assert (c.line_type, c.valid_from, c.valid_to) == (
        "mobile",
        dt.date(2025, 1, 1),
        dt.date(2025, 1, 31),
    )
    assert Network.objects.get(prefix="2402:800:1::/48").version == 6
    assert all(n.is_static for n in Network.objects.all())  # the column is optional
    assert AuditLog.objects.filter(action="network.create", actor=None).count() == 4


def test_every_error_kind_with_its_row_and_nothing_stored(tree):
    rows = [
        GOOD[0],  # row 2: fine
        ["KHONG-CO", "14.160.11.0/24", "", "", "", "", "", ""],  # 3: unknown unit
        ["THPT-A", "14.160.12.5/24", "", "", "", "", "", ""],  # 4: host bits
        ["THPT-A", "14.160.13.0/24", "", "", "", "32/13/2025", "", ""],  # 5: bad date
        ["THPT-A", "14.160.14.0/24", "", "", "", "01/02/2025", "01/01/2025", ""],  # 6: to < from
        ["THPT-A", "14.160.15.0/24", "", "", "Cáp đồng", "", "", ""],  # 7: line type
        ["THPT-A", "không phải IP", "", "", "", "", "", ""],  # 8: not a prefix
        ["THPT-A", "", "", "", "", "", "", ""],  # 9: prefix missing
        ["THPT-A", "14.160.10.0/24", "", "", "", "", "", ""],  # 10: same as row 2
    ]
    report = run(csv_bytes(rows))
    assert not report.ok
    assert_error(report, 3, "unit_code", "Không tìm thấy đơn vị có mã “KHONG-CO”")
    assert_error(report, 4, "prefix", "Có phải ý bạn là 14.160.12.0/24?")
    assert_error(report, 5, "valid_from", "Ngày không hợp lệ: “32/13/2025”")
    assert_error(report, 6, "valid_to", "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu")
    assert_error(report, 7, "line_type", "“Cáp đồng” không hợp lệ")
    assert_error(report, 8, "prefix", "“không phải IP” không phải địa chỉ IP")
    assert_error(report, 9, "prefix", "Thiếu giá trị bắt buộc")
    assert_error(report, 10, "prefix", "đã có ở dòng 2")
    assert [e.row for e in report.errors] == sorted(e.row for e in report.errors)
    assert not Network.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="network").exists()
    assert "không có dữ liệu nào được lưu" in report.summary()


def test_units_outside_the_importers_scope_look_unknown_and_read_only_is_refused(
    tree, it_a, head_a
):
    rows = [GOOD[0], GOOD[2]]  # THPT-A, then THPT-B (not visible to A's IT officer)
    report = run(csv_bytes(rows), actor=it_a)
    assert errors(report) == [(3, "unit_code", "Không tìm thấy đơn vị có mã “THPT-B”.")]
    assert not Network.objects.exists()
    report = run(csv_bytes([GOOD[0]]), actor=head_a)
    assert_error(report, 2, "unit_code", "Bạn không có quyền cập nhật mạng của đơn vị “THPT-A”")
    report = run(csv_bytes([GOOD[0]]), actor=it_a)
    assert report.ok and Network.objects.get().unit == tree.a
    assert AuditLog.objects.get(action="network.create").actor == it_a


def test_reimport_updates_by_unit_prefix_and_start(tree):
    assert run(csv_bytes(GOOD)).ok
    changed = [list(r) for r in GOOD]
    changed[0][2] = "VNPT Hà Nội"  # same (unit, prefix, open start): update
    changed[3][6] = "28/02/2025"  # same (unit, prefix, 01/01/2025): update
    changed.append(["THCS-C", "27.72.1.0/28", "Viettel", "", "4G", "01/02/2025", "", ""])  # new
    report = run(csv_bytes(changed))
    assert report.ok, errors(report)
    assert (report.created, report.updated, report.unchanged) == (1, 2, 2)
    assert Network.objects.get(unit=tree.a, prefix="14.160.10.0/24").isp == "VNPT Hà Nội"
    assert Network.objects.filter(unit=tree.c).count() == 2
    assert Network.objects.get(unit=tree.c, valid_from=dt.date(2025, 1, 1)).valid_to == dt.date(
        2025, 2, 28
    )
    # Re-sending the same file changes nothing and audits nothing.
    before = AuditLog.objects.count()
    again = run(csv_bytes(changed))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert AuditLog.objects.count() == before


def test_columns_absent_from_the_file_are_left_alone(tree):
    assert run(csv_bytes(GOOD)).ok
    report = run(csv_bytes([["THPT-A", "14.160.10.0/24", "FPT"]], header=HEADER[:3]))
    assert report.ok and report.updated == 1
    network = Network.objects.get(unit=tree.a, prefix="14.160.10.0/24")
    assert (network.isp, network.subscriber, network.note) == (
        "FPT",
        "Trường THPT Lê Lợi",
        "Đường chính",
    )


def test_dry_run_stores_nothing_but_counts(tree):
    report = run(csv_bytes(GOOD), dry_run=True)
    assert report.ok and report.dry_run and report.created == 4
    assert not Network.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="network").exists()


def test_vietnamese_headers_in_cp1258_and_optional_static_column(tree):
    header = [*VI_HEADER, "IP tĩnh"]
    rows = [
        ["THPT-A", "14.160.10.0/24", "VNPT", "Trường THPT Lê Lợi", "Cáp quang", "", "", "", "tĩnh"],
        ["THCS-C", "27.72.1.9", "Viettel", "", "Di động", "01/01/2025", "", "", "động"],
    ]
    report = run(csv_bytes(rows, header=header, encoding="cp1258"))
    assert report.ok, errors(report)
    c = Network.objects.get(unit=tree.c)
    assert (c.line_type, c.is_static, c.prefix) == ("mobile", False, "27.72.1.9/32")
    assert Network.objects.get(unit=tree.a).line_type == "ftth"


def test_header_synonyms_dia_chi_ip_and_static_errors(tree):
    header = ["Mã đơn vị", "Địa chỉ IP", "Nhà mạng", "Loại IP"]
    report = run(csv_bytes([["THPT-A", "14.160.10.1", "VNPT", "nửa tĩnh"]], header=header))
    assert_error(report, 2, "Loại IP", "“nửa tĩnh” không hợp lệ")


def test_xlsx_with_a_title_row_reports_spreadsheet_row_numbers(tree):
    titles = ["DANH SÁCH DẢI ĐỊA CHỈ IP CỦA CÁC ĐƠN VỊ", ""]
    rows = [
        [
            "THPT-A",
            "14.160.10.0/24",
            "VNPT",
            "Trường THPT Lê Lợi",
            "FTTH",
            dt.date(2025, 1, 1),
            None,
            "",
        ],
        ["THPT-B", "14.160.20.9/24", "Viettel", "", "FTTH", None, None, ""],
    ]
    data = xlsx_bytes(rows, header=VI_HEADER, title_rows=titles)
    report = run(data, filename="mang.xlsx")
    # Title on row 1, an empty row 2, the header on row 3: the bad row is row 5.
    assert errors(report) == [
        (5, "Dải IP", errors(report)[0][2]),
    ]
    assert "14.160.20.0/24" in report.errors[0].message
    rows[1][1] = "14.160.20.0/24"
    report = run(xlsx_bytes(rows, header=VI_HEADER, title_rows=titles), filename="mang.xlsx")
    assert report.ok, errors(report)
    assert Network.objects.get(unit=tree.a).valid_from == dt.date(2025, 1, 1)


def test_overlaps_and_non_public_prefixes_are_warnings_not_errors(tree, net):
    net(tree.b, "14.160.10.0/24", isp="Viettel")
    rows = [
        ["THPT-A", "14.160.10.64/26", "VNPT", "", "ftth", "", "", ""],
        ["THPT-A", "192.168.1.0/24", "", "", "", "", "", "Mạng nội bộ"],
    ]
    report = run(csv_bytes(rows))
    assert report.ok and report.created == 2
    text = "\n".join(report.warnings)
    assert "Dòng 3: 192.168.1.0/24 là địa chỉ riêng" in text
    assert (
        "Dải 14.160.10.64/26 của THPT Lê Lợi (THPT-A) nằm trong dải 14.160.10.0/24 của THPT Nguyễn Trãi (THPT-B)"
        in text
    )
    # The same in a dry run (the warnings are computed before the rollback).
    Network.objects.filter(unit=tree.a).delete()
    dry = run(csv_bytes(rows), dry_run=True)
    assert dry.warnings == report.warnings


def test_overlap_warnings_of_a_school_never_name_another_school(tree, net, it_a):
    net(tree.b, "14.160.10.0/24", subscriber="Thuê bao Nguyễn Trãi")
    report = run(csv_bytes([["THPT-A", "14.160.10.64/26", "", "", "", "", "", ""]]), actor=it_a)
    assert report.ok
    assert not any("THPT-B" in w or "Nguyễn Trãi" in w for w in report.warnings)


def test_file_without_the_required_columns_lists_what_it_found(tree):
    report = run(csv_bytes([["THPT-A", "VNPT"]], header=["Mã đơn vị", "Nhà mạng"]))
    assert not report.ok
    assert report.errors[0].row is None
    assert "Dải IP" in report.errors[0].message


# --- export -----------------------------------------------------------------------------------


def test_export_has_the_import_columns_and_round_trips(tree, networks):
    data = export_networks(user=None, fmt="csv")
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMNS)
    assert tuple(EXPORT_COLUMNS[:8]) == tuple(HEADER)
    assert "THPT-B,14.160.20.0/24,Viettel,Thuê bao Nguyễn Trãi B,leased,01/01/2025,,,1" in lines
    assert "THCS-C,2402:800:3::/48,FPT,,mobile,,,,0" in lines
    # Importing the export back changes nothing.
    report = run(data)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 3)
    xlsx = export_networks(user=None, fmt="xlsx")
    report = run(xlsx, filename="mang.xlsx")
    assert report.ok and report.unchanged == 3, errors(report)
    rows = json.loads(export_networks(user=None, fmt="json"))
    assert rows[0].keys() == set(EXPORT_COLUMNS)
    assert {r["unit_code"]: r["is_static"] for r in rows}["THCS-C"] is False
    report = run(json.dumps(rows).encode(), filename="mang.json")  # not a table format
    assert not report.ok


def test_export_is_scoped_to_the_user(tree, networks, it_a, learner_a):
    rows = json.loads(export_networks(user=it_a, fmt="json"))
    assert [r["unit_code"] for r in rows] == ["THPT-A"]
    assert json.loads(export_networks(user=learner_a, fmt="json")) == []
    assert "Nguyễn Trãi" not in export_networks(user=it_a, fmt="csv").decode("utf-8-sig")

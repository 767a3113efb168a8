"""Units import/export: every error kind with its row, all-or-nothing, updates, formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from lachan.audit.models import AuditLog
from lachan.importing import RowError, export_table
from lachan.org.importers import EXPORT_COLUMNS, export_units, import_units
from lachan.org.models import Role, Unit

HEADER = list(EXPORT_COLUMNS)


def csv_bytes(rows, header=HEADER, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        if isinstance(row, dict):
            row = [row.get(c, "") for c in header]
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def unit(code, name, type_="thpt", parent="", **extra):
    return {"code": code, "name": name, "type": type_, "parent_code": parent, **extra}


def run(data, filename="don_vi.csv", actor=None, dry_run=False):
    return import_units(actor=actor, data=data, filename=filename, dry_run=dry_run)


def errors(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def assert_error(report, row, column, fragment):
    found = [e for e in report.errors if e.row == row and e.column == column]
    assert found, f"no error at row {row}, column {column}: {errors(report)}"
    assert any(fragment in e.message for e in found), errors(report)


PROVINCE = [
    unit(
        "THPT-LL", "Trường THPT Lê Lợi", "Trường THPT", "SO", aliases="THPT Lê Lợi; Trường Lê Lợi"
    ),
    unit("SO", "Sở Giáo dục và Đào tạo", "Sở", "", email="so@example.edu.vn"),
    unit("CUM-HB", "Cụm trường phường Hòa Bình", "khac", "SO"),
    unit("MN-HB", "Trường Mầm non Hòa Bình", "Mầm non", "CUM-HB", ward="Phường Hòa Bình"),
    unit("LC-01", "Trường TH và THCS Hòa Bình", "TH&THCS", "CUM-HB"),
    unit(
        "TT-01",
        "Trung tâm GDNN-GDTX số 1",
        "Trung tâm GDNN - GDTX",
        "SO",
        it_officer_name="Lê Văn Cường",
        it_officer_phone="0905 123 456",
        it_officer_email="cuong@example.edu.vn",
    ),
]


# --- creating -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_a_tree_with_parents_after_children():
    report = run(csv_bytes(PROVINCE))
    assert report.ok, errors(report)
    assert (report.created, report.updated, report.unchanged, report.rows) == (6, 0, 0, 6)
    so = Unit.objects.get(code="SO")
    school = Unit.objects.get(code="THPT-LL")
    kindergarten = Unit.objects.get(code="MN-HB")
    assert school.parent == so and school.type == "thpt"
    assert school.aliases == ["THPT Lê Lợi", "Trường Lê Lợi"]
    assert kindergarten.type == "mn" and kindergarten.depth == 2
    assert kindergarten.path == f"/{so.pk}/{kindergarten.parent_id}/{kindergarten.pk}/"
    assert Unit.objects.get(code="LC-01").type == "pt_nhieu_cap"
    centre = Unit.objects.get(code="TT-01")
    assert (centre.type, centre.it_officer_phone) == ("gdnn_gdtx", "0905 123 456")
    assert "6 thêm mới" in report.summary()


@pytest.mark.django_db
def test_audit_records_every_created_unit():
    run(csv_bytes(PROVINCE))
    records = AuditLog.objects.filter(action="unit.create")
    assert sorted(r.after["code"] for r in records) == sorted(u["code"] for u in PROVINCE)
    assert all(r.actor_label == "hệ thống" and r.unit_id for r in records)


@pytest.mark.django_db
def test_parent_may_already_exist(tree):
    report = run(csv_bytes([unit("THPT-D", "Trường THPT Phan Chu Trinh", "thpt", "SO")]))
    assert report.ok and report.created == 1
    assert Unit.objects.get(code="THPT-D").parent == tree.so


@pytest.mark.django_db
def test_dry_run_reports_but_stores_nothing():
    report = run(csv_bytes(PROVINCE), dry_run=True)
    assert report.ok and report.created == 6 and report.dry_run
    assert "chạy thử" in report.summary()
    assert not Unit.objects.exists()
    assert not AuditLog.objects.exists()


# --- every kind of error, with its row ---------------------------------------------------------


@pytest.mark.django_db
def test_unknown_parent(tree):
    report = run(
        csv_bytes(
            [
                unit("THPT-D", "Trường D", "thpt", "SO"),
                unit("THPT-E", "Trường E", "thpt", "KHONG-CO"),
            ]
        )
    )
    assert errors(report) == [
        (3, "parent_code", "Không tìm thấy đơn vị cấp trên “KHONG-CO” trong tệp và trong hệ thống.")
    ]
    assert not Unit.objects.filter(code__in=["THPT-D", "THPT-E"]).exists()


@pytest.mark.django_db
def test_cycle_within_the_file():
    report = run(
        csv_bytes(
            [
                unit("SO", "Sở", "so"),
                unit("A", "Cụm A", "khac", "B"),
                unit("B", "Cụm B", "khac", "C"),
                unit("C", "Cụm C", "khac", "A"),
                unit("D", "Trường D", "thcs", "C"),
            ]
        )
    )
    assert [(r, c) for r, c, _m in errors(report)] == [
        (3, "parent_code"),
        (4, "parent_code"),
        (5, "parent_code"),
    ]
    assert "A → B → C → A" in report.errors[0].message
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_cycle_formed_with_units_in_the_database(tree):
    # In the database THCS-C is under CUM-1; putting CUM-1 under THCS-C closes a loop.
    report = run(csv_bytes([unit("CUM-1", "Cụm trường phường Hòa Bình", "khac", "THCS-C")]))
    assert_error(report, 2, "parent_code", "CUM-1 → THCS-C → CUM-1")
    tree.cum.refresh_from_db()
    assert tree.cum.parent == tree.so


@pytest.mark.django_db
def test_a_unit_cannot_be_its_own_parent():
    report = run(csv_bytes([unit("A", "Trường A", "thpt", "A")]))
    assert errors(report) == [(2, "parent_code", "Đơn vị cấp trên không được là chính nó.")]


@pytest.mark.django_db
def test_duplicate_code_in_the_file():
    report = run(
        csv_bytes(
            [
                unit("SO", "Sở", "so"),
                unit("A", "Trường A", "thpt", "SO"),
                unit("a", "Trường A (trùng)", "thpt", "SO"),
                unit("A", "Trường A lần nữa", "thpt", "SO"),
            ]
        )
    )
    assert errors(report) == [
        (4, "code", "Mã đơn vị “a” trùng với dòng 3."),
        (5, "code", "Mã đơn vị “A” trùng với dòng 3."),
    ]
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_code_differing_only_in_case_from_a_stored_code(tree):
    report = run(csv_bytes([unit("thpt-a", "Trường THPT Lê Lợi", "thpt", "SO")]))
    assert_error(report, 2, "code", "“THPT-A”")


@pytest.mark.django_db
def test_bad_emails():
    report = run(
        csv_bytes(
            [
                unit("SO", "Sở", "so", email="so@example"),
                unit("A", "Trường A", "thpt", "SO", it_officer_email="an at example.edu.vn"),
                unit("B", "Trường B", "thpt", "SO", email="mailto:b@example.edu.vn"),
            ]
        )
    )
    assert errors(report) == [
        (2, "email", "Địa chỉ thư điện tử không hợp lệ: “so@example”."),
        (3, "it_officer_email", "Địa chỉ thư điện tử không hợp lệ: “an at example.edu.vn”."),
    ]


@pytest.mark.django_db
def test_unknown_type():
    report = run(csv_bytes([unit("A", "Trường A", "Đại học")]))
    assert_error(report, 2, "type", "Loại đơn vị “Đại học” không hợp lệ")
    assert "thpt (Trường THPT)" in report.errors[0].message


@pytest.mark.parametrize(
    "written, expected",
    [
        ("so", "so"),
        ("SỞ GD&ĐT", "so"),
        ("Phòng/ban thuộc Sở", "phong"),
        ("Văn phòng Sở", "phong"),
        ("THPT", "thpt"),
        ("trường thpt", "thpt"),
        ("Trường Trung học phổ thông", "thpt"),
        ("Trường phổ thông nhiều cấp", "pt_nhieu_cap"),
        ("Liên cấp", "pt_nhieu_cap"),
        ("THCS", "thcs"),
        ("Trường Tiểu học", "th"),
        ("TH", "th"),
        ("mầm non", "mn"),
        ("Trung tâm GDNN-GDTX", "gdnn_gdtx"),
        ("GDNN – GDTX", "gdnn_gdtx"),
        ("Khác", "khac"),
    ],
)
@pytest.mark.django_db
def test_type_variants(written, expected):
    report = run(csv_bytes([unit("A", "Đơn vị A", written)]))
    assert report.ok, errors(report)
    assert Unit.objects.get(code="A").type == expected


@pytest.mark.django_db
def test_missing_required_values():
    report = run(
        csv_bytes([unit("", "Trường A", "thpt"), unit("B", "", "thpt"), unit("C", "Trường C", "")])
    )
    assert errors(report) == [
        (2, "code", "Thiếu giá trị bắt buộc."),
        (3, "name", "Thiếu giá trị bắt buộc."),
        (4, "type", "Thiếu giá trị bắt buộc."),
    ]


@pytest.mark.django_db
def test_bad_dates_and_validity_order():
    header = [*HEADER, "valid_from", "valid_to"]
    report = run(
        csv_bytes(
            [
                unit("A", "Trường A", "thpt", valid_from="31/02/2025"),
                unit("B", "Trường B", "thpt", valid_from="01/07/2025", valid_to="30/06/2025"),
                unit(
                    "C",
                    "Trường C",
                    "thpt",
                    valid_from="01/07/2025",
                    valid_to="ngày 31 tháng 12 năm 2030",
                ),
            ],
            header=header,
        )
    )
    assert errors(report) == [
        (2, "valid_from", "Ngày không hợp lệ: “31/02/2025” (hãy ghi theo dạng dd/mm/yyyy)."),
        (3, "valid_to", "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
    ]


@pytest.mark.django_db
def test_values_too_long_for_the_model():
    report = run(csv_bytes([unit("X" * 41, "Trường A", "thpt")]))
    assert [(r, c) for r, c, _m in errors(report)] == [(2, "code")]


@pytest.mark.django_db
def test_errors_name_the_row_and_the_column_as_the_file_writes_it():
    data = csv_bytes([["A", "Trường A", "Đại học"]], header=["Mã đơn vị", "Tên đơn vị", "Loại"])
    report = run(data)
    error = report.errors[0]
    assert (error.row, error.column) == (2, "Loại")
    assert str(error).startswith("Dòng 2, cột “Loại”: Loại đơn vị “Đại học” không hợp lệ")
    assert "1 lỗi" in report.summary()
    assert str(RowError(None, "", "Tệp trống.")) == "Tệp trống."


@pytest.mark.django_db
def test_one_bad_row_stores_nothing(tree):
    before_units, before_audit = Unit.objects.count(), AuditLog.objects.count()
    rows = [unit(f"THPT-{i}", f"Trường THPT số {i}", "thpt", "SO") for i in range(10)]
    rows.append(unit("THPT-B", "Trường THPT Nguyễn Trãi (đổi tên)", "thpt", "SO"))
    rows.append(unit("THPT-X", "Trường X", "thpt", "SO", email="x@"))
    report = run(csv_bytes(rows))
    assert not report.ok
    assert (report.created, report.updated) == (0, 0)
    assert [(e.row, e.column) for e in report.errors] == [(13, "email")]
    assert Unit.objects.count() == before_units
    assert AuditLog.objects.count() == before_audit
    assert Unit.objects.get(code="THPT-B").name == "Trường THPT Nguyễn Trãi"


@pytest.mark.django_db
def test_unknown_successor():
    header = [*HEADER, "successor_code", "is_active"]
    report = run(
        csv_bytes(
            [unit("A", "Trường A", "thpt", successor_code="Z", is_active="không")], header=header
        )
    )
    assert errors(report) == [
        (2, "successor_code", "Không tìm thấy đơn vị kế thừa “Z” trong tệp và trong hệ thống.")
    ]


@pytest.mark.django_db
def test_file_level_errors():
    report = run("Họ tên,Lớp\nAn,10A1\n".encode(), "hoc_sinh.csv")
    assert report.errors[0].row is None
    assert "Không tìm thấy dòng tiêu đề" in report.errors[0].message
    assert "“Họ tên”, “Lớp”" in report.errors[0].message
    assert "“Mã đơn vị”" in report.errors[0].message

    report = run(b"", "trong.csv")
    assert errors(report) == [(None, "", "Tệp trống.")]

    report = run("Mã đơn vị,Tên đơn vị\nA,B\n".encode())
    assert "thiếu cột bắt buộc “Loại đơn vị”" in report.errors[0].message

    report = run(csv_bytes([]))
    assert "không có dòng dữ liệu" in report.errors[0].message


@pytest.mark.django_db
def test_unknown_columns_and_sections_are_reported_as_warnings():
    data = csv_bytes(
        [["A", "Trường A", "thpt", "ghi chú"]], header=["code", "name", "type", "Ghi chú"]
    )
    report = run(data)
    assert report.ok
    assert report.warnings == ["Các cột sau không được nhập vì không nhận ra: “Ghi chú”."]


# --- updating -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reimport_updates_through_save_unit_with_audit(tree):
    data = export_units(user=None, fmt="csv")
    text = data.decode("utf-8-sig").replace(
        "Trường THPT Lê Lợi,THPT Lê Lợi", "Trường THPT Lê Lợi (mới),THPT Lê Lợi"
    )
    report = run(text.encode("utf-8-sig"))
    assert report.ok, errors(report)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    tree.a.refresh_from_db()
    assert tree.a.name == "Trường THPT Lê Lợi (mới)"
    assert tree.a.it_officer_email == "it.a@example.edu.vn"
    record = AuditLog.objects.filter(action="unit.update", object_id=str(tree.a.pk)).get()
    assert record.changes() == [("name", "Trường THPT Lê Lợi", "Trường THPT Lê Lợi (mới)")]


@pytest.mark.django_db
def test_columns_absent_from_the_file_are_left_alone(tree):
    data = csv_bytes([["THPT-A", "Trường THPT Lê Lợi", "thpt"]], header=["code", "name", "type"])
    report = run(data)
    assert (report.updated, report.unchanged) == (0, 1)
    tree.a.refresh_from_db()
    assert (tree.a.parent, tree.a.it_officer_email) == (tree.so, "it.a@example.edu.vn")


@pytest.mark.django_db
def test_moving_a_subtree_rewrites_paths(tree):
    report = run(csv_bytes([unit("CUM-1", "Cụm trường phường Hòa Bình", "khac", "SO-VP")]))
    assert report.ok and report.updated == 1
    tree.c.refresh_from_db()
    assert tree.c.path == f"/{tree.so.pk}/{tree.vp.pk}/{tree.cum.pk}/{tree.c.pk}/"
    assert tree.c.depth == 3


@pytest.mark.django_db
def test_moving_a_unit_under_one_that_moves_in_the_same_file(tree):
    # THCS-C leaves CUM-1 for THPT-A, and CUM-1 moves under THCS-C: no cycle afterwards.
    report = run(
        csv_bytes(
            [
                unit("CUM-1", "Cụm trường phường Hòa Bình", "khac", "THCS-C"),
                unit("THCS-C", "Trường THCS Hòa Bình", "thcs", "THPT-A"),
            ]
        )
    )
    assert report.ok, errors(report)
    tree.cum.refresh_from_db()
    assert tree.cum.path == f"/{tree.so.pk}/{tree.a.pk}/{tree.c.pk}/{tree.cum.pk}/"


@pytest.mark.django_db
def test_successor_validity_and_activity(tree):
    header = [*HEADER, "head_name", "valid_from", "valid_to", "successor_code", "is_active"]
    rows = [
        unit(
            "THPT-B",
            "Trường THPT Nguyễn Trãi",
            "thpt",
            "SO",
            valid_to="30/06/2025",
            successor_code="THPT-M",
            is_active="không",
            head_name="Phạm Văn Dũng",
            it_officer_name="Trần Thị Bình",
            it_officer_email="it.b@example.edu.vn",
            short_name="THPT Nguyễn Trãi",
        ),
        unit(
            "THPT-M",
            "Trường THPT Nguyễn Trãi - Lê Lợi",
            "thpt",
            "SO",
            valid_from="01/07/2025",
            is_active="có",
        ),
    ]
    report = run(csv_bytes(rows, header=header))
    assert report.ok, errors(report)
    assert (report.created, report.updated) == (1, 1)
    tree.b.refresh_from_db()
    merged = Unit.objects.get(code="THPT-M")
    assert (tree.b.successor, tree.b.is_active, tree.b.valid_to) == (
        merged,
        False,
        dt.date(2025, 6, 30),
    )
    assert merged.valid_from == dt.date(2025, 7, 1) and merged.is_active
    assert AuditLog.objects.filter(
        action="unit.update", object_id=str(tree.b.pk), after__successor=merged.pk
    ).exists()

    again = run(csv_bytes(rows, header=header))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_actor_needs_department_admin_over_the_units(tree, make_user):
    it_officer = make_user(Role.UNIT_IT, tree.a)
    report = run(csv_bytes([unit("THPT-A", "Tên mới", "thpt", "SO")]), actor=it_officer)
    assert errors(report) == [(2, "code", "Bạn không có quyền quản lý đơn vị này.")]

    admin = make_user(Role.DEPT_ADMIN, tree.so)
    report = run(
        csv_bytes([unit("THPT-A", "Tên mới", "thpt", "SO"), unit("NEW", "Mới", "thpt", "THPT-A")]),
        actor=admin,
    )
    assert report.ok, errors(report)
    assert AuditLog.objects.filter(action="unit.create", actor=admin).count() == 1


@pytest.mark.django_db
def test_unit_admin_cannot_create_a_top_level_unit(tree, make_user):
    cluster_admin = make_user(Role.DEPT_ADMIN, tree.vp)
    report = run(csv_bytes([unit("NEW", "Mới", "phong", "")]), actor=cluster_admin)
    assert errors(report) == [(2, "code", "Bạn không có quyền quản lý đơn vị này.")]


# --- formats --------------------------------------------------------------------------------

VI_HEADER = [
    "STT",
    "Mã đơn vị",
    "Tên đơn vị",
    "Loại",
    "Mã đơn vị cấp trên",
    "Xã/phường",
    "Email",
    "Cán bộ CNTT",
    "Tên gọi khác",
]
VI_ROWS = [
    [
        "1",
        "THPT-NT",
        "Trường THPT Nguyễn Trãi",
        "Trường THPT",
        "SO",
        "Phường Hải Châu",
        "nt@example.edu.vn",
        "Đặng Thị Hương",
        "THPT Nguyễn Trãi;NT",
    ],
    ["2", "SO", "Sở Giáo dục và Đào tạo", "Sở", "", "", "so@example.edu.vn", "", ""],
]


@pytest.mark.parametrize(
    "encoding, delimiter",
    [("utf-8-sig", ","), ("utf-16", "\t"), ("cp1258", ";")],
    ids=["utf8-bom", "utf16-tab", "windows-1258"],
)
@pytest.mark.django_db
def test_vietnamese_csv_in_office_encodings(encoding, delimiter):
    text = csv_bytes(VI_ROWS, header=VI_HEADER, delimiter=delimiter).decode()
    text = "DANH SÁCH ĐƠN VỊ\r\n" + text
    data = _cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    report = run(data, "danh_sach.csv")
    assert report.ok, errors(report)
    school = Unit.objects.get(code="THPT-NT")
    assert school.name == "Trường THPT Nguyễn Trãi"
    assert (school.ward, school.it_officer_name) == ("Phường Hải Châu", "Đặng Thị Hương")
    assert school.aliases == ["THPT Nguyễn Trãi", "NT"]
    assert school.parent.code == "SO"


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: tone marks as combining characters."""
    import unicodedata

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


@pytest.mark.django_db
def test_xlsx_with_title_rows_and_vietnamese_two_row_header(tree):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Đơn vị"
    ws["A1"] = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    ws["A2"] = "DANH SÁCH ĐƠN VỊ CẬP NHẬT THÁNG 7/2025"
    ws.merge_cells("A2:I2")
    top = [
        "STT",
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại",
        "Mã đơn vị cấp trên",
        "Địa chỉ",
        "Cán bộ CNTT",
        None,
        None,
    ]
    sub = [None, None, None, None, None, None, "Họ tên", "Điện thoại", "Email"]
    for col, (a, b) in enumerate(zip(top, sub, strict=True), start=1):
        ws.cell(row=4, column=col, value=a)
        ws.cell(row=5, column=col, value=b)
    for col in "ABCDEF":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("G4:I4")
    ws.append(
        [
            1,
            "THCS-D",
            "Trường THCS Trần Cao Vân",
            "THCS",
            "CUM-1",
            "12 Lê Duẩn",
            "Võ Minh Đức",
            "0236 3822 111",
            "duc@example.edu.vn",
        ]
    )
    ws.append(
        [
            2,
            "THPT-A",
            "Trường THPT Lê Lợi",
            "Trường THPT",
            "SO",
            "",
            "Nguyễn Văn An",
            "0905000111",
            "it.a@example.edu.vn",
        ]
    )
    buffer = io.BytesIO()
    wb.save(buffer)

    report = run(buffer.getvalue(), "don_vi.xlsx")
    assert report.ok, errors(report)
    assert (report.created, report.updated) == (1, 1)
    school = Unit.objects.get(code="THCS-D")
    assert (school.parent, school.it_officer_phone, school.it_officer_email) == (
        tree.cum,
        "0236 3822 111",
        "duc@example.edu.vn",
    )
    tree.a.refresh_from_db()
    assert tree.a.it_officer_phone == "0905000111"

    ws["D6"] = "Trường ĐH"
    buffer = io.BytesIO()
    wb.save(buffer)
    report = run(buffer.getvalue(), "don_vi.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(6, "Loại")]


# --- exporting ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_json_has_exactly_the_columns_in_tree_order(tree):
    tree.a.aliases = ["THPT Lê Lợi", "Lê Lợi"]
    tree.a.save()
    rows = json.loads(export_units(user=None, fmt="json"))
    assert all(list(r) == HEADER for r in rows)
    codes = [r["code"] for r in rows]
    assert codes.index("SO") == 0 and codes.index("CUM-1") < codes.index("THCS-C")
    lelai = next(r for r in rows if r["code"] == "THPT-A")
    assert lelai["aliases"] == "THPT Lê Lợi;Lê Lợi"
    assert lelai["parent_code"] == "SO" and lelai["type"] == "thpt"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.django_db
def test_export_then_import_changes_nothing(tree, fmt):
    tree.b.aliases = ["THPT Nguyễn Trãi", "=cong thuc"]
    tree.b.phone = "+84 236 3822 000"
    tree.b.save()
    audit_before = AuditLog.objects.count()
    data = export_units(user=None, fmt=fmt)
    report = run(data, f"don_vi.{fmt}")
    assert report.ok, errors(report)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
    assert AuditLog.objects.count() == audit_before


@pytest.mark.django_db
def test_export_is_scoped_to_what_the_user_sees(tree, make_user):
    it_officer = make_user(Role.UNIT_IT, tree.cum)
    rows = json.loads(export_units(user=it_officer, fmt="json"))
    assert [r["code"] for r in rows] == ["CUM-1", "THCS-C"]
    assert json.loads(export_units(user=make_user(Role.LEARNER, tree.a), fmt="json")) == []


@pytest.mark.django_db
def test_export_formats(tree):
    data = export_units(user=None, fmt="csv")
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(HEADER).encode())
    assert "Trường THPT Lê Lợi".encode() in data

    workbook = openpyxl.load_workbook(io.BytesIO(export_units(user=None, fmt="xlsx")))
    sheet = workbook.active
    assert sheet.title == "Đơn vị"
    assert [c.value for c in sheet[1]] == HEADER
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > 20
    with pytest.raises(ValueError):
        export_units(user=None, fmt="pdf")


def test_export_table_guards_formulas_and_keeps_text():
    rows = [
        {
            "a": '=HYPERLINK("x")',
            "b": "0905123456",
            "c": "+84 905 123 456",
            "d": dt.date(2025, 7, 1),
        }
    ]
    text = export_table(rows, ["a", "b", "c", "d"], "csv").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == [
        '\'=HYPERLINK("x")',
        "0905123456",
        "+84 905 123 456",
        "01/07/2025",
    ]
    sheet = openpyxl.load_workbook(
        io.BytesIO(export_table(rows, ["a", "b", "c", "d"], "xlsx"))
    ).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == '=HYPERLINK("x")'
    assert sheet["B2"].value == "0905123456"
    assert sheet["D2"].number_format == "DD/MM/YYYY"
    assert json.loads(export_table(rows, ["a", "d"], "json")) == [
        {"a": '=HYPERLINK("x")', "d": "2025-07-01"}
    ]


@pytest.mark.django_db
def test_unchanged_rows_need_no_right_over_them(tree, make_user):
    office_admin = make_user(Role.DEPT_ADMIN, tree.vp)
    rows = json.loads(export_units(user=None, fmt="json"))
    so = next(r for r in rows if r["code"] == "SO")
    report = run(
        csv_bytes([so, unit("SO-VP-1", "Tổ Văn thư", "phong", "SO-VP")]), actor=office_admin
    )
    assert report.ok, errors(report)
    assert (report.created, report.unchanged) == (1, 1)

    so["name"] = "Sở Giáo dục và Đào tạo (đổi tên)"
    report = run(csv_bytes([so]), actor=office_admin)
    assert errors(report) == [(2, "code", "Bạn không có quyền quản lý đơn vị này.")]


@pytest.mark.django_db
def test_duplicate_code_across_sheets_names_the_sheet():
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "THPT"
    first.append(["Mã đơn vị", "Tên đơn vị", "Loại"])
    first.append(["A", "Trường A", "thpt"])
    second = wb.create_sheet("THCS")
    second.append(["Mã đơn vị", "Tên đơn vị", "Loại"])
    second.append(["B", "Trường B", "thcs"])
    second.append(["A", "Trường A (trùng)", "thcs"])
    buffer = io.BytesIO()
    wb.save(buffer)
    report = run(buffer.getvalue(), "don_vi.xlsx")
    assert [(e.sheet, e.row, e.column, e.message) for e in report.errors] == [
        ("THCS", 3, "Mã đơn vị", "Mã đơn vị “A” trùng với dòng 2 của trang “THPT”.")
    ]
    assert str(report.errors[0]).startswith("Trang “THCS”, dòng 3, cột “Mã đơn vị”: ")


@pytest.mark.django_db
def test_progress_is_reported_for_both_stages():
    from lachan.org.importers import UnitImporter

    seen = []
    rows = [unit("SO", "Sở", "so")] + [
        unit(f"T{i}", f"Trường {i}", "thpt", "SO") for i in range(250)
    ]
    report = UnitImporter(actor=None, progress=lambda *a: seen.append(a)).run(
        csv_bytes(rows), "x.csv"
    )
    assert report.ok
    assert ("validate", 251, 251) in seen and ("apply", 251, 251) in seen
    assert ("validate", 100, 251) in seen


# --- the framework's cell parsers ---------------------------------------------------------------


def test_cell_parsers():
    from lachan.importing import CellError, boolean, choice, split_list, text

    assert text("  Trường   THPT \n Lê Lợi ") == "Trường THPT Lê Lợi"
    assert text("'=SUM(A1)") == "=SUM(A1)"
    assert [
        boolean(v) for v in ("Có", "x", "TRUE", "Đang hoạt động", "không", "0", "Ngừng hoạt động")
    ] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(CellError):
        boolean("có lẽ")
    assert split_list(";")("A; B;;A\nC") == ["A", "B", "C"]
    severity = choice({"high": ["Cao", "Nghiêm trọng"], "low": ["Thấp"]})
    assert (severity("CAO"), severity("nghiem trong"), severity("low")) == ("high", "high", "low")
    with pytest.raises(CellError) as info:
        severity("vừa")
    assert str(info.value) == "Giá trị “vừa” không hợp lệ; dùng một trong: high, low."


def test_report_as_dict():
    from lachan.importing import ImportReport

    report = ImportReport("x.csv", created=2, errors=[])
    assert report.as_dict()["summary"] == "x.csv: đã nhập 2 thêm mới, 0 cập nhật, 0 không đổi."
    report.errors.append(RowError(4, "Loại", "Sai.", sheet="DS"))
    data = report.as_dict()
    assert not data["ok"] and data["errors"] == [
        {"sheet": "DS", "row": 4, "column": "Loại", "message": "Sai."}
    ]

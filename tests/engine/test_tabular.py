"""lachan.engine.tabular: tables as officials send them (encodings, title rows, merges)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import unicodedata

import openpyxl
import pytest

from lachan.engine.tabular import (
    Column,
    ColumnSpec,
    DuplicateColumnError,
    HeaderNotFoundError,
    MissingColumnsError,
    UnreadableFileError,
    column_letter,
    normalize_header,
    parse_date,
    parse_datetime,
    read_table,
)

SPEC = ColumnSpec(
    (
        Column("code", ("Mã đơn vị", "Mã"), required=True),
        Column("name", ("Tên đơn vị", "Tên"), required=True),
        Column("type", ("Loại",)),
        Column("email", ("Email", "Thư điện tử")),
        Column("it_name", ("Cán bộ CNTT Họ tên",)),
        Column("it_email", ("Cán bộ CNTT Email",)),
        Column("since", ("Ngày thành lập",)),
    ),
    ignored=("STT",),
)

ROWS = [
    ("Mã đơn vị", "Tên đơn vị", "Loại", "Email"),
    ("THPT-01", "Trường THPT Nguyễn Trãi", "Trường THPT", "nt@example.edu.vn"),
    ("MN-02", "Trường Mầm non Hoa Sen Ưu Tú", "Mầm non", ""),
    ("TH-03", "Trường Tiểu học Đắk Mil Ẳng Ẵng Ậ", "Tiểu học", "th@example.edu.vn"),
]


def to_cp1258(text: str) -> bytes:
    """Encode as Vietnamese Windows does: base letters precomposed where the code page has
    them (ă â ê ô ơ ư đ), tone marks as separate combining characters.

    Python's cp1258 codec has no composition step: it refuses precomposed "ờ" (U+1EDD) and
    also the fully decomposed "o + horn", so the text is first put into that mixed form.
    """
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in tones))
        marks = "".join(p for p in parts if p in tones)
        out.append((base + marks).encode("cp1258"))
    return b"".join(out)


def csv_text(rows, delimiter=",") -> str:
    return "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"


def values(table):
    return [
        (r.number, r.get("code"), r.get("name"), r.get("type"), r.get("email")) for r in table.rows
    ]


EXPECTED = [
    (2, "THPT-01", "Trường THPT Nguyễn Trãi", "Trường THPT", "nt@example.edu.vn"),
    (3, "MN-02", "Trường Mầm non Hoa Sen Ưu Tú", "Mầm non", ""),
    (4, "TH-03", "Trường Tiểu học Đắk Mil Ẳng Ẵng Ậ", "Tiểu học", "th@example.edu.vn"),
]


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, key",
    [
        ("Mã đơn vị", "madonvi"),
        ("MÃ ĐƠN VỊ (*)", "madonvi"),
        ("  mã_đơn-vị ", "madonvi"),
        ("Địa chỉ IP", "diachiip"),
        ("Thời gian ghi nhận", "thoigianghinhan"),
        ("parent_code", "parentcode"),
        ("E-mail", "email"),
        (unicodedata.normalize("NFD", "Tên đơn vị"), "tendonvi"),
    ],
)
def test_normalize_header_ignores_case_diacritics_spaces_punctuation(label, key):
    assert normalize_header(label).startswith(key)


def test_bracketed_notes_are_ignored_when_matching():
    table = read_table("Mã (bắt buộc),Tên\nA,B\n".encode(), "a.csv", SPEC)
    assert table.rows[0].get("code") == "A"


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_conflicting_synonyms_are_refused():
    with pytest.raises(ValueError):
        ColumnSpec((Column("a", ("Email",)), Column("b", ("E-mail",))))


# --- CSV encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode, encoding",
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: t.encode("utf-8-sig"), "utf-8-sig"),
        (lambda t: t.encode("utf-16"), "utf-16"),  # native order with BOM
        (lambda t: b"\xff\xfe" + t.encode("utf-16-le"), "utf-16"),
        (lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16"),
        (lambda t: t.encode("utf-16-le"), "utf-16-le"),  # no BOM, found from NUL bytes
        (to_cp1258, "cp1258"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16le-bom", "utf16be-bom", "utf16le-nobom", "cp1258"],
)
def test_csv_in_every_encoding_reads_the_same(encode, encoding):
    table = read_table(encode(csv_text(ROWS)), "don_vi.csv", SPEC)
    assert table.format == "csv"
    assert table.encoding == encoding
    assert values(table) == EXPECTED
    for row in table.rows:
        assert unicodedata.is_normalized("NFC", row.get("name"))


def test_cp1258_bytes_carry_combining_tone_marks_and_are_normalised():
    data = to_cp1258(csv_text(ROWS))
    assert b"\xec" in data or b"\xd2" in data  # acute / hook above as separate bytes
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    decoded = data.decode("cp1258")
    assert not unicodedata.is_normalized("NFC", decoded)
    assert read_table(data, "x.csv", SPEC).rows[0].get("name") == "Trường THPT Nguyễn Trãi"


def test_undecodable_bytes_are_an_error():
    with pytest.raises(UnreadableFileError) as info:
        read_table(b"M\xe3,T\x81n\n\x8d\x8e,\x90\n", "x.csv", SPEC)
    assert info.value.reason == "encoding"


def test_explicit_encoding():
    data = csv_text(ROWS).encode("utf-8")
    assert values(read_table(data, "x.csv", SPEC, encoding="utf-8")) == EXPECTED


# --- CSV shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    table = read_table(csv_text(ROWS, delimiter).encode(), "x.csv", SPEC)
    assert table.delimiter == delimiter
    assert values(table) == EXPECTED


def test_excel_sep_hint_line_counts_as_a_row():
    text = "sep=;\r\n" + csv_text(ROWS, ";")
    table = read_table(text.encode(), "x.csv", SPEC)
    assert table.delimiter == ";"
    assert [r.number for r in table.rows] == [3, 4, 5]


def test_title_rows_and_empty_rows_keep_spreadsheet_row_numbers():
    text = (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO,,,\r\n"
        "DANH SÁCH ĐƠN VỊ NĂM 2025,,,\r\n"
        ",,,\r\n" + csv_text(ROWS[:2]) + ",,,\r\n\r\n" + csv_text(ROWS[2:])
    )
    table = read_table(text.encode(), "x.csv", SPEC)
    assert table.headers[0].row == 4
    assert [r.number for r in table.rows] == [5, 8, 9]
    assert all(r.sheet == "" for r in table.rows)


def test_quoted_cells_with_line_breaks_count_as_one_row():
    text = 'Mã,Tên\r\nA,"Trường\r\nhai dòng"\r\nB,"Một, hai"\r\n'
    table = read_table(text.encode(), "x.csv", SPEC)
    assert [(r.number, r.get("name")) for r in table.rows] == [
        (2, "Trường\r\nhai dòng"),
        (3, "Một, hai"),
    ]


def test_best_header_row_wins_over_an_earlier_partial_match():
    text = "Tên,ghi chú\r\nx,y\r\nSTT,Mã,Tên,Loại\r\n1,A,Trường A,THPT\r\n"
    table = read_table(text.encode(), "x.csv", SPEC)
    assert table.headers[0].row == 3
    assert table.rows[0].values == {"code": "A", "name": "Trường A", "type": "THPT"}
    assert table.unknown_columns == ()  # STT is known and ignored


def test_unknown_and_unlabelled_columns_are_listed():
    text = "Mã,Tên,Ghi chú,\r\nA,B,ghi chú nào đó,lạ\r\n"
    table = read_table(text.encode(), "x.csv", SPEC)
    assert table.unknown_columns == ("Ghi chú",)
    assert table.headers[0].unlabelled_data_columns == ("D",)
    assert table.columns == ("code", "name")
    assert table.label("code") == "Mã"
    assert table.cell_ref("name", table.rows[0]) == "B2"


def test_cells_are_trimmed_and_cleaned():
    text = "\ufeffMã,Tên\r\n  A\u200b , Trường\xa0THPT \r\n"
    row = read_table(text.encode(), "x.csv", SPEC).rows[0]
    assert row.values == {"code": "A", "name": "Trường THPT"}


def test_no_matching_header_lists_what_was_found():
    text = "Họ tên,Ngày sinh,Lớp\r\nAn,01/01/2010,10A1\r\n"
    with pytest.raises(HeaderNotFoundError) as info:
        read_table(text.encode(), "hoc_sinh.csv", SPEC)
    assert info.value.found == (("", ("Họ tên", "Ngày sinh", "Lớp")),)
    assert info.value.expected == ("code", "name")
    assert "hoc_sinh.csv" in str(info.value)


def test_missing_required_column():
    with pytest.raises(MissingColumnsError) as info:
        read_table("Mã,Loại\r\nA,THPT\r\n".encode(), "x.csv", SPEC)
    assert info.value.missing == ("name",)
    assert info.value.found == ("Mã", "Loại")
    assert info.value.row == 1


def test_duplicate_column():
    with pytest.raises(DuplicateColumnError) as info:
        read_table("Mã,Tên,Email,Thư điện tử\r\nA,B,c,d\r\n".encode(), "x.csv", SPEC)
    assert info.value.column == "email"
    assert [c.letter for c in info.value.cells] == ["C", "D"]


def test_empty_file():
    for data in (b"", b"  \r\n", "\ufeff".encode("utf-8-sig")):
        with pytest.raises(UnreadableFileError) as info:
            read_table(data, "x.csv", SPEC)
        assert info.value.reason == "empty"


def test_plain_mapping_spec_for_other_tables():
    """The reader is general: a botnet list with Vietnamese headers."""
    text = (
        "DANH SÁCH ĐỊA CHỈ IP NGHI NHIỄM MÃ ĐỘC THÁNG 6/2025\r\n"
        "STT;Địa chỉ IP;Thời gian ghi nhận;Tên mã độc\r\n"
        "1;203.0.113.7;01/06/2025 08:30;Mirai\r\n"
    )
    spec = {"ip": ["Địa chỉ IP", "IP"], "seen": ["Thời gian ghi nhận"], "family": ["Tên mã độc"]}
    table = read_table(to_cp1258(text), "botnet.csv", spec)
    row = table.rows[0]
    assert (row.number, row.get("ip"), row.get("family")) == (3, "203.0.113.7", "Mirai")
    assert parse_datetime(row.get("seen")) == dt.datetime(2025, 6, 1, 8, 30)


def test_results_are_frozen():
    table = read_table(csv_text(ROWS).encode(), "x.csv", SPEC)
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.rows[0].number = 7  # type: ignore[misc]
    with pytest.raises(TypeError):
        table.rows[0].values["code"] = "X"  # type: ignore[index]


# --- spreadsheets ----------------------------------------------------------------------------


def xlsx_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def official_workbook():
    """A sheet as a Department sends it: title, two-row header with merged group labels,
    a "(1) (2) …" numbering row, a section heading, a vertically merged type column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws["A1"] = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    ws["A2"] = "DANH SÁCH ĐƠN VỊ TRỰC THUỘC"
    ws.merge_cells("A2:H2")
    for cell, label in {
        "A4": "STT",
        "B4": "Mã đơn vị",
        "C4": "Tên đơn vị",
        "D4": "Loại",
        "E4": "Cán bộ CNTT",
        "G4": "Ngày thành lập",
        "H4": "Email",
    }.items():
        ws[cell] = label
    for rng in ("A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:F4", "G4:G5", "H4:H5"):
        ws.merge_cells(rng)
    ws["E5"], ws["F5"] = "Họ tên", "Email"
    for i, col in enumerate("ABCDEFGH", start=1):
        ws[f"{col}6"] = f"({i})"
    ws["A7"] = "I. KHỐI TRUNG HỌC PHỔ THÔNG"
    ws.merge_cells("A7:H7")
    ws.append(
        [
            1,
            "THPT-01",
            "Trường THPT Lê Lợi",
            "THPT",
            "Nguyễn Văn An",
            "an@example.edu.vn",
            dt.date(1990, 9, 5),
            "leloi@example.edu.vn",
        ]
    )
    ws.append(
        [
            2,
            "THPT-02",
            "Trường THPT Trần Phú",
            None,
            "Trần Thị Bình",
            None,
            dt.datetime(1995, 1, 2, 0, 0),
            None,
        ]
    )
    ws.merge_cells("D8:D9")
    ws.append([])
    ws.append([3, 1234, "Trường THPT số 3", "THPT", None, None, 33000, None])
    return wb


def test_xlsx_title_rows_two_row_header_merges_and_sections():
    table = read_table(xlsx_bytes(official_workbook()), "don_vi.xlsx", SPEC)
    assert table.format == "xlsx"
    header = table.headers[0]
    assert (header.sheet, header.row) == ("Danh sách", 5)
    assert header.columns["it_name"].label == "Cán bộ CNTT Họ tên"
    assert header.columns["it_email"].letter == "F"
    assert header.columns["email"].letter == "H"
    assert [(r.number, r.sheet) for r in table.rows] == [
        (8, "Danh sách"),
        (9, "Danh sách"),
        (11, "Danh sách"),
    ]
    first, second, third = (r.values for r in table.rows)
    assert first == {
        "code": "THPT-01",
        "name": "Trường THPT Lê Lợi",
        "type": "THPT",
        "it_name": "Nguyễn Văn An",
        "it_email": "an@example.edu.vn",
        "since": "1990-09-05",
        "email": "leloi@example.edu.vn",
    }
    assert second["type"] == "THPT"  # vertically merged cell fills down
    assert second["since"] == "1995-01-02"
    assert third["code"] == "1234"  # a number cell, without ".0"
    assert parse_date(third["since"]) == dt.date(1990, 5, 7)  # a bare Excel serial
    assert [(s.number, s.reason) for s in table.skipped_rows] == [
        (6, "column_numbers"),
        (7, "section"),
    ]
    assert table.skipped_rows[1].text == "I. KHỐI TRUNG HỌC PHỔ THÔNG"


def test_xlsx_cell_types_become_text():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã", "Tên", "Loại", "Email", "Ngày thành lập"])
    ws.append([12.5, True, dt.datetime(2025, 7, 1, 8, 30, 15), 1e20, dt.time(7, 45)])
    row = read_table(xlsx_bytes(wb), "x.xlsx", SPEC).rows[0]
    assert row.values == {
        "code": "12.5",
        "name": "TRUE",
        "type": "2025-07-01 08:30:15",
        "email": "100000000000000000000",
        "since": "07:45:00",
    }


def test_all_sheets_or_one():
    wb = official_workbook()
    guide = wb.create_sheet("Hướng dẫn")
    guide["A1"] = "Điền mỗi đơn vị một dòng."
    wb.create_sheet("Trống")
    other = wb.create_sheet("Phòng GD")
    other.append(["Tên đơn vị", "Mã đơn vị"])
    other.append(["Phòng Tổ chức cán bộ", "SO-TCCB"])
    data = xlsx_bytes(wb)

    table = read_table(data, "x.xlsx", SPEC)
    assert [h.sheet for h in table.headers] == ["Danh sách", "Phòng GD"]
    assert table.skipped_sheets == ("Hướng dẫn",)
    assert table.rows[-1].sheet == "Phòng GD" and table.rows[-1].number == 2
    assert table.rows[-1].values == {"name": "Phòng Tổ chức cán bộ", "code": "SO-TCCB"}

    assert [r.get("code") for r in read_table(data, "x.xlsx", SPEC, sheet="phong gd").rows] == [
        "SO-TCCB"
    ]
    assert len(read_table(data, "x.xlsx", SPEC, sheet=0).rows) == 3
    with pytest.raises(UnreadableFileError) as info:
        read_table(data, "x.xlsx", SPEC, sheet="Không có")
    assert info.value.reason == "sheet_not_found"
    assert "Hướng dẫn" in info.value.sheets
    with pytest.raises(HeaderNotFoundError) as info:
        read_table(data, "x.xlsx", SPEC, sheet="Hướng dẫn")
    assert info.value.found == (("Hướng dẫn", ("Điền mỗi đơn vị một dòng.",)),)


def test_spreadsheet_detected_by_content_not_name():
    wb = openpyxl.Workbook()
    wb.active.append(["Mã", "Tên"])
    wb.active.append(["A", "B"])
    table = read_table(xlsx_bytes(wb), "tai_ve.csv", SPEC)
    assert table.rows[0].values == {"code": "A", "name": "B"}


def test_damaged_spreadsheet():
    with pytest.raises(UnreadableFileError) as info:
        read_table(b"PK\x03\x04not really a zip", "x.xlsx", SPEC)
    assert info.value.reason == "corrupt"


def test_html_table_saved_as_xls():
    html = """<html><head><meta charset="utf-8"></head><body>
    <table border="1">
      <tr><td colspan="3">DANH SÁCH ĐƠN VỊ</td></tr>
      <tr><th rowspan="2">Mã</th><th rowspan="2">Tên</th><th colspan="2">Cán bộ CNTT</th></tr>
      <tr><th>Họ tên</th><th>Email</th></tr>
      <tr><td>A</td><td>Trường &amp; Lớp</td><td>An</td><td>a@x.vn</td></tr>
      <tr><td>B</td><td>Trường<br>B</td><td></td><td></td></tr>
    </table></body></html>"""
    table = read_table(html.encode(), "xuat_tu_cong.xls", SPEC)
    assert table.format == "html"
    assert table.headers[0].row == 3
    assert [(r.number, r.values) for r in table.rows] == [
        (4, {"code": "A", "name": "Trường & Lớp", "it_name": "An", "it_email": "a@x.vn"}),
        (5, {"code": "B", "name": "Trường B", "it_name": "", "it_email": ""}),
    ]


def test_csv_two_row_header_carries_group_label_right():
    text = "Mã,Tên,Cán bộ CNTT,\r\n,,Họ tên,Email\r\nA,B,An,a@x.vn\r\n"
    table = read_table(text.encode(), "x.csv", SPEC)
    assert table.headers[0].row == 2
    assert table.rows[0].values == {"code": "A", "name": "B", "it_name": "An", "it_email": "a@x.vn"}


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("01/07/2025", dt.date(2025, 7, 1)),
        ("1/7/2025", dt.date(2025, 7, 1)),
        ("01-07-2025", dt.date(2025, 7, 1)),
        ("01.07.2025", dt.date(2025, 7, 1)),
        ("1/7/25", dt.date(2025, 7, 1)),
        ("2025-07-01", dt.date(2025, 7, 1)),
        ("2025-07-01 00:00:00", dt.date(2025, 7, 1)),
        ("ngày 01 tháng 7 năm 2025", dt.date(2025, 7, 1)),
        ("Ngày 1 tháng 07 năm 2025", dt.date(2025, 7, 1)),
        ("45839", dt.date(2025, 7, 1)),
        ("45839.0", dt.date(2025, 7, 1)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["", "31/02/2025", "2025", "hôm qua", "01/07/2025 12", "13/13/2025"]
)
def test_parse_date_refuses(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("01/07/2025 08:30", dt.datetime(2025, 7, 1, 8, 30)),
        ("01/07/2025 08:30:15", dt.datetime(2025, 7, 1, 8, 30, 15)),
        ("08:30 01/07/2025", dt.datetime(2025, 7, 1, 8, 30)),
        ("8h30 ngày 01 tháng 7 năm 2025", dt.datetime(2025, 7, 1, 8, 30)),
        ("2025-07-01 08:30:15", dt.datetime(2025, 7, 1, 8, 30, 15)),
        ("2025-07-01T08:30:15Z", dt.datetime(2025, 7, 1, 8, 30, 15, tzinfo=dt.UTC)),
        (
            "01/07/2025 08:30 +07:00",
            dt.datetime(2025, 7, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        ),
        ("01/07/2025", dt.datetime(2025, 7, 1)),
        ("45839.5", dt.datetime(2025, 7, 1, 12, 0)),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["", "25:00 01/07/2025", "01/07/2025 08:30 99", "sáng nay"])
def test_parse_datetime_refuses(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_hidden_sheets_are_read_only_when_chosen():
    wb = openpyxl.Workbook()
    wb.active.append(["Mã", "Tên"])
    wb.active.append(["A", "Trường A"])
    lists = wb.create_sheet("DanhMuc")
    lists.append(["Mã", "Tên"])
    lists.append(["thpt", "Trường THPT"])
    lists.sheet_state = "hidden"
    data = xlsx_bytes(wb)
    assert [r.get("code") for r in read_table(data, "x.xlsx", SPEC).rows] == ["A"]
    assert [r.get("code") for r in read_table(data, "x.xlsx", SPEC, sheet="DanhMuc").rows] == [
        "thpt"
    ]

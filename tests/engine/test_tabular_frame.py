"""lachan.engine.tabular.read_frame: the same rows as read_table, as columns, and the polars
path for large CSV files gives exactly what the row-by-row path gives."""

from __future__ import annotations

import io
import unicodedata

import openpyxl
import pytest

from lachan.engine import tabular
from lachan.engine.tabular import (
    ROW_COLUMN,
    SHEET_COLUMN,
    Column,
    ColumnSpec,
    DuplicateColumnError,
    HeaderNotFoundError,
    MissingColumnsError,
    UnreadableFileError,
    read_frame,
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
    ),
    ignored=("STT",),
)


def slow(data: bytes, filename: str = "t.csv", **kw):
    return read_frame(data, filename, SPEC, fast=False, **kw)


def fast(data: bytes, filename: str = "t.csv", **kw):
    """The polars path, which must have been taken (not fallen back)."""
    spec = SPEC
    table = tabular._fast_csv_frame(data, filename, spec, kw.get("encoding"))
    assert table is not None, "the fast path fell back"
    return table


def same(a, b) -> None:
    assert a.frame.rows() == b.frame.rows()
    assert a.frame.columns == b.frame.columns
    assert a.headers == b.headers
    assert a.skipped_rows == b.skipped_rows
    assert a.skipped_sheets == b.skipped_sheets
    assert (a.format, a.encoding, a.delimiter) == (b.format, b.encoding, b.delimiter)


def csv_bytes(rows, delimiter=",", encoding="utf-8", newline="\r\n") -> bytes:
    return (newline.join(delimiter.join(r) for r in rows) + newline).encode(encoding)


ROWS = [
    ("STT", "Mã đơn vị", "Tên đơn vị", "Loại", "Email"),
    ("1", "THPT-01", "Trường THPT Nguyễn Trãi", "Trường THPT", "nt@example.edu.vn"),
    ("2", "MN-02", "Trường Mầm non Hoa Sen Ưu Tú", "Mầm non", ""),
    ("3", "TH-03", "Trường Tiểu học Đắk Mil", "Tiểu học", "th@example.edu.vn"),
]


def test_frame_has_row_numbers_sheet_and_canonical_columns():
    table = slow(csv_bytes(ROWS))
    assert table.frame.columns == [ROW_COLUMN, SHEET_COLUMN, "code", "name", "type", "email"]
    assert table.frame[ROW_COLUMN].to_list() == [2, 3, 4]
    assert table.frame["email"].to_list() == ["nt@example.edu.vn", "", "th@example.edu.vn"]
    assert table.columns == ("code", "name", "type", "email")
    assert table.label("code") == "Mã đơn vị"


@pytest.mark.parametrize(
    "data",
    [
        csv_bytes(ROWS),
        csv_bytes(ROWS, newline="\n"),
        csv_bytes(ROWS, encoding="utf-8-sig"),
        csv_bytes(ROWS, encoding="utf-16"),
        csv_bytes(ROWS, encoding="utf-16-le"),
        csv_bytes(ROWS, delimiter=";"),
        csv_bytes(ROWS, delimiter="\t"),
        b"sep=;\r\n" + csv_bytes(ROWS, delimiter=";"),
        # Windows-1258 with tone marks as combining characters, NFC-normalised on reading.
        unicodedata.normalize("NFD", csv_bytes(ROWS).decode()).encode("utf-8"),
        "Ma don vi,Ten don vi\r\nA,Tr\u00ea\u0300n\r\n".encode("cp1258"),
        # Title rows, blank rows, ragged rows, quoted cells with newlines and delimiters.
        csv_bytes(
            [
                ("DANH SÁCH ĐƠN VỊ",),
                ("",),
                *ROWS[:2],
                ("",),
                ("",),
                ("4", "X-4", '"Tên, có dấu phẩy"', "", '"a\nb"'),
                ("5", "X-5"),
                (",,,",),
                ("6", "  X-6\u00a0", "\u200bTên\u200b", "", ""),
            ]
        ),
        # A column-numbering row under the header, and a two-row header.
        csv_bytes([ROWS[0], ("(1)", "(2)", "(3)", "(4)", "(5)"), *ROWS[1:]]),
        csv_bytes(
            [
                ("Mã đơn vị", "Tên đơn vị", "Cán bộ CNTT", ""),
                ("", "", "Họ tên", "Email"),
                ("A", "B", "Chu Văn An", "a@example.edu.vn"),
            ]
        ),
        # Data in a column without a label.
        csv_bytes([("Mã", "Tên", ""), ("A", "B", "lạ"), ("C", "D", "")]),
        # Escaped quotes.
        b'Ma,Ten\r\nA,"say ""hi"""\r\n',
    ],
)
def test_fast_path_equals_row_by_row(data):
    same(fast(data), slow(data))


def test_fast_path_is_chosen_for_large_files_and_matches():
    body = [("STT", "Mã đơn vị", "Tên đơn vị", "Loại", "Email")]
    body += [(str(i), f"U-{i}", f"Trường số {i}", "THPT", "") for i in range(40_000)]
    data = csv_bytes(body)
    assert len(data) > tabular.FAST_CSV_BYTES
    table = read_frame(data, "big.csv", SPEC)
    same(table, slow(data))
    assert table.frame.height == 40_000
    assert table.frame[ROW_COLUMN][-1] == 40_001


def test_large_title_prefix_still_finds_the_header():
    rows = [("Báo cáo",), ("",)] + list(ROWS) * 20_000
    data = csv_bytes(rows)
    assert len(data) > tabular.FAST_CSV_BYTES
    same(read_frame(data, "big.csv", SPEC), slow(data))


@pytest.mark.parametrize(
    "data",
    [
        b'Ma,Ten\r\nA,ab"c\r\nB,x\r\n',  # a quote inside a field is literal for csv
        b"Ma,Ten\r\nA,B\rC,D\r\n",  # a bare CR ends a line
        b'Ma,Ten\r\nA,"unterminated\r\n',
    ],
)
def test_what_polars_reads_differently_falls_back(data):
    assert tabular._fast_csv_frame(data, "t.csv", SPEC, None) is None
    same(read_frame(data, "t.csv", SPEC, fast=True), slow(data))


def test_long_first_rows_make_the_header_search_read_further():
    rows = [("Mã", "Tên")] + [(f"L{i}", "x" * 4000) for i in range(40)]
    rows += [(f"A{i}", "Truong") for i in range(100_000)]
    data = csv_bytes(rows)
    assert tabular._fast_csv_frame(data, "t.csv", SPEC, None) is not None
    same(read_frame(data, "t.csv", SPEC), slow(data))


def test_a_row_wider_than_the_first_megabyte_falls_back():
    rows = [("Ma", "Ten")] + [(f"A{i}", "Truong") for i in range(100_000)] + [("Z", "B", "extra")]
    data = csv_bytes(rows)
    assert tabular._fast_csv_frame(data, "t.csv", SPEC, None) is None
    table = read_frame(data, "t.csv", SPEC)
    assert table.headers[0].unlabelled_data_columns == ("C",)
    assert table.frame.height == 100_001


def test_invalid_utf8_late_in_a_large_file_is_read_as_windows_1258():
    rows = [("Ma", "Ten")] + [(f"A{i}", "Truong") for i in range(100_000)]
    text = "\r\n".join(",".join(r) for r in rows) + "\r\nZ,Tr\u00ea\u0300n\r\n"
    data = text.encode("cp1258")
    # The prefix is ASCII-only up to here: valid UTF-8; the end is not.
    table = read_frame(data, "big.csv", SPEC)
    assert table.encoding == "cp1258"
    assert table.frame["name"][-1] == "Trền"
    same(table, slow(data))


@pytest.mark.parametrize(
    "data, error",
    [
        (b"Foo,Bar\r\n1,2\r\n", HeaderNotFoundError),
        (b"Ma,Ma don vi,Ten\r\n1,2,3\r\n", DuplicateColumnError),
        (b"Ma,Loai\r\n1,2\r\n", MissingColumnsError),
        (b",,\r\n,,\r\n", UnreadableFileError),
    ],
)
def test_errors_are_the_same(data, error):
    with pytest.raises(error) as slow_error:
        slow(data)
    with pytest.raises(error) as fast_error:
        read_frame(data, "t.csv", SPEC, fast=True)
    assert str(fast_error.value) == str(slow_error.value)


def test_spreadsheets_go_through_read_table():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Trường"
    ws.append(["DANH SÁCH"])
    ws.merge_cells("A1:D1")
    for row in ROWS:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    table = read_frame(buf.getvalue(), "u.xlsx", SPEC)
    rows = read_table(buf.getvalue(), "u.xlsx", SPEC).rows
    assert table.frame[ROW_COLUMN].to_list() == [r.number for r in rows] == [3, 4, 5]
    assert table.frame[SHEET_COLUMN].to_list() == ["Trường"] * 3
    assert table.format == "xlsx"

"""lachan.engine.botnet: botnet lists as they really arrive, and attribution to units.

Addresses are from the documentation ranges (read with ``allow_documentation=True``) or, in
the shared-data test, public C&C servers from open blocklists: never real subscribers.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import polars as pl
import pytest

from lachan.engine import botnet
from lachan.engine.botnet import (
    BotnetFileError,
    BotnetRow,
    attribute,
    month_period,
    parse_period,
    parse_times,
    read_botnet_list,
    read_networks,
    read_units,
)
from lachan.engine.ipindex import PrefixIndex, PrefixRecord
from lachan.engine.names import NameMatcher, UnitName
from lachan.engine.tabular import parse_datetime

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
JULY = month_period(2025, 7)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HCM)


def read(data: bytes, filename: str = "list.csv", **kw):
    kw.setdefault("allow_documentation", True)
    return read_botnet_list(data, filename, **kw)


def to_cp1258(text: str) -> bytes:
    """Encode as Vietnamese Windows does: base letters precomposed where the code page has
    them, tone marks as separate combining characters."""
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


def xlsx(*sheets: tuple[str, list[list[object]]], merges: dict[str, list[str]] | None = None):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(title, []):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["STT", "Địa chỉ IP", "Thời gian ghi nhận", "Tên mã độc", "Nhà mạng", "Tên thuê bao"]
ROWS = [
    ["1", "203.0.113.10", "05/07/2025 08:30", "Mirai", "VNPT", "Trường THPT Ngô Quyền"],
    ["2", "198.51.100.20", "06/07/2025 14:05:09", "Gafgyt", "Viettel", "Trường THCS Lê Lợi"],
    ["3", "2001:db8:1::7", "2025-07-07T10:00:00+07:00", "Mozi", "FPT", "Trung tâm GDNN-GDTX"],
]
EXPECTED = [
    (2, "203.0.113.10", at(2025, 7, 5, 8, 30), "Mirai", "VNPT", "Trường THPT Ngô Quyền"),
    (3, "198.51.100.20", at(2025, 7, 6, 14, 5, 9), "Gafgyt", "Viettel", "Trường THCS Lê Lợi"),
    (4, "2001:db8:1::7", at(2025, 7, 7, 10, 0), "Mozi", "FPT", "Trung tâm GDNN-GDTX"),
]


def summary(result):
    return [(r.row, r.ip, r.seen_at, r.malware, r.isp, r.subscriber) for r in result.rows]


def csv_text(rows, delimiter=",") -> str:
    return "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"


# --- formats and headers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: t.encode("utf-8-sig"),
        to_cp1258,
        lambda t: t.encode("utf-16"),
        lambda t: t.encode("utf-16-le"),
        lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1258", "utf-16", "utf-16-le-no-bom", "utf-16-be"],
)
def test_csv_in_every_encoding(encode):
    result = read(encode(csv_text([HEADER, *ROWS])))
    assert summary(result) == EXPECTED
    assert result.rejected == [] and result.duplicates == 0


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_with_other_delimiters(delimiter):
    assert summary(read(csv_text([HEADER, *ROWS], delimiter).encode())) == EXPECTED


def test_excel_sep_line_keeps_row_numbers():
    data = ("sep=;\r\n" + csv_text([HEADER, *ROWS], ";")).encode()
    assert [r.row for r in read(data).rows] == [3, 4, 5]


def test_xlsx_with_title_rows_merged_title_and_empty_rows():
    rows = [
        ["SỞ KHOA HỌC VÀ CÔNG NGHỆ"],
        ["DANH SÁCH ĐỊA CHỈ IP NGHI NHIỄM MÃ ĐỘC THÁNG 7/2025"],
        [],
        HEADER,
        ROWS[0],
        [],
        ROWS[1],
        [None] * 6,
        ROWS[2],
    ]
    data = xlsx(("Danh sách", rows), merges={"Danh sách": ["A1:F1", "A2:F2"]})
    result = read(data, "list.xlsx")
    assert [r.row for r in result.rows] == [5, 7, 9]
    assert [r.sheet for r in result.rows] == ["Danh sách"] * 3
    assert [r.ip for r in result.rows] == [e[1] for e in EXPECTED]
    assert result.headers[0].row == 4


def test_xlsx_merged_header_over_two_rows_with_first_and_last_seen():
    rows = [
        ["STT", "Địa chỉ IP", "Thời gian", None, "Botnet", "Đơn vị"],
        [None, None, "First seen", "Last seen", None, None],
        [1, "203.0.113.10", "01/07/2025 08:00", "03/07/2025 09:00", "Mirai", "THPT Ngô Quyền"],
    ]
    merges = {"L": ["A1:A2", "B1:B2", "C1:D1", "E1:E2", "F1:F2"]}
    result = read(xlsx(("L", rows), merges=merges), "list.xlsx")
    (row,) = result.rows
    assert row.row == 3
    assert row.first_seen == at(2025, 7, 1, 8, 0)
    assert row.last_seen == at(2025, 7, 3, 9, 0)
    assert row.seen_at == row.last_seen  # no single time: the latest sighting
    assert (row.malware, row.subscriber) == ("Mirai", "THPT Ngô Quyền")


def test_xlsx_several_sheets_each_with_its_own_header_and_a_sheet_without_ip_column():
    data = xlsx(
        ("VNPT", [["Danh sách VNPT"], HEADER, ROWS[0], ROWS[1]]),
        ("Hướng dẫn", [["Cách xử lý"], ["Cô lập máy", "Quét mã độc"]]),
        ("Viettel", [["IP", "Timestamp", "Malware"], ["198.51.100.99", "2025-07-02", "Emotet"]]),
    )
    result = read(data, "list.xlsx")
    assert [(r.sheet, r.row, r.ip) for r in result.rows] == [
        ("VNPT", 3, "203.0.113.10"),
        ("VNPT", 4, "198.51.100.20"),
        ("Viettel", 2, "198.51.100.99"),
    ]
    assert result.rows[2].seen_at == at(2025, 7, 2)
    assert any("Hướng dẫn" in w for w in result.warnings)


def test_xlsx_date_cells_and_excel_serial_numbers():
    rows = [
        ["Địa chỉ IP", "Thời điểm phát hiện"],
        ["203.0.113.1", dt.datetime(2025, 7, 3, 9, 15)],
        ["203.0.113.2", 45841.5],  # 2025-07-03 12:00
        ["203.0.113.3", "45841.25"],
    ]
    result = read(xlsx(("S", rows)), "list.xlsx")
    assert [r.seen_at for r in result.rows] == [
        at(2025, 7, 3, 9, 15),
        at(2025, 7, 3, 12, 0),
        at(2025, 7, 3, 6, 0),
    ]


@pytest.mark.parametrize(
    "header",
    [
        ["IP address", "First seen", "Malware", "ISP", "Subscriber", "Address", "Port", "C2"],
        ["IP", "Timestamp", "Botnet", "ISP", "Customer", "Location", "Port", "C&C"],
        ["Địa chỉ IP nhiễm", "Thời điểm", "Loại mã độc", "Nhà cung cấp", "Chủ thuê bao",
         "Địa chỉ lắp đặt", "Cổng", "Máy chủ điều khiển"],
        ["ip bị nhiễm", "THOI GIAN GHI NHAN", "ho ma doc", "nha mang", "ten khach hang",
         "dia chi", "cong", "c2"],
    ],
)  # fmt: skip
def test_vietnamese_and_english_headers(header):
    row = ["203.0.113.9", "2025-07-04 10:00", "Mirai", "VNPT", "Trường MN Hoa Sen", "Phường Hòa Bình", "23", "198.51.100.1"]  # fmt: skip
    result = read(csv_text([header, row]).encode())
    (r,) = result.rows
    assert (r.ip, r.malware, r.isp, r.subscriber, r.address, r.port, r.c2) == (
        "203.0.113.9", "Mirai", "VNPT", "Trường MN Hoa Sen", "Phường Hòa Bình", "23", "198.51.100.1",
    )  # fmt: skip
    assert (r.first_seen or r.seen_at) == at(2025, 7, 4, 10)


def test_raw_keeps_the_cells_as_written():
    data = csv_text(["Địa chỉ IP,Thời gian,Số lần,Nguồn".split(","),
                     ["::ffff:203.0.113.5", "05/07/2025 8h30", "12", "NCSC"]]).encode()  # fmt: skip
    (row,) = read(data).rows
    assert row.ip == "203.0.113.5"
    assert row.seen_at == at(2025, 7, 5, 8, 30)
    assert row.raw == {
        "ip": "::ffff:203.0.113.5",
        "seen_at": "05/07/2025 8h30",
        "count": "12",
        "source": "NCSC",
    }


def test_raw_stays_aligned_after_rejected_and_duplicate_rows():
    data = csv_text(
        [
            ["IP", "Thời gian", "Cổng", "Tên mã độc"],
            ["10.0.0.1", "01/07/2025", "1", "a"],  # rejected
            ["203.0.113.1:8080", "2025-07-01", "", "b"],
            ["203.0.113.1:8080", "2025-07-01", "", "b"],  # duplicate
            ["bad", "", "", "c"],  # rejected
            ["203.0.113.2", "02/07/2025", "23", "d"],
        ]
    ).encode()
    result = read(data)
    assert [(r.row, r.ip, r.port, r.malware) for r in result.rows] == [
        (3, "203.0.113.1", "8080", "b"),
        (6, "203.0.113.2", "23", "d"),
    ]
    assert [dict(r.raw) for r in result.rows] == [
        {"ip": "203.0.113.1:8080", "seen_at": "2025-07-01", "port": "", "malware": "b"},
        {"ip": "203.0.113.2", "seen_at": "02/07/2025", "port": "23", "malware": "d"},
    ]
    assert len(result) == len(result.addresses) == 2


# --- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("203.0.113.5", "203.0.113.5"),
        (" 203.0.113.5 ", "203.0.113.5"),
        ("203.0.113. 5", "203.0.113.5"),
        ("203.0.113[.]5", "203.0.113.5"),
        ("203[.]0[.]113[.]5", "203.0.113.5"),
        ("203[DOT]0(dot)113(.)5", "203.0.113.5"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("::FFFF:CB00:7105", "203.0.113.5"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    ],
)
def test_addresses_are_normalised(written, canonical):
    (row,) = read(csv_text([["IP"], [f'"{written}"']]).encode()).rows
    assert row.ip == canonical


def test_ipv6_text_by_columns_equals_ipaddress():
    import ipaddress
    import random

    rng = random.Random(5952)
    values = [0, 1, (1 << 128) - 1, 0x20010DB8 << 96, 0x20010DB8000000010000000000000001]
    for _ in range(5000):
        groups = [
            rng.choice([0, 0, 0, rng.randrange(1 << 16), rng.randrange(16)]) for _ in range(8)
        ]
        values.append(int("".join(f"{g:04x}" for g in groups), 16))
    hi = np.array([v >> 64 for v in values], np.uint64)
    lo = np.array([v & ((1 << 64) - 1) for v in values], np.uint64)
    assert botnet._ipv6_texts(hi, lo).to_list() == [str(ipaddress.IPv6Address(v)) for v in values]


def test_address_with_port_gives_the_port_when_the_row_has_none():
    data = csv_text([["IP", "Port"], ["203.0.113.5:8080", ""], ["203.0.113.6:22", "2323"]])
    rows = read(data.encode()).rows
    assert [(r.ip, r.port) for r in rows] == [("203.0.113.5", "8080"), ("203.0.113.6", "2323")]


def test_ipv6_rows_attribute_to_ipv6_prefixes():
    data = csv_text([["IP"], ["2001:db8:ab::1"], ["2001:db8:ab:cd::1"], ["2001:db8:ff::1"]])
    index = PrefixIndex.build(
        [PrefixRecord("2001:db8:ab::/48", "THPT-A"), PrefixRecord("2001:db8:ab:cd::/64", "MN-B")]
    )
    result = attribute(read(data.encode()), index=index)
    assert [(a.unit_code, a.prefix) for a in result] == [
        ("THPT-A", "2001:db8:ab::/48"),
        ("MN-B", "2001:db8:ab:cd::/64"),
        (None, None),
    ]


# --- rejected rows --------------------------------------------------------------------------


def test_rejected_rows_have_spreadsheet_row_numbers_and_vietnamese_reasons():
    rows = [
        ["DANH SÁCH IP BOTNET"],
        ["Tháng 7/2025"],
        HEADER,
        ["1", "203.0.113.10", "05/07/2025 08:30", "Mirai", "VNPT", "A"],  # row 4: kept
        ["2", "10.1.2.3", "05/07/2025 08:30", "Mirai", "VNPT", "B"],  # row 5: private
        ["3", "127.0.0.1", "", "", "", ""],  # row 6: loopback
        ["4", "not-an-ip", "", "", "", ""],  # row 7: invalid
        [],  # row 8: empty, skipped
        ["5", "", "05/07/2025", "Mirai", "", "C"],  # row 9: no address
        ["6", "224.0.0.5", "", "", "", ""],  # row 10: multicast
        ["7", "169.254.1.1", "", "", "", ""],  # row 11: link-local
        ["8", "0.0.0.0", "", "", "", ""],  # row 12: unspecified
        ["9", "240.0.0.1", "", "", "", ""],  # row 13: reserved
        ["10", "fd00::1", "", "", "", ""],  # row 14: private IPv6
        ["11", "203.0.113.11", "32/07/2025 08:30", "", "", ""],  # row 15: bad time
        ["12", "198.51.100.1", "05/07/2025 25:00", "", "", ""],  # row 16: bad time
        ["13", "198.51.100.2", "05/07/2025 09:00", "", "", ""],  # row 17: kept
    ]
    result = read(xlsx(("Sheet1", rows), merges={"Sheet1": ["A1:F1"]}), "list.xlsx")
    assert [r.row for r in result.rows] == [4, 17]
    reasons = {r.row: r.reason for r in result.rejected}
    assert list(reasons) == [5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16]
    assert "10.1.2.3" in reasons[5] and "mạng riêng" in reasons[5]
    assert "loopback" in reasons[6]
    assert "không hợp lệ" in reasons[7] and "not-an-ip" in reasons[7]
    assert "Thiếu địa chỉ IP" in reasons[9] and "Địa chỉ IP" in reasons[9]
    assert "multicast" in reasons[10]
    assert "link-local" in reasons[11]
    assert "không xác định" in reasons[12]
    assert "dành riêng" in reasons[13]
    assert "mạng riêng" in reasons[14]
    assert "Thời gian ghi nhận" in reasons[15] and "32/07/2025 08:30" in reasons[15]
    assert "25:00" in reasons[16]
    assert all(r.sheet == "Sheet1" for r in result.rejected)
    assert result.rows_read == 13


def test_documentation_ranges_are_reserved_unless_allowed():
    data = csv_text([["IP"], ["203.0.113.5"], ["2001:db8::5"]]).encode()
    strict = read_botnet_list(data, "l.csv")
    assert strict.rows == []
    assert all("dành riêng" in r.reason for r in strict.rejected)
    assert len(read_botnet_list(data, "l.csv", allow_documentation=True).rows) == 2


def test_rejected_row_numbers_in_csv_count_title_and_blank_lines():
    text = "Danh sách IP\r\n\r\nIP,Thời gian\r\n203.0.113.1,\r\n\r\n192.168.1.1,\r\n"
    result = read(text.encode())
    assert [r.row for r in result.rows] == [4]
    assert [r.row for r in result.rejected] == [6]


# --- duplicates -----------------------------------------------------------------------------


def test_identical_rows_are_counted_once():
    row = ["1", "203.0.113.10", "05/07/2025 08:30", "Mirai", "VNPT", "A"]
    same_but_stt = ["2", *row[1:]]
    other_time = ["3", "203.0.113.10", "05/07/2025 08:31", "Mirai", "VNPT", "A"]
    same_moment_iso = ["4", "203.0.113.10", "2025-07-05T01:30:00Z", "Mirai", "VNPT", "A"]
    result = read(csv_text([HEADER, row, same_but_stt, other_time, same_moment_iso]).encode())
    assert [r.row for r in result.rows] == [2, 4]
    assert result.duplicates == 2


def test_rows_differing_in_port_or_subscriber_are_not_duplicates():
    header = ["IP", "Port", "Tên thuê bao"]
    rows = [["203.0.113.10", "23", "A"], ["203.0.113.10", "2323", "A"], ["203.0.113.10", "23", "B"]]
    result = read(csv_text([header, *rows]).encode())
    assert len(result.rows) == 3 and result.duplicates == 0


# --- times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("05/07/2025 08:30", at(2025, 7, 5, 8, 30)),
        ("5/7/2025 8:30", at(2025, 7, 5, 8, 30)),
        ("05-07-2025 08:30:15", at(2025, 7, 5, 8, 30, 15)),
        ("05.07.2025", at(2025, 7, 5)),
        ("05/07/25 08:30", at(2025, 7, 5, 8, 30)),
        ("2025-07-05", at(2025, 7, 5)),
        ("2025-07-05 08:30:00", at(2025, 7, 5, 8, 30)),
        ("2025-07-05T08:30", at(2025, 7, 5, 8, 30)),
        ("2025-07-05T01:30:00Z", at(2025, 7, 5, 8, 30)),
        ("2025-07-05T01:30:00.250Z", at(2025, 7, 5, 8, 30)),
        ("2025-07-05T08:30:00+07:00", at(2025, 7, 5, 8, 30)),
        ("2025-07-05T03:30:00+02:00", at(2025, 7, 5, 8, 30)),
        ("45843.3541666667", at(2025, 7, 5, 8, 30)),
        ("ngày 5 tháng 7 năm 2025", at(2025, 7, 5)),
        ("08:30 05/07/2025", at(2025, 7, 5, 8, 30)),
    ],
)
def test_time_forms(text, expected):
    epoch, bad = parse_times(pl.Series([text]))
    assert not bad[0]
    assert dt.datetime.fromtimestamp(epoch[0], HCM) == expected


@pytest.mark.parametrize(
    "text",
    ["32/07/2025", "29/02/2025 10:00", "05/07/2025 24:00", "05/07/2025 10:60", "hôm qua",
     "2025-13-01", "2025-07-05T10:00:00+25:00"],
)  # fmt: skip
def test_invalid_times(text):
    epoch, bad = parse_times(pl.Series([text]))
    assert bad[0] and np.isnan(epoch[0])


def test_columnar_times_agree_with_parse_datetime():
    texts = [
        "01/01/2025 00:00:00", "31/12/2024 23:59:59", "29/02/2024 12:00", "1/2/2025 3:04",
        "2025-03-09 02:30:00", "2024-02-29T23:59:59", "2025-07-05T08:30:00-03:30",
        "2025-07-05 08:30:00+0700", "45658", "45658.75", "05/07/2025 8h30", "2025/07/05 08:30",
        "", "31/04/2025 10:00", "2025-02-30", "12/13/2025",
    ]  # fmt: skip
    epoch, bad = parse_times(pl.Series(texts))
    for i, text in enumerate(texts):
        if not text:
            assert np.isnan(epoch[i]) and not bad[i]
            continue
        try:
            expected = parse_datetime(text)
        except ValueError:
            assert bad[i], text
            continue
        if expected.tzinfo is None:
            expected = expected.replace(tzinfo=HCM)
        assert not bad[i], text
        assert epoch[i] == int(expected.timestamp()), text


def test_naive_times_are_in_the_lists_time_zone():
    data = csv_text([["IP", "Thời gian"], ["203.0.113.1", "05/07/2025 08:30"]]).encode()
    (in_hcm,) = read(data).rows
    (in_utc,) = read(data, tz="UTC").rows
    assert in_hcm.seen_at == at(2025, 7, 5, 8, 30)
    assert in_utc.seen_at == dt.datetime(2025, 7, 5, 8, 30, tzinfo=dt.UTC)
    assert (in_utc.seen_at - in_hcm.seen_at) == dt.timedelta(hours=7)


def test_daylight_saving_zone_uses_the_offset_of_each_date():
    series = pl.Series(["15/01/2025 12:00", "15/07/2025 12:00"])
    epoch, _ = parse_times(series, "Europe/Paris")
    assert dt.datetime.fromtimestamp(epoch[0], dt.UTC).hour == 11
    assert dt.datetime.fromtimestamp(epoch[1], dt.UTC).hour == 10


def test_period_parsing_and_rows_outside_the_period_are_warned_about():
    assert parse_period("2025-07") == JULY == parse_period("07/2025")
    assert JULY == (at(2025, 7, 1), at(2025, 8, 1))
    assert month_period(2025, 12)[1] == at(2026, 1, 1)
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period("tháng 7")
    with pytest.raises(ValueError, match="tháng 13"):
        parse_period("2025-13")
    data = csv_text([["IP", "Thời gian"], ["203.0.113.1", "30/06/2025 23:00"],
                     ["203.0.113.2", "01/07/2025 00:00"]]).encode()  # fmt: skip
    result = read(data, period=JULY)
    assert len(result.warnings) == 1 and "1 dòng" in result.warnings[0]
    assert result.earliest() == at(2025, 6, 30, 23)


# --- files that cannot be read --------------------------------------------------------------


def test_a_file_without_ip_column_lists_the_headers_it_found():
    data = csv_text([["STT", "Tên thuê bao", "Thời gian"], ["1", "A", "05/07/2025"]]).encode()
    with pytest.raises(BotnetFileError) as error:
        read(data, "danh-sach.csv")
    message = str(error.value)
    assert "danh-sach.csv" in message and "địa chỉ IP" in message
    assert "“STT”, “Tên thuê bao”, “Thời gian”" in message
    assert "\n" not in message


def test_a_workbook_without_ip_column_names_each_sheets_headers():
    data = xlsx(("A", [["Tên", "Ngày"], ["x", "y"]]), ("B", [["Mã", "Ghi chú"], ["1", "2"]]))
    with pytest.raises(BotnetFileError, match="trang “A”: “Tên”, “Ngày”; trang “B”: “Mã”"):
        read(data, "l.xlsx")


@pytest.mark.parametrize(
    "data, filename, words",
    [
        (b"", "l.csv", "trống"),
        (b"  \r\n ", "l.csv", "trống"),
        (b"PK\x03\x04garbage", "l.xlsx", "bị hỏng"),
        (b"IP,IP address\r\n1.2.3.4,5.6.7.8\r\n", "l.csv", "giữ một cột"),
    ],
)
def test_unreadable_files_give_one_vietnamese_line(data, filename, words):
    with pytest.raises(BotnetFileError) as error:
        read(data, filename)
    assert words in str(error.value) and "\n" not in str(error.value)


def test_fast_and_row_by_row_reading_agree():
    rows = [["Danh sách"], [], HEADER, *ROWS, ["4", "10.0.0.1", "", "", "", ""], ROWS[0]]
    data = csv_text(rows).encode()
    fast = read(data, fast=True)
    slow = read(data, fast=False)
    assert summary(fast) == summary(slow)
    assert fast.rejected == slow.rejected
    assert fast.duplicates == slow.duplicates == 1


# --- attribution ----------------------------------------------------------------------------

UNITS = [
    UnitName("THPT-NQ", "Trường THPT Ngô Quyền", unit_type="thpt", ward="Phường Hòa Bình"),
    UnitName("THCS-NQ", "Trường THCS Ngô Quyền", unit_type="thcs", ward="Phường Hòa Bình"),
    UnitName("MN-HS", "Trường Mầm non Hoa Sen", unit_type="mn", aliases=("MN HOA SEN CS2",)),
]
REGISTRY = [
    # A dynamic address: school A until 15 July, then school B.
    PrefixRecord("203.0.113.77/32", "THPT-NQ", None, at(2025, 7, 15).timestamp()),
    PrefixRecord("203.0.113.77/32", "THCS-NQ", at(2025, 7, 15).timestamp(), None),
    # An ISP pool assigned to one school, with a more specific block inside it for another.
    PrefixRecord("198.51.100.0/24", "THPT-NQ"),
    PrefixRecord("198.51.100.128/25", "MN-HS"),
]


def attributed(rows, period=JULY, units=UNITS):
    data = csv_text([["IP", "Thời gian", "Tên thuê bao", "Địa chỉ"], *rows]).encode()
    result = attribute(
        read(data),
        index=PrefixIndex.build(REGISTRY),
        matcher=NameMatcher(units) if units else None,
        period=period,
    )
    return [(a.unit_code, a.method, a.score, a.prefix) for a in result]


def test_dynamic_address_reassigned_mid_month_goes_to_the_unit_holding_it_at_the_time():
    assert attributed(
        [
            ["203.0.113.77", "14/07/2025 23:59:59", "", ""],
            ["203.0.113.77", "15/07/2025 00:00", "", ""],
            ["203.0.113.77", "2025-07-14T17:30:00Z", "", ""],  # 00:30 on the 15th, local
        ]
    ) == [
        ("THPT-NQ", "prefix", 1.0, "203.0.113.77/32"),
        ("THCS-NQ", "prefix", 1.0, "203.0.113.77/32"),
        ("THCS-NQ", "prefix", 1.0, "203.0.113.77/32"),
    ]


def test_a_row_without_time_is_matched_over_the_period():
    # Over July the address was THCS-NQ's longer (from the 15th: 17 days against 14).
    assert attributed([["203.0.113.77", "", "", ""]]) == [
        ("THCS-NQ", "prefix", 1.0, "203.0.113.77/32")
    ]
    # Over June only THPT-NQ held it.
    assert attributed([["203.0.113.77", "", "", ""]], period=month_period(2025, 6)) == [
        ("THPT-NQ", "prefix", 1.0, "203.0.113.77/32")
    ]


def test_the_most_specific_prefix_wins():
    assert attributed([["198.51.100.5", "", "", ""], ["198.51.100.200", "", "", ""]]) == [
        ("THPT-NQ", "prefix", 1.0, "198.51.100.0/24"),
        ("MN-HS", "prefix", 1.0, "198.51.100.128/25"),
    ]


def test_prefix_beats_a_contradicting_subscriber_name():
    rows = [["198.51.100.5", "", "Trường Mầm non Hoa Sen", ""]]
    assert attributed(rows)[0][:2] == ("THPT-NQ", "prefix")


def test_name_fallback_and_its_traps():
    rows = [
        ["203.0.113.1", "", "TRUONG THPT NGO QUYEN", ""],
        ["203.0.113.2", "", "Trường THCS Ngô Quyền - Sở GD&ĐT", ""],
        ["203.0.113.3", "", "MN HOA SEN CS2", ""],  # a confirmed alias
        ["203.0.113.4", "", "Trường Tiểu học Ngô Quyền", ""],  # no TH unit: never THPT/THCS
        ["203.0.113.5", "", "Công ty TNHH Ngô Quyền", ""],
        ["203.0.113.6", "", "", ""],
    ]
    result = attributed(rows)
    assert result[0][:2] == ("THPT-NQ", "name") and 0.85 <= result[0][2] <= 1.0
    assert result[1][:2] == ("THCS-NQ", "name")
    assert result[2] == ("MN-HS", "name", 1.0, None)
    assert result[3:] == [(None, None, None, None)] * 3


def test_without_a_matcher_unregistered_rows_stay_unmatched():
    assert attributed([["203.0.113.1", "", "TRUONG THPT NGO QUYEN", ""]], units=None) == [
        (None, None, None, None)
    ]


def test_attribution_of_plain_rows_equals_that_of_the_list():
    data = csv_text([HEADER, *ROWS, ["9", "198.51.100.200", "", "", "", "x"]]).encode()
    botnet_list = read(data)
    index = PrefixIndex.build(REGISTRY)
    matcher = NameMatcher(UNITS)
    from_list = list(attribute(botnet_list, index=index, matcher=matcher, period=JULY))
    from_rows = list(attribute(botnet_list.rows, index=index, matcher=matcher, period=JULY))
    assert from_list == from_rows
    assert from_list[-1].unit_code == "MN-HS"
    assert from_list[0].as_dict() == {
        "row": 2,
        "ip": "203.0.113.10",
        "seen_at": "2025-07-05T08:30:00+07:00",
        "malware": "Mirai",
        "isp": "VNPT",
        "subscriber": "Trường THPT Ngô Quyền",
        "unit_code": "THPT-NQ",
        "method": "name",
        "score": from_list[0].score,
        "prefix": None,
    }


def test_attributions_are_a_sequence_with_counts():
    rows = [BotnetRow(row=2, sheet="", ip="198.51.100.9", seen_at=None)]
    result = attribute(rows, index=PrefixIndex.build(REGISTRY), period=JULY)
    assert len(result) == 1 and result[0] == result[-1] and list(result[:1]) == [result[0]]
    assert result.counts() == {"matched_prefix": 1, "matched_name": 0, "unmatched": 0}
    with pytest.raises(IndexError):
        result[1]


# --- the network registry and unit files ----------------------------------------------------


def test_read_networks_with_vietnamese_headers_and_inclusive_end_dates():
    text = (
        "Mã đơn vị,Dải địa chỉ,Nhà mạng,Tên thuê bao,Loại đường truyền,Hiệu lực từ,Hiệu lực đến,Ghi chú\r\n"
        "THPT-NQ,203.0.113.77,VNPT,THPT Ngo Quyen,FTTH,01/07/2025,14/07/2025,\r\n"
        "THCS-NQ,203.0.113.77/32,VNPT,THCS Ngo Quyen,FTTH,2025-07-15,,cấp lại\r\n"
        "MN-HS,2001:db8:ab::/48,Viettel,,leased_line,,,\r\n"
    )
    records = read_networks(text.encode(), "networks.csv")
    assert [(r.unit_key, r.network, r.ref) for r in records] == [
        ("THPT-NQ", "203.0.113.77/32", 2),
        ("THCS-NQ", "203.0.113.77/32", 3),
        ("MN-HS", "2001:db8:ab::/48", 4),
    ]
    assert records[0].valid_from == at(2025, 7, 1).timestamp()
    assert records[0].valid_to == at(2025, 7, 15).timestamp()  # all of the 14th included
    assert records[1].valid_from == at(2025, 7, 15).timestamp() and records[1].valid_to is None
    assert records[2].valid_from is None


def test_read_networks_reports_every_bad_row_with_its_number():
    text = (
        "unit_code,prefix,valid_from,valid_to\r\n"
        "A,203.0.113.0/24,,\r\n"
        "B,203.0.113.7/24,,\r\n"
        ",203.0.113.9,,\r\n"
        "C,not-a-prefix,,\r\n"
        "D,198.51.100.0/24,31/02/2025,\r\n"
        "E,198.51.100.0/25,10/07/2025,01/07/2025\r\n"
    )
    with pytest.raises(BotnetFileError) as error:
        read_networks(text.encode(), "networks.csv")
    errors = error.value.errors
    assert [e.split(":")[0] for e in errors] == ["dòng 3", "dòng 4", "dòng 5", "dòng 6", "dòng 7"]
    assert "203.0.113.0/24" in errors[0]  # the network it probably means
    assert "thiếu mã đơn vị" in errors[1]
    assert "not-a-prefix" in errors[2]
    assert "31/02/2025" in errors[3]
    assert "trước ngày" in errors[4]
    assert "5 dòng lỗi" in str(error.value)


def test_read_networks_without_prefix_column():
    with pytest.raises(BotnetFileError, match="thiếu cột “Dải địa chỉ”"):
        read_networks(b"unit_code,isp\r\nA,VNPT\r\n", "n.csv")


def test_read_units_like_the_unit_import():
    text = (
        "Mã đơn vị,Tên đơn vị,Tên viết tắt,Loại đơn vị,Mã đơn vị cấp trên,Địa chỉ,Xã/phường,"
        "Tỉnh/thành phố,Tên gọi khác\r\n"
        "THPT-NQ,Trường THPT Ngô Quyền,THPT Ngô Quyền,Trường THPT,SO,12 Lê Lợi,Phường Hòa Bình,"
        "Tỉnh Lạc Hồng,TRUONG THPT NGO QUYEN; THPT NQ\r\n"
        "MN-HS,Trường Mầm non Hoa Sen,,mn,SO,,,,\r\n"
        "mn-hs,Trùng mã,,mn,SO,,,,\r\n"
    )
    units = read_units(text.encode(), "units.csv")
    assert units == [
        UnitName(
            key="THPT-NQ",
            name="Trường THPT Ngô Quyền",
            short_name="THPT Ngô Quyền",
            aliases=("TRUONG THPT NGO QUYEN", "THPT NQ"),
            unit_type="thpt",
            ward="Phường Hòa Bình",
            province="Tỉnh Lạc Hồng",
            address="12 Lê Lợi",
        ),
        UnitName(key="MN-HS", name="Trường Mầm non Hoa Sen", unit_type="mn"),
    ]


def test_unit_types_cover_the_unit_importer_labels():
    from lachan.org.importers import UNIT_TYPE_LABELS

    lookup = botnet._unit_type_lookup()
    for value, labels in UNIT_TYPE_LABELS.items():
        for label in labels:
            found = lookup.get(botnet.normalize_header(label))
            assert found in (value, None), (label, found)
        assert lookup[botnet.normalize_header(value)] == value


# --- realistic data -------------------------------------------------------------------------


def test_public_c2_addresses_from_shared_blocklists(shared_data):
    source = shared_data / "ip_blocklists" / "maltrail" / "malware_c2_ips.csv"
    table = pl.read_csv(source, infer_schema=False).head(2000)
    header = "STT;Địa chỉ IP;Cổng;Họ mã độc;Thời gian ghi nhận\r\n"
    lines = [
        f"{i};{ip};{port};{family};{(i % 28) + 1:02d}/07/2025 {(i % 24):02d}:00"
        for i, (ip, port, family) in enumerate(
            table.select("indicator", "port", "family").iter_rows(), start=1
        )
    ]
    data = ("DANH SÁCH\r\n" + header + "\r\n".join(lines) + "\r\n").encode("utf-8-sig")
    result = read_botnet_list(data, "c2.csv")
    assert result.rejected == []
    assert len(result.rows) + result.duplicates == len(lines)
    first = result.rows[0]
    assert (first.row, first.ip, first.port, first.malware) == (3, *table.row(0)[:1],
            table.row(0)[2], table.row(0)[3])  # fmt: skip
    # Register the /24 around every tenth address to a unit: those rows attribute by prefix.
    networks = {".".join(r.ip.split(".")[:3]) + ".0/24" for r in result.rows[::10] if "." in r.ip}
    index = PrefixIndex.build(PrefixRecord(n, f"U{i}") for i, n in enumerate(sorted(networks)))
    attributed_ = attribute(result, index=index, period=JULY)
    assert attributed_.counts()["matched_prefix"] >= len(result.rows[::10])

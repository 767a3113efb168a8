"""``lachan botnet match``: the stateless command, through click's runner on the real group.

None of these tests may touch the database (they carry no ``django_db`` mark, so any query
would fail), and one runs the installed command on a fresh data directory and checks that
no database appears there.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lachan.cli import _load_commands, cli

_load_commands()

LIST = (
    "DANH SÁCH ĐỊA CHỈ IP NGHI NHIỄM MÃ ĐỘC\r\n"
    "Tháng 7/2025\r\n"
    "STT,Địa chỉ IP,Thời gian ghi nhận,Tên mã độc,Nhà mạng,Tên thuê bao,Địa chỉ\r\n"
    "1,203.0.113.77,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # row 4: prefix, first half
    "2,203.0.113.77,20/07/2025 10:00,Mirai,VNPT,,\r\n"  # row 5: prefix, second half
    "3,198.51.100.9,,Gafgyt,Viettel,TRUONG THPT NGO QUYEN,Phường Hòa Bình\r\n"  # 6: name
    "4,192.168.1.10,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # row 7: rejected, private
    "5,2001:db8:ab::5,2025-07-03T01:00:00Z,Mozi,FPT,=HYPERLINK(1),\r\n"  # row 8: IPv6 prefix
    "6,203.0.113.77,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # row 9: duplicate of row 4
    "7,198.51.100.10,,Emotet,VNPT,Công ty ABC,\r\n"  # row 10: unmatched
    "8,khong-phai-ip,,,,,\r\n"  # row 11: rejected, invalid
)
UNITS = (
    "code,name,short_name,type,parent_code,address,ward,province,aliases\r\n"
    "THPT-NQ,Trường THPT Ngô Quyền,,thpt,SO,,Phường Hòa Bình,,\r\n"
    "THCS-NQ,Trường THCS Ngô Quyền,,thcs,SO,,Phường Hòa Bình,,\r\n"
    "MN-HS,Trường Mầm non Hoa Sen,,mn,SO,,,,\r\n"
)
NETWORKS = (
    "unit_code,prefix,isp,subscriber,line_type,valid_from,valid_to,note\r\n"
    "THPT-NQ,203.0.113.77,VNPT,,FTTH,,14/07/2025,\r\n"
    "THCS-NQ,203.0.113.77/32,VNPT,,FTTH,15/07/2025,,cấp lại giữa tháng\r\n"
    "MN-HS,2001:db8:ab::/48,FPT,,leased_line,,,\r\n"
)
SUMMARY = {
    "rows_read": 8,
    "rows_rejected": 2,
    "duplicates": 1,
    "matched_prefix": 3,
    "matched_name": 1,
    "unmatched": 1,
}


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, text in (("list.csv", LIST), ("units.csv", UNITS), ("networks.csv", NETWORKS)):
        paths[name] = tmp_path / name
        paths[name].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture
def invoke():
    runner = CliRunner()

    def _invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return _invoke


def match_args(files, *extra):
    return [
        "botnet",
        "match",
        files["list.csv"],
        "--units",
        files["units.csv"],
        "--networks",
        files["networks.csv"],
        "--allow-documentation",
        *extra,
    ]


def one_error_line(result, *words):
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Lỗi: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_json_output_is_exactly_the_documented_object(invoke, files):
    result = invoke(*match_args(files, "--format", "json"))
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["summary", "rows", "rejected"]
    assert document["summary"] == SUMMARY
    assert list(document["summary"]) == list(SUMMARY)
    rows = document["rows"]
    assert [list(r) for r in rows] == [
        ["row", "ip", "seen_at", "malware", "isp", "subscriber", "unit_code", "method", "score",
         "prefix"]
    ] * 5  # fmt: skip
    assert rows[0] == {
        "row": 4,
        "ip": "203.0.113.77",
        "seen_at": "2025-07-05T08:30:00+07:00",
        "malware": "Mirai",
        "isp": "VNPT",
        "subscriber": "",
        "unit_code": "THPT-NQ",
        "method": "prefix",
        "score": 1.0,
        "prefix": "203.0.113.77/32",
    }
    by_row = {r["row"]: r for r in rows}
    assert list(by_row) == [4, 5, 6, 8, 10]
    assert by_row[5]["unit_code"] == "THCS-NQ"  # the address was reassigned on the 15th
    assert by_row[6]["method"] == "name" and by_row[6]["unit_code"] == "THPT-NQ"
    assert by_row[6]["seen_at"] is None and by_row[6]["prefix"] is None
    assert 0.85 <= by_row[6]["score"] <= 1.0
    assert by_row[8]["ip"] == "2001:db8:ab::5" and by_row[8]["unit_code"] == "MN-HS"
    assert by_row[8]["seen_at"] == "2025-07-03T08:00:00+07:00"
    assert by_row[8]["subscriber"] == "=HYPERLINK(1)"  # JSON is data, not a spreadsheet
    assert {k: by_row[10][k] for k in ("unit_code", "method", "score", "prefix")} == dict.fromkeys(
        ("unit_code", "method", "score", "prefix")
    )
    assert [r["row"] for r in document["rejected"]] == [7, 11]
    assert "mạng riêng" in document["rejected"][0]["reason"]
    assert "khong-phai-ip" in document["rejected"][1]["reason"]


def test_json_on_an_empty_result_and_into_a_file(invoke, files, tmp_path):
    files["list.csv"].write_text("IP\r\n10.0.0.1\r\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = invoke(*match_args(files, "--output", out))
    assert result.exit_code == 0 and result.stdout == ""
    assert "Đã ghi" in result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["rows"] == [] and document["summary"]["rows_rejected"] == 1


def test_csv_output(invoke, files):
    result = invoke(*match_args(files, "--format", "csv"))
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "row,ip,seen_at,malware,isp,subscriber,unit_code,method,score,prefix"
    assert (
        lines[1]
        == "4,203.0.113.77,2025-07-05T08:30:00+07:00,Mirai,VNPT,,THPT-NQ,prefix,1.0,203.0.113.77/32"
    )
    assert "'=HYPERLINK(1)" in lines[4]  # a formula in a spreadsheet cell is neutralised
    assert lines[5].startswith("10,198.51.100.10,,Emotet,VNPT,Công ty ABC,,,,")
    assert lines[-1] == ""


def test_xlsx_output_has_rows_rejected_and_summary_sheets(invoke, files, tmp_path):
    out = tmp_path / "ket-qua.xlsx"
    result = invoke(*match_args(files, "--format", "xlsx", "--output", out))
    assert result.exit_code == 0, result.stderr
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["Kết quả", "Dòng bị loại", "Tổng hợp"]
    rows = list(workbook["Kết quả"].values)
    assert rows[0][:3] == ("Dòng", "Địa chỉ IP", "Thời gian ghi nhận")
    assert rows[1][:3] == (4, "203.0.113.77", dt.datetime(2025, 7, 5, 8, 30))
    assert rows[1][6:] == ("THPT-NQ", "prefix", 1, "203.0.113.77/32")
    assert len(rows) == 6
    formula_like = workbook["Kết quả"]["F5"]  # row 8's subscriber "=HYPERLINK(1)"
    assert (formula_like.value, formula_like.data_type) == ("=HYPERLINK(1)", "s")
    rejected = list(workbook["Dòng bị loại"].values)
    assert [r[0] for r in rejected] == ["Dòng", 7, 11]
    totals = {r[0]: r[1] for r in workbook["Tổng hợp"].values}
    assert totals["Số dòng đã đọc"] == 8 and totals["Xác định theo tên thuê bao"] == 1


def test_period_defaults_to_the_month_of_the_earliest_row(invoke, files):
    # One timeless row for the dynamic address: over July THCS-NQ held it longer; over June,
    # only THPT-NQ did.
    files["list.csv"].write_text(
        "IP,Thời gian\r\n203.0.113.77,\r\n198.51.100.1,03/06/2025 10:00\r\n", encoding="utf-8"
    )
    default = json.loads(invoke(*match_args(files)).stdout)
    assert default["rows"][0]["unit_code"] == "THPT-NQ"
    july = json.loads(invoke(*match_args(files, "--period", "2025-07")).stdout)
    assert july["rows"][0]["unit_code"] == "THCS-NQ"


def test_warnings_go_to_stderr_and_keep_stdout_json(invoke, files):
    result = invoke(*match_args(files, "--period", "2025-08"))
    assert result.exit_code == 0
    json.loads(result.stdout)
    assert "Lưu ý:" in result.stderr and "ngoài kỳ 08/2025" in result.stderr


def test_without_units_or_networks_every_row_is_unmatched(invoke, files):
    result = invoke("botnet", "match", files["list.csv"], "--allow-documentation")
    summary = json.loads(result.stdout)["summary"]
    assert summary["unmatched"] == 5 and summary["matched_prefix"] == 0


def test_documentation_addresses_are_rejected_without_the_flag(invoke, files):
    result = invoke("botnet", "match", files["list.csv"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["rows_rejected"] == 8


def test_xlsx_list_with_several_sheets_names_the_sheet_in_reasons(invoke, files, tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "VNPT"
    for row in (["Danh sách"], ["IP", "Thời gian"], ["203.0.113.77", "05/07/2025 08:30"]):
        first.append(row)
    second = workbook.create_sheet("Viettel")
    for row in (["Địa chỉ IP"], ["10.0.0.1"]):
        second.append(row)
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    files["list.csv"] = path
    document = json.loads(invoke(*match_args(files)).stdout)
    assert document["rows"][0]["row"] == 3 and document["rows"][0]["unit_code"] == "THPT-NQ"
    assert document["rejected"] == [
        {"row": 2, "reason": document["rejected"][0]["reason"]},
    ]
    assert document["rejected"][0]["reason"].startswith("Trang “Viettel”: ")


# --- errors: one line on stderr, non-zero exit ----------------------------------------------


def test_missing_list_file(invoke, files, tmp_path):
    files["list.csv"] = tmp_path / "khong-co.csv"
    one_error_line(invoke(*match_args(files)), "Không tìm thấy tệp", "khong-co.csv")


def test_list_without_ip_column_lists_the_headers_found(invoke, files):
    files["list.csv"].write_text("STT,Tên thuê bao,Ngày\r\n1,A,05/07/2025\r\n", encoding="utf-8")
    one_error_line(
        invoke(*match_args(files)), "không có cột địa chỉ IP", "“STT”, “Tên thuê bao”, “Ngày”"
    )


def test_unreadable_encoding(invoke, files):
    files["list.csv"].write_bytes(b"IP,T\x81n\r\n\x8d\x8e\x8f\x90,\x9d\r\n")
    one_error_line(invoke(*match_args(files)), "bảng mã")


def test_directory_instead_of_a_file(invoke, files, tmp_path):
    files["units.csv"] = tmp_path
    one_error_line(invoke(*match_args(files)), "là thư mục")


def test_invalid_networks_file_lists_its_bad_rows(invoke, files):
    files["networks.csv"].write_text(
        "unit_code,prefix\r\nA,203.0.113.7/24\r\nB,xyz\r\n", encoding="utf-8"
    )
    one_error_line(invoke(*match_args(files)), "2 dòng lỗi", "dòng 2", "dòng 3", "203.0.113.0/24")


@pytest.mark.parametrize("period", ["07-2025x", "2025-13", "tháng bảy"])
def test_invalid_period(invoke, files, period):
    one_error_line(invoke(*match_args(files, "--period", period)), "Kỳ")


def test_unknown_time_zone(invoke, files):
    one_error_line(invoke(*match_args(files, "--tz", "Mars/Olympus")), "Mars/Olympus")


def test_unwritable_output(invoke, files, tmp_path):
    one_error_line(
        invoke(*match_args(files, "--output", tmp_path / "khong" / "co" / "out.json")),
        "Không ghi được",
    )


def test_help_is_in_vietnamese(invoke):
    result = invoke("botnet", "match", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "--networks" in text and "không dùng cơ sở dữ liệu" in text


def test_the_installed_command_creates_no_database(tmp_path, files):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["LACHAN_HOME"] = str(tmp_path / "home")
    lachan = Path(sys.executable).with_name("lachan")
    run = subprocess.run(
        [str(lachan), *map(str, match_args(files, "--format", "csv"))],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode()
    assert run.stdout.startswith(b"\xef\xbb\xbfrow,ip,")
    assert not list((tmp_path / "home").glob("*.sqlite3*"))
    # The same object as through the runner, to the byte.
    again = subprocess.run(
        [str(lachan), *map(str, match_args(files))], env=env, capture_output=True, check=False
    )
    assert json.loads(again.stdout)["summary"] == SUMMARY


def test_output_of_the_runner_is_streamed_json_lines(invoke, files):
    text = invoke(*match_args(files)).stdout
    lines = text.splitlines()
    assert lines[0].startswith('{"summary": ')
    assert lines[1] == '"rows": ['
    assert all(line.startswith('{"row":') for line in lines[2:7])
    assert lines[7] == "],"
    assert json.loads(io.StringIO(text).read())["summary"] == SUMMARY


@pytest.mark.parametrize("chunk", [1, 2, 5, 1000])
def test_json_is_the_same_whatever_the_chunk_size(invoke, files, chunk):
    import polars as pl

    from lachan.cli.botnet import write_json

    rows = pl.DataFrame(
        {
            "row": [2, 3, 4, 5, 6],
            "ip": ["203.0.113.1", "2001:db8::1", "203.0.113.3", "203.0.113.4", "203.0.113.5"],
            "seen_at": ["2025-07-01T00:00:00+07:00", None, None, None, None],
            "malware": ["Mirai", "", 'a "quoted"\nname', "x\\y", "é"],
            "isp": [""] * 5,
            "subscriber": ["Trường THPT Ngô Quyền", "", "", "", ""],
            "unit_code": ["THPT-NQ", None, None, None, None],
            "method": ["prefix", None, None, None, "name"],
            "score": [1.0, None, None, None, 0.875],
            "prefix": ["203.0.113.0/24", None, None, None, None],
        }
    )
    buffer = io.BytesIO()
    write_json(buffer, SUMMARY, rows, [{"row": 9, "reason": "x"}], chunk=chunk)
    document = json.loads(buffer.getvalue())
    assert document["rows"] == rows.to_dicts()
    assert document["rejected"] == [{"row": 9, "reason": "x"}]
    assert buffer.getvalue().count(b"\n") == 5 + 4


def test_rows_are_the_engines_attributions(invoke, files):
    """The command prints exactly what ``engine.botnet.attribute`` decides, row for row."""
    from lachan.engine import botnet
    from lachan.engine.ipindex import PrefixIndex
    from lachan.engine.names import NameMatcher

    period = botnet.parse_period("2025-07")
    result = botnet.attribute(
        botnet.read_botnet_list(LIST.encode(), "list.csv", allow_documentation=True),
        index=PrefixIndex.build(botnet.read_networks(NETWORKS.encode(), "networks.csv")),
        matcher=NameMatcher(botnet.read_units(UNITS.encode(), "units.csv")),
        period=period,
    )
    printed = json.loads(invoke(*match_args(files, "--period", "2025-07")).stdout)["rows"]
    assert printed == [a.as_dict() for a in result]


def test_repeated_times_are_written_like_the_others(invoke, files):
    lines = ["IP,Thời gian"]
    lines += [f"203.0.113.{i},05/07/2025 08:30" for i in range(1, 11)]
    lines += [f"198.51.100.{i},2025-07-06T01:00:00Z" for i in range(1, 11)]
    lines += ["198.51.100.200,"]
    files["list.csv"].write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    rows = json.loads(invoke(*match_args(files)).stdout)["rows"]
    assert [r["seen_at"] for r in rows] == (
        ["2025-07-05T08:30:00+07:00"] * 10 + ["2025-07-06T08:00:00+07:00"] * 10 + [None]
    )


def test_the_stateless_command_starts_without_django(tmp_path, files):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["LACHAN_HOME"] = str(tmp_path / "home")
    code = (
        "import sys\n"
        "from lachan.cli import main\n"
        "try:\n"
        f"    main({[str(a) for a in match_args(files)]!r})\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "apps = sys.modules.get('django.apps')\n"
        "print('DJANGO-SET-UP' if apps and apps.apps.ready else 'NO-DJANGO', file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr.decode()
    assert json.loads(run.stdout)["summary"] == SUMMARY
    assert b"NO-DJANGO" in run.stderr

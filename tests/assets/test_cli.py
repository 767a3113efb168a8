"""``lachan networks import`` and ``lachan networks export`` through click's runner."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from lachan.assets.models import Network
from lachan.audit.models import AuditLog
from lachan.cli import _load_commands, cli

_load_commands()

CSV = (
    "Mã đơn vị,Dải IP,Nhà mạng,Tên thuê bao,Loại đường truyền,Từ ngày,Đến ngày,Ghi chú\r\n"
    "THPT-A,14.160.10.0/24,VNPT,Trường THPT Lê Lợi,Cáp quang,,,\r\n"
    "THPT-B,14.160.10.128/25,Viettel,,4G,01/01/2025,31/01/2025,IP động\r\n"
)


@pytest.fixture
def invoke():
    runner = CliRunner(env={"COLUMNS": "200"})

    def _invoke(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return _invoke


@pytest.mark.django_db
def test_import_dry_run_then_store_with_overlap_warning(invoke, tree, tmp_path):
    path = tmp_path / "mang.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    dry = invoke("networks", "import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "hợp lệ (chạy thử, chưa lưu): 2 thêm mới" in dry.stdout
    assert not Network.objects.exists()
    result = invoke("networks", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "mang.csv: đã nhập 2 thêm mới, 0 cập nhật, 0 không đổi." in result.stdout
    assert "Lưu ý: Dải 14.160.10.128/25 của THPT Nguyễn Trãi (THPT-B) nằm trong" in result.stderr
    assert Network.objects.count() == 2
    assert AuditLog.objects.filter(action="network.create", actor=None).count() == 2


@pytest.mark.django_db
def test_import_errors_exit_1_with_a_table(invoke, tree, tmp_path):
    path = tmp_path / "sai.csv"
    path.write_text(CSV + "KHONG-CO,14.160.11.5/24,,,ADSL2,,,\r\n", encoding="utf-8")
    result = invoke("networks", "import", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Không tìm thấy đơn vị có mã “KHONG-CO”." in result.stdout
    assert "14.160.11.0/24" in result.stdout
    assert "sai.csv: 3 lỗi, không có dữ liệu nào được lưu." in result.stdout
    assert not Network.objects.exists()
    as_json = invoke("networks", "import", str(path), "--format", "json")
    report = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and report["ok"] is False
    assert {(e["row"], e["column"]) for e in report["errors"]} == {
        (4, "Mã đơn vị"),
        (4, "Dải IP"),
        (4, "Loại đường truyền"),
    }


@pytest.mark.django_db
def test_missing_file_is_one_line_on_stderr(invoke, tree, tmp_path):
    result = invoke("networks", "import", str(tmp_path / "khong-co.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Lỗi: Không đọc được tệp") and "Traceback" not in result.output


@pytest.mark.django_db
def test_export_every_format(invoke, tree, networks, tmp_path):
    csv_out = invoke("networks", "export")
    assert csv_out.exit_code == 0
    lines = csv_out.stdout_bytes.decode("utf-8-sig").splitlines()
    assert (
        lines[0] == "unit_code,prefix,isp,subscriber,line_type,valid_from,valid_to,note,is_static"
    )
    assert len(lines) == 4
    rows = json.loads(invoke("networks", "export", "--format", "json").stdout)
    assert {r["unit_code"] for r in rows} == {"THPT-A", "THPT-B", "THCS-C"}
    target = tmp_path / "mang.xlsx"
    result = invoke("networks", "export", "--format", "xlsx", "--output", str(target))
    assert result.exit_code == 0 and "Đã ghi" in result.stderr
    sheet = openpyxl.load_workbook(target).active
    assert [c.value for c in sheet[1]][:2] == ["unit_code", "prefix"]
    assert sheet.max_row == 4

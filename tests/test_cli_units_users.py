"""``lachan units …`` and ``lachan users …`` through click's runner."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model

from lachan.audit.models import AuditLog
from lachan.cli import _load_commands, cli
from lachan.org.models import ApiToken, Role, RoleAssignment, Unit

_load_commands()

UNITS_CSV = (
    "code,name,short_name,type,parent_code,address,ward,province,phone,email,"
    "it_officer_name,it_officer_phone,it_officer_email,aliases\r\n"
    "THPT-01,Trường THPT Lê Quý Đôn,THPT Lê Quý Đôn,Trường THPT,SO,,,,,,Hồ Văn Nam,,nam@example.edu.vn,\r\n"
    "SO,Sở Giáo dục và Đào tạo,Sở GDĐT,so,,,,,,so@example.edu.vn,,,,\r\n"
)
BAD_CSV = UNITS_CSV + "THPT-02,Trường THPT số 2,,Đại học,KHONG-CO,,,,,sai@,,,,\r\n"


@pytest.fixture
def runner():
    return CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def invoke(runner):
    def _invoke(*args, input=None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return _invoke


def no_traceback(result):
    assert "Traceback" not in result.output


# --- units ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_units_import_stores_and_summarises(invoke, tmp_path):
    path = tmp_path / "don_vi.csv"
    path.write_text(UNITS_CSV, encoding="utf-8-sig")
    result = invoke("units", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "don_vi.csv: đã nhập 2 thêm mới, 0 cập nhật, 0 không đổi." in result.stdout
    assert Unit.objects.get(code="THPT-01").parent.code == "SO"
    assert AuditLog.objects.filter(action="unit.create", actor=None).count() == 2

    again = invoke("units", "import", str(path))
    assert "0 thêm mới, 0 cập nhật, 2 không đổi" in again.stdout


@pytest.mark.django_db
def test_units_import_with_errors_prints_a_table_and_exits_1(invoke, tmp_path):
    path = tmp_path / "sai.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    result = invoke("units", "import", str(path))
    assert result.exit_code == 1
    no_traceback(result)
    out = result.stdout
    assert "Lỗi khi nhập sai.csv" in out
    assert "Loại đơn vị “Đại học” không hợp lệ" in out
    assert "Không tìm thấy đơn vị cấp trên “KHONG-CO”" in out
    assert "Địa chỉ thư điện tử không hợp lệ: “sai@”." in out
    assert "│ 4    │ type" in out
    assert "sai.csv: 3 lỗi, không có dữ liệu nào được lưu." in out
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_units_import_dry_run_and_json(invoke, tmp_path):
    path = tmp_path / "don_vi.csv"
    path.write_text(UNITS_CSV, encoding="utf-8")
    result = invoke("units", "import", str(path), "--dry-run", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] and report["dry_run"] and report["created"] == 2
    assert not Unit.objects.exists()

    path.write_text(BAD_CSV, encoding="utf-8")
    result = invoke("units", "import", str(path), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert not report["ok"]
    assert {(e["row"], e["column"]) for e in report["errors"]} == {
        (4, "type"),
        (4, "parent_code"),
        (4, "email"),
    }


@pytest.mark.django_db
def test_units_import_unreadable_file_is_one_line_on_stderr(invoke, tmp_path):
    result = invoke("units", "import", str(tmp_path / "khong_co.csv"))
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr.startswith("Lỗi: Không đọc được tệp")
    assert len(result.stderr.strip().splitlines()) == 1

    garbage = tmp_path / "hong.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not a workbook")
    result = invoke("units", "import", str(garbage))
    assert result.exit_code == 1
    no_traceback(result)
    assert "Tệp bị hỏng hoặc không phải bảng tính" in result.stdout


@pytest.mark.django_db
def test_units_export_formats(invoke, tree, tmp_path):
    result = invoke("units", "export", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["code"] for r in rows][0] == "SO"
    assert set(rows[0]) == {
        "code",
        "name",
        "short_name",
        "type",
        "parent_code",
        "address",
        "ward",
        "province",
        "phone",
        "email",
        "it_officer_name",
        "it_officer_phone",
        "it_officer_email",
        "aliases",
    }

    result = invoke("units", "export")
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfcode,name,")

    result = invoke("units", "export", "--format", "xlsx")  # stdout is not a terminal here
    assert result.stdout_bytes.startswith(b"PK\x03\x04")

    target = tmp_path / "don_vi.xlsx"
    result = invoke("units", "export", "--format", "xlsx", "--output", str(target))
    assert result.exit_code == 0
    sheet = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active
    assert sheet["A2"].value == "SO"
    assert f"Đã ghi {target}" in result.stderr


@pytest.mark.django_db
def test_units_export_then_import_round_trip(invoke, tree, tmp_path):
    target = tmp_path / "don_vi.xlsx"
    invoke("units", "export", "--format", "xlsx", "-o", str(target))
    result = invoke("units", "import", str(target))
    assert result.exit_code == 0
    assert "0 thêm mới, 0 cập nhật, 6 không đổi" in result.stdout


@pytest.mark.django_db
def test_units_list(invoke, tree):
    result = invoke("units", "list")
    assert result.exit_code == 0
    assert "Đơn vị (6)" in result.stdout
    assert "    Trường THCS Hòa Bình" in result.stdout  # indented under its cluster
    rows = json.loads(invoke("units", "list", "--format", "json").stdout)
    assert [r["code"] for r in rows if r["parent_code"] == "CUM-1"] == ["THCS-C"]


# --- users ----------------------------------------------------------------------------------

User = get_user_model()


@pytest.mark.django_db
def test_users_create_with_password(invoke, tree):
    result = invoke(
        "users",
        "create",
        "it_le_loi",
        "--role",
        "unit_it",
        "--unit",
        "THPT-A",
        "--email",
        "it@example.edu.vn",
        "--name",
        "Nguyễn Thị Hoa",
        "--password",
        "Bao-mat-2025!",
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="it_le_loi")
    assert user.check_password("Bao-mat-2025!")
    assert (user.email, user.get_full_name()) == ("it@example.edu.vn", "Nguyễn Thị Hoa")
    assert RoleAssignment.objects.filter(user=user, unit=tree.a, role=Role.UNIT_IT).exists()
    assert AuditLog.objects.filter(action="user.create", object_id=str(user.pk)).exists()
    assert AuditLog.objects.filter(action="role.assign", unit=tree.a).exists()
    assert "Bao-mat-2025!" not in result.stdout


@pytest.mark.django_db
def test_users_create_generates_and_prints_a_password(invoke, tree):
    result = invoke(
        "users",
        "create",
        "hieu_truong_a",
        "--role",
        "unit_head",
        "--unit",
        "THPT-A",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["role"] == "unit_head" and data["unit"] == "THPT-A"
    assert User.objects.get(username="hieu_truong_a").check_password(data["password"])

    result = invoke("users", "create", "gv_a", "--role", "learner", "--unit", "THPT-A")
    assert "chỉ hiện một lần" in result.stdout


@pytest.mark.django_db
def test_users_create_prompts_for_a_password(invoke, tree):
    result = invoke(
        "users",
        "create",
        "admin_so2",
        "--role",
        "dept_admin",
        "--unit",
        "SO",
        "--prompt-password",
        input="Mat-khau-Rat-Dai-1\nMat-khau-Rat-Dai-1\n",
    )
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="admin_so2").check_password("Mat-khau-Rat-Dai-1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "unit_it", "--unit", "KHONG-CO"], "Lỗi: Không có đơn vị mã “KHONG-CO”."),
        (["--role", "dept_admin", "--unit", "THPT-A"], "Lỗi: Vai trò cấp Sở chỉ gán tại Sở"),
        (["--role", "unit_it", "--unit", "THPT-A", "--password", "123"], "Lỗi: "),
    ],
    ids=["unknown-unit", "department-role-at-a-school", "weak-password"],
)
def test_users_create_refusals_store_nothing(invoke, tree, args, message):
    result = invoke("users", "create", "nguoi_moi", *args)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert not User.objects.filter(username="nguoi_moi").exists()


@pytest.mark.django_db
def test_users_create_duplicate_and_bad_role(invoke, tree, make_user):
    make_user(Role.UNIT_IT, tree.a, username="da_co")
    result = invoke("users", "create", "DA_CO", "--role", "unit_it", "--unit", "THPT-A")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Lỗi: Tên đăng nhập “DA_CO” đã tồn tại."
    result = invoke("users", "create", "x", "--role", "vua", "--unit", "THPT-A")
    assert result.exit_code == 2
    no_traceback(result)


@pytest.mark.django_db
def test_users_list_and_assign(invoke, tree, make_user):
    make_user(Role.UNIT_IT, tree.a, username="it_a")
    result = invoke("users", "assign", "it_a", "--role", "unit_head", "--unit", "THPT-A")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Đã gán vai trò unit_head tại THPT-A cho it_a."
    again = invoke("users", "assign", "it_a", "--role", "unit_head", "--unit", "THPT-A")
    assert again.stdout.strip() == "it_a đã có vai trò unit_head tại THPT-A."
    assert RoleAssignment.objects.filter(user__username="it_a").count() == 2

    rows = json.loads(invoke("users", "list", "--format", "json").stdout)
    it_a = next(r for r in rows if r["username"] == "it_a")
    assert it_a["roles"] == [
        {"role": "unit_head", "unit": "THPT-A"},
        {"role": "unit_it", "unit": "THPT-A"},
    ]
    table = invoke("users", "list").stdout
    assert "unit_head@THPT-A, unit_it@THPT-A" in table

    missing = invoke("users", "assign", "khong_ai", "--role", "unit_it", "--unit", "THPT-A")
    assert (
        missing.exit_code == 1 and missing.stderr.strip() == "Lỗi: Không có người dùng “khong_ai”."
    )


@pytest.mark.django_db
def test_users_token_is_printed_once_and_stored_hashed(invoke, tree, make_user):
    user = make_user(Role.UNIT_IT, tree.a, username="agent_owner")
    result = invoke("users", "token", "agent_owner", "--name", "may-chu-1")
    assert result.exit_code == 0
    key = result.stdout.strip()
    token = ApiToken.objects.get(user=user, name="may-chu-1")
    assert token.key_hash == ApiToken.hash_key(key) and key.startswith(token.prefix)
    assert "chỉ hiện một lần" in result.stderr
    assert AuditLog.objects.filter(action="token.issue", object_id=str(token.pk)).exists()

    data = json.loads(
        invoke(
            "users",
            "token",
            "agent_owner",
            "--name",
            "b",
            "--expires-days",
            "30",
            "--format",
            "json",
        ).stdout
    )
    stored = ApiToken.objects.get(name="b")
    assert stored.key_hash == ApiToken.hash_key(data["token"]) and stored.expires_at is not None


def test_the_installed_command_migrates_its_embedded_database_on_first_use(tmp_path):
    """The real ``lachan`` process on a fresh data directory: no test database involved."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["LACHAN_HOME"] = str(tmp_path / "home")
    lachan = Path(sys.executable).with_name("lachan")
    path = tmp_path / "don_vi.csv"
    path.write_text(UNITS_CSV, encoding="utf-8")

    def run(*args):
        return subprocess.run(
            [str(lachan), *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    imported = run("units", "import", str(path))
    assert imported.returncode == 0, imported.stderr
    created = run(
        "users", "create", "admin", "--role", "dept_admin", "--unit", "SO", "--format", "json"
    )
    assert created.returncode == 0, created.stderr
    listed = json.loads(run("units", "list", "--format", "json").stdout)
    assert [u["code"] for u in listed] == ["SO", "THPT-01"]
    users = json.loads(run("users", "list", "--format", "json").stdout)
    assert users[0]["roles"] == [{"role": "dept_admin", "unit": "SO"}]
    failed = run("units", "import", str(tmp_path / "khong_co.xlsx"))
    assert failed.returncode == 1 and "Traceback" not in failed.stderr

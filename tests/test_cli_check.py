"""``lachan check``: one input (JSON and table), JSON Lines batches with bad lines, extra
blocklists, the database checker by default and ``--offline`` starting without Django."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lachan.cli import _load_commands, cli

_load_commands()

DEV = Path(__file__).resolve().parent / "data" / "scam_dev"


@pytest.fixture
def invoke():
    runner = CliRunner()

    def _invoke(*args, input=None):
        return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return _invoke


def test_json_is_exactly_the_documented_object(invoke):
    result = invoke(
        "check", "--offline", "--format", "json", "https://vietcombank-xacthuc.top/login"
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["kind", "risk", "score", "reasons"]
    assert document["kind"] == "url" and document["risk"] == "high"
    assert isinstance(document["score"], int) and 70 <= document["score"] <= 100
    for reason in document["reasons"]:
        assert list(reason) == ["code", "message", "evidence"]
    assert document["reasons"][0]["code"] == "lookalike.brand_word"
    assert document["reasons"][0]["evidence"] == "vietcombank-xacthuc.top"


def test_kind_can_be_forced_and_text_read_from_stdin(invoke):
    result = invoke("check", "--offline", "--format", "json", "--kind", "account", "0912345678")
    assert json.loads(result.stdout)["kind"] == "account"
    message = "Em ơi gửi chị mã O T P vừa nhận nhé"
    result = invoke("check", "--offline", "--format", "json", "-", input=message)
    document = json.loads(result.stdout)
    assert document["kind"] == "text" and document["risk"] == "medium"
    assert document["reasons"][0]["evidence"] == "gửi chị mã O T P"


def test_table_is_the_default(invoke):
    result = invoke("check", "--offline", "vietcombank.com.vn")
    assert result.exit_code == 0
    assert "Mức rủi ro: THẤP (0/100)" in result.stdout
    assert "tên miền chính thức" in result.stdout
    calm = invoke("check", "--offline", "Hẹn gặp lại cô vào thứ Hai")
    assert "Không thấy dấu hiệu lừa đảo" in calm.stdout


def test_batch_writes_one_line_per_input_and_names_bad_lines(invoke, tmp_path):
    batch = tmp_path / "tin-nhan.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "a1", "text": "https://vietcombank-xacthuc.top/login"}),
                "{không phải json",
                json.dumps({"id": 7, "text": "Hẹn gặp lại cô vào thứ Hai"}),
                json.dumps({"id": "a3"}),
                json.dumps(["id", "text"]),
                "",
                json.dumps({"id": "a4", "text": "0912345678", "kind": "email"}),
                json.dumps({"id": "a5", "text": "0912345678", "kind": "phone"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = invoke("check", "--offline", "--batch", batch, "--format", "json")
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 7
    assert lines[0] == {"id": "a1", "risk": "high", "score": lines[0]["score"]}
    assert lines[1]["id"] is None and lines[1]["error"].startswith("tin-nhan.jsonl:2: ")
    assert lines[2] == {"id": 7, "risk": "low", "score": 0}
    assert lines[3] == {"id": "a3", "error": "tin-nhan.jsonl:4: thiếu trường “text” (chuỗi)"}
    assert lines[4]["id"] is None and lines[4]["error"].startswith("tin-nhan.jsonl:5: ")
    assert lines[5]["id"] == "a4" and lines[5]["error"].startswith("tin-nhan.jsonl:7: ")
    assert lines[6] == {"id": "a5", "risk": "low", "score": 0}


def test_a_clean_batch_exits_zero_and_has_a_table_form(invoke, tmp_path):
    batch = tmp_path / "ok.jsonl"
    batch.write_text(json.dumps({"id": "x", "text": "vietcombank.com.vn"}) + "\n", encoding="utf-8")
    assert invoke("check", "--offline", "--batch", batch, "--format", "json").exit_code == 0
    table = invoke("check", "--offline", "--batch", batch)
    assert table.exit_code == 0 and "THẤP" in table.stdout


def test_extra_blocklists(invoke):
    args = ["check", "--offline", "--format", "json"]
    before = json.loads(invoke(*args, "0977 551 382").stdout)
    after = json.loads(
        invoke(*args, "--blocklist", DEV / "reports.csv", "--blocklist", DEV / "hosts.txt",
               "0977 551 382").stdout
    )  # fmt: skip
    assert before["risk"] == "low" and after["risk"] == "high"
    assert after["reasons"][0]["code"] == "blocklist.phone"


def test_errors_are_one_line(invoke, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("ok.example\nkhông hợp lệ!\n", encoding="utf-8")
    result = invoke("check", "--offline", "--blocklist", bad, "x.example")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Lỗi: bad.txt, dòng 2: ")
    assert len(result.stderr.strip().splitlines()) == 1
    nothing = invoke("check", "--offline")
    assert nothing.exit_code == 2 and "TEXT" in nothing.stderr
    missing = invoke("check", "--offline", "--batch", tmp_path / "none.jsonl")
    assert missing.exit_code == 2 and "none.jsonl" in missing.stderr


@pytest.mark.django_db
def test_default_uses_the_database_blocklists(invoke):
    from lachan.scams.checking import forget_checker
    from lachan.scams.services import import_blocklist

    forget_checker()
    try:
        before = json.loads(invoke("check", "--format", "json", "danh-sach-so.example").stdout)
        import_blocklist(
            actor=None,
            data=b"danh-sach-so.example\n",
            filename="so.txt",
            name="Danh sách của Sở",
            fmt="plain",
        )
        after = json.loads(invoke("check", "--format", "json", "danh-sach-so.example").stdout)
        offline = json.loads(
            invoke("check", "--offline", "--format", "json", "danh-sach-so.example").stdout
        )
    finally:
        forget_checker()
    assert before["risk"] == "low"
    assert after["risk"] == "high" and after["reasons"][0]["code"] == "blocklist.domain"
    assert offline["risk"] == "low"


def test_offline_starts_without_django(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["LACHAN_HOME"] = str(tmp_path / "home")
    code = (
        "import sys\n"
        "from lachan.cli import main\n"
        "try:\n"
        "    main(['check', '--offline', '--format', 'json', 'vietc0mbank.com'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "apps = sys.modules.get('django.apps')\n"
        "print('DJANGO-SET-UP' if apps and apps.apps.ready else 'NO-DJANGO', file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr.decode()
    assert json.loads(run.stdout)["risk"] == "high"
    assert b"NO-DJANGO" in run.stderr
    assert not (tmp_path / "home").exists() or not any((tmp_path / "home").rglob("*.sqlite3"))

"""``lachan vuln`` and ``lachan inventory``: the stateless match (no database, no Django),
its output formats and errors, the stateful workflow (import, inventory import, matches,
rematch), and the two giving the same matches on the same files."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner

from intel.vuln_fixtures import INVENTORY, inventory_csv, write_feeds
from lachan.cli import STATELESS, _load_commands, cli

_load_commands()

MATCH_KEYS = [
    "unit_code",
    "host",
    "vendor",
    "product",
    "version",
    "cve",
    "cvss",
    "severity",
    "kev",
    "epss",
    "priority",
    "fixed_version",
    "status",
]


@pytest.fixture
def files(tmp_path):
    return write_feeds(tmp_path)


@pytest.fixture
def invoke():
    runner = CliRunner()

    def _invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return _invoke


def match_args(files, *extra):
    return (
        "vuln",
        "match",
        "--cves",
        files["records"],
        "--inventory",
        files["inventory"],
        "--kev",
        files["kev"],
        "--epss",
        files["epss"],
        *extra,
    )


def pairs(document):
    return sorted((m["host"], m["cve"], m["status"]) for m in document["matches"])


EXPECTED = [
    ("PC-01", "CVE-2024-0519", "affected"),
    ("SRV-B", "CVE-2021-41773", "affected"),
    ("SRV-B", "CVE-2021-42013", "affected"),
    ("SRV-WEB", "CVE-2021-41773", "affected"),
    ("SRV-WEB", "CVE-2021-42013", "affected"),
    ("SRV-WEB", "CVE-2023-38408", "needs_review"),
    ("SRV-WEB", "CVE-2024-4577", "affected"),
]


# --- stateless ----------------------------------------------------------------------------------


def test_stateless_match_prints_the_summary_and_the_matches(invoke, files):
    result = invoke(*match_args(files))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["summary", "matches"]
    assert document["summary"] == {
        "cves_loaded": 6,
        "inventory_rows": len(INVENTORY),
        "matches": 7,
        "needs_review": 1,
    }
    assert pairs(document) == EXPECTED
    for row in document["matches"]:
        assert list(row) == MATCH_KEYS
    kev = next(
        m for m in document["matches"] if (m["host"], m["cve"]) == ("SRV-WEB", "CVE-2021-41773")
    )
    assert kev["kev"] is True and kev["priority"] == 1 and kev["epss"] == pytest.approx(0.97453)
    assert (kev["product"], kev["version"], kev["vendor"]) == ("Apache HTTP Server", "2.4.49", "")
    assert kev["severity"] == "high" and kev["cvss"] == 7.5
    php = next(m for m in document["matches"] if m["cve"] == "CVE-2024-4577")
    assert php["fixed_version"] == "8.1.29"
    # Worst first.
    assert [m["priority"] for m in document["matches"]] == sorted(
        m["priority"] for m in document["matches"]
    )


def test_several_cve_paths_after_one_option(invoke, files, tmp_path):
    from intel.vuln_fixtures import RECORDS, write_records

    first = write_records(tmp_path / "one.json", RECORDS[:3])
    second = write_records(tmp_path / "two.json", RECORDS[3:])
    result = invoke("vuln", "match", "--cves", first, second, "--inventory", files["inventory"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["cves_loaded"] == 6 and pairs(document) == EXPECTED


def test_csv_and_xlsx_outputs(invoke, files, tmp_path):
    text = invoke(*match_args(files, "--format", "csv")).stdout_bytes
    assert text.startswith(b"\xef\xbb\xbf" + ",".join(MATCH_KEYS).encode())
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert len(rows) == 7 and {r["status"] for r in rows} == {"affected", "needs_review"}
    target = tmp_path / "ket-qua.xlsx"
    result = invoke(*match_args(files, "--format", "xlsx", "--output", target))
    assert result.exit_code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Kết quả", "Tổng hợp"]
    assert book["Kết quả"].max_row == 8
    assert book["Kết quả"]["A1"].value == "Mã đơn vị"


@pytest.mark.parametrize("which", ["records", "inventory", "kev", "epss"])
def test_a_file_that_cannot_be_read_is_one_line_and_a_non_zero_exit(invoke, files, which):
    files[which] = files[which].with_name("khong-co-tep")
    result = invoke(*match_args(files))
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: ") and "khong-co-tep" in lines[0]


def test_a_broken_record_file_is_an_error(invoke, files):
    files["records"].write_text('{"vulnerabilities": [', encoding="utf-8")
    result = invoke(*match_args(files))
    assert result.exit_code != 0 and "nvd-page.json" in result.stderr


def test_inventory_rows_left_out_are_said(invoke, files):
    rows = [*INVENTORY, ["THPT-A", "PC-09", "", "", "", "1.0", "", ""]]
    files["inventory"].write_bytes(inventory_csv(rows))
    result = invoke(*match_args(files))
    assert result.exit_code == 0
    assert "Dòng 8" in result.stderr


def test_the_stateless_match_starts_without_django(tmp_path, files):
    assert ("vuln", "match") in STATELESS
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
    assert pairs(json.loads(run.stdout)) == EXPECTED
    assert b"NO-DJANGO" in run.stderr
    assert not list((tmp_path / "home").glob("*.sqlite3*"))


# --- stateful, and the agreement ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_stateful_workflow_gives_the_same_matches(invoke, files, tree):
    from lachan.intel import vulns

    vulns.forget_index_cache()
    stateless = json.loads(invoke(*match_args(files)).stdout)
    result = invoke("vuln", "import", files["records"], files["kev"], files["epss"])
    assert result.exit_code == 0, result.output
    assert "Danh mục KEV" in result.stdout and "Điểm EPSS" in result.stdout
    result = invoke("inventory", "import", files["inventory"])
    assert result.exit_code == 0, result.output
    result = invoke("vuln", "rematch")
    assert result.exit_code == 0, result.output
    stateful = json.loads(invoke("vuln", "matches").stdout)
    assert stateful["matches"] == stateless["matches"]
    assert stateful["summary"] == stateless["summary"]
    one_unit = json.loads(invoke("vuln", "matches", "--unit", "THPT-B").stdout)
    assert one_unit["matches"] == [m for m in stateless["matches"] if m["unit_code"] == "THPT-B"]
    assert invoke("vuln", "matches", "--unit", "KHONG-CO").exit_code != 0


@pytest.mark.django_db
def test_inventory_import_errors_and_export(invoke, files, tree, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(inventory_csv([*INVENTORY, ["KHONG-CO", "X", "", "", "Y", "1", "", ""]]))
    result = invoke("inventory", "import", bad)
    assert result.exit_code == 1
    assert "KHONG-CO" in result.stdout and "không có dữ liệu nào được lưu" in result.stdout
    assert invoke("inventory", "import", files["inventory"]).exit_code == 0
    exported = invoke("inventory", "export", "--format", "json").stdout
    assert len(json.loads(exported)) == len(INVENTORY)


@pytest.mark.django_db
def test_vuln_import_refuses_a_broken_file_in_one_line(invoke, files, tree):
    files["records"].write_text("{", encoding="utf-8")
    result = invoke("vuln", "import", files["records"])
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1

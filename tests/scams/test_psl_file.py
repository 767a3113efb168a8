"""LACHAN_PSL_FILE: the web checker and `lachan check --offline` read the shared-data Public
Suffix List instead of the bundled copy."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lachan.scams import checking

LACHAN = str(Path(sys.executable).with_name("lachan"))

pytestmark = pytest.mark.django_db


def test_web_checker_reads_the_psl_file(settings, shared_data):
    psl = shared_data / "public_suffix_list" / "public_suffix_list.dat"
    settings.LACHAN_PSL_FILE = str(psl)
    checker = checking.build_checker()
    assert checker.registrable_domain("www.truong-abc.edu.vn") == "truong-abc.edu.vn"
    assert checker.registrable_domain("a.b.example.co.uk") == "example.co.uk"
    result = checker.check("https://vietcombank-xacthuc.top/otp", "url")
    assert result.risk in {"high", "medium"}


def test_offline_command_reads_the_psl_file(shared_data):
    psl = shared_data / "public_suffix_list" / "public_suffix_list.dat"
    env = {**os.environ, "LACHAN_PSL_FILE": str(psl)}
    run = subprocess.run(
        [
            LACHAN,
            "check",
            "--offline",
            "--format",
            "json",
            "http://vietcombank.com.vn.xacminh-taikhoan.top/login",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["risk"] == "high"


def test_a_missing_psl_file_is_a_clear_error(tmp_path):
    env = {**os.environ, "LACHAN_PSL_FILE": str(tmp_path / "khong-co.dat")}
    run = subprocess.run(
        [LACHAN, "check", "--offline", "vnexpress.net"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "khong-co.dat" in run.stderr + run.stdout

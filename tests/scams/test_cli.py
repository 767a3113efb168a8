"""``lachan scams import`` and ``lachan scams lists``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lachan.cli.scams import scams
from lachan.scams.models import BlocklistSource

pytestmark = pytest.mark.django_db


def test_import_and_lists(tmp_path, tree):
    path = tmp_path / "hosts.txt"
    path.write_text("0.0.0.0 a.example\n0.0.0.0 b.example\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(scams, ["import", str(path), "--name", "Hosts thử"])
    assert result.exit_code == 0, result.output
    assert "thêm 2" in result.output
    assert BlocklistSource.objects.get().entry_count == 2
    listed = runner.invoke(scams, ["lists", "--format", "json"])
    assert json.loads(listed.output)[0]["entries"] == 2


def test_import_error_names_file_and_line(tmp_path, tree):
    path = tmp_path / "xau.txt"
    path.write_text("a.example\nkhông phải dòng hợp lệ !!\n", encoding="utf-8")
    result = CliRunner().invoke(scams, ["import", str(path), "--name", "X", "--format", "plain"])
    assert result.exit_code == 1
    assert "xau.txt, dòng 2" in result.output
    assert not BlocklistSource.objects.exists()

"""``lachan awareness remind|campaigns|progress`` through click's runner."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner
from django.utils import timezone

from lachan.cli import _load_commands, cli

from .campaign_support import load_fixture_lessons, make_campaign

_load_commands()
pytestmark = pytest.mark.django_db


def _run(*args):
    return CliRunner(env={"COLUMNS": "200"}).invoke(cli, list(args), catch_exceptions=False)


def test_remind_campaigns_and_progress(tree, it_a, tmp_path):
    from openpyxl import load_workbook

    today = timezone.localdate()
    campaign = make_campaign(
        lessons=load_fixture_lessons(), units=[tree.a], deadline=today + dt.timedelta(days=2)
    )
    result = _run("awareness", "remind", "--today", today.isoformat())
    assert result.exit_code == 0 and "Đã nhắc 1 đợt học" in result.output
    result = _run("awareness", "remind", "--today", today.isoformat())
    assert "Đã nhắc 0 đợt học" in result.output
    result = _run("awareness", "remind", "--today", "28/11/2026")
    assert result.exit_code == 1 and "YYYY-MM-DD" in result.output

    rows = json.loads(_run("awareness", "campaigns", "--format", "json").output)
    assert rows[0]["title"] == campaign.title and rows[0]["expected"] == 1
    rows = json.loads(_run("awareness", "progress", str(campaign.pk), "--format", "json").output)
    assert [r["unit_code"] for r in rows] == ["THPT-A"]
    out = tmp_path / "tien-do.xlsx"
    result = _run("awareness", "progress", str(campaign.pk), "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0
    assert load_workbook(io.BytesIO(out.read_bytes())).sheetnames[0] == "Theo đơn vị"
    result = _run("awareness", "progress", "999999")
    assert result.exit_code == 1 and "Không có đợt học số 999999" in result.output

"""The stateful botnet workflow: import, attribution, findings, tasks, confirmation, scoping,
and the CLI — and the same attribution as the stateless ``lachan botnet match``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied, ValidationError

from lachan.assets.models import Network
from lachan.assets.services import save_network
from lachan.audit.models import AuditLog
from lachan.cli import _load_commands, cli
from lachan.intel import selectors
from lachan.intel.models import BotnetList, BotnetListRejection, BotnetListRow
from lachan.intel.services import confirm_name_match, import_botnet_list
from lachan.org.models import Unit
from lachan.org.services import save_unit
from lachan.remediation.models import Finding, Task

_load_commands()

LIST = (
    "DANH SÁCH ĐỊA CHỈ IP NGHI NHIỄM MÃ ĐỘC\r\n"
    "Tháng 7/2025\r\n"
    "STT,Địa chỉ IP,Thời gian ghi nhận,Tên mã độc,Nhà mạng,Tên thuê bao,Địa chỉ\r\n"
    "1,203.0.113.77,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # row 4: THPT-NQ until 14/07
    "2,203.0.113.77,20/07/2025 10:00,Mirai,VNPT,,\r\n"  # row 5: THCS-NQ from 15/07
    "3,198.51.100.9,,Gafgyt,Viettel,TRUONG THPT NGO QUYEN,Phường Hòa Bình\r\n"  # 6: name
    "4,192.168.1.10,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # row 7: rejected, private
    "5,2001:db8:ab::5,2025-07-03T01:00:00Z,Mozi,FPT,,\r\n"  # row 8: IPv6 prefix
    "6,203.0.113.77,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # row 9: duplicate of row 4
    "7,198.51.100.10,,Emotet,VNPT,Công ty ABC,\r\n"  # row 10: unmatched
    "8,khong-phai-ip,,,,,\r\n"  # row 11: rejected, invalid
)
JULY = dt.date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _documentation_ips(settings):
    settings.LACHAN_ALLOW_DOCUMENTATION_IPS = True


@pytest.fixture
def world(tree):
    nq, _ = save_unit(
        actor=None,
        code="THPT-NQ",
        name="Trường THPT Ngô Quyền",
        type="thpt",
        parent=tree.so,
        ward="Phường Hòa Bình",
    )
    cs, _ = save_unit(
        actor=None,
        code="THCS-NQ",
        name="Trường THCS Ngô Quyền",
        type="thcs",
        parent=tree.so,
        ward="Phường Hòa Bình",
    )
    mn, _ = save_unit(
        actor=None, code="MN-HS", name="Trường Mầm non Hoa Sen", type="mn", parent=tree.so
    )
    save_network(
        actor=None, unit=nq, prefix="203.0.113.77", isp="VNPT", valid_to=dt.date(2025, 7, 14)
    )
    save_network(
        actor=None, unit=cs, prefix="203.0.113.77/32", isp="VNPT", valid_from=dt.date(2025, 7, 15)
    )
    save_network(actor=None, unit=mn, prefix="2001:db8:ab::/48", isp="FPT")
    return {"nq": nq, "cs": cs, "mn": mn}


def do_import(actor=None, text=LIST, period=JULY, name="ds-07.csv"):
    return import_botnet_list(
        actor=actor, data=text.encode("utf-8"), filename=name, period=period, source="Sở KH&CN"
    )


@pytest.mark.django_db
def test_import_stores_rows_findings_and_one_task_per_unit(world, dept_officer):
    stored = do_import(dept_officer)
    assert stored.period == JULY
    assert stored.summary() == {
        "rows_read": 8,
        "rows_rejected": 2,
        "duplicates": 1,
        "matched_prefix": 3,
        "matched_name": 1,
        "unmatched": 1,
    }
    rows = {r.row: r for r in BotnetListRow.objects.filter(botnet_list=stored)}
    assert sorted(rows) == [4, 5, 6, 8, 10]
    assert rows[4].unit.code == "THPT-NQ" and rows[4].method == "prefix"
    assert rows[4].network.valid_to == dt.date(2025, 7, 14)
    # The dynamic address was reassigned on 15/07: the second sighting is THCS-NQ's.
    assert rows[5].unit.code == "THCS-NQ"
    assert rows[5].network.valid_from == dt.date(2025, 7, 15)
    assert rows[8].unit.code == "MN-HS" and rows[8].prefix == "2001:db8:ab::/48"
    assert rows[6].method == "name" and rows[6].unit.code == "THPT-NQ"
    assert not rows[6].confirmed and rows[6].finding is None
    assert rows[10].unit is None and rows[10].method is None
    assert rows[6].address == "Phường Hòa Bình"
    rejected = list(
        BotnetListRejection.objects.filter(botnet_list=stored).values_list("row", flat=True)
    )
    assert rejected == [7, 11]

    findings = Finding.objects.filter(source="botnet")
    assert findings.count() == 3
    f4 = rows[4].finding
    assert f4.unit.code == "THPT-NQ" and f4.severity == "high" and f4.asset_ref == "203.0.113.77"
    assert f4.dedupe_key == "2025-07:THPT-NQ:203.0.113.77"
    assert f4.evidence["list_id"] == stored.pk and f4.evidence["period"] == "2025-07"
    assert f4.evidence["malware"] == "Mirai"
    assert rows[5].finding.unit.code == "THCS-NQ"

    tasks = Task.objects.filter(problem_key="botnet:2025-07")
    assert sorted(t.unit.code for t in tasks) == ["MN-HS", "THCS-NQ", "THPT-NQ"]
    task = tasks.get(unit=world["nq"])
    assert task.title == ("Rà soát, xử lý 1 địa chỉ IP nghi nhiễm mã độc (danh sách tháng 07/2025)")
    assert "203.0.113.77: Mirai, lúc 05/07/2025 08:30:00" in task.guidance
    assert "NAT/DHCP" in task.guidance and "firmware" in task.guidance
    assert "mật khẩu mặc định" in task.guidance
    assert task.severity == "high" and task.source == "botnet"
    assert list(task.findings.all()) == [f4]
    assert AuditLog.objects.filter(action="botnet.import", object_id=str(stored.pk)).count() == 1
    assert AuditLog.objects.filter(action="finding.create").count() == 3


@pytest.mark.django_db
def test_reimport_of_the_same_file_is_refused(world, dept_officer):
    do_import(dept_officer)
    with pytest.raises(ValidationError, match="đã được nhập cho kỳ 07/2025"):
        do_import(dept_officer, name="ten-khac.csv")
    assert BotnetList.objects.count() == 1
    # Another month is another list.
    do_import(dept_officer, period=dt.date(2025, 8, 1))
    assert BotnetList.objects.count() == 2


@pytest.mark.django_db
def test_school_roles_may_not_import_or_confirm(world, it_a, dept_officer):
    with pytest.raises(PermissionDenied):
        do_import(it_a)
    do_import(dept_officer)
    row = BotnetListRow.objects.get(row=6)
    with pytest.raises(PermissionDenied):
        confirm_name_match(actor=it_a, row=row)


@pytest.mark.django_db
def test_confirming_a_name_match_adds_alias_finding_and_task(world, dept_officer):
    do_import(dept_officer)
    row = BotnetListRow.objects.get(row=6)
    row = confirm_name_match(actor=dept_officer, row=row)
    assert row.confirmed
    assert row.finding.dedupe_key == "2025-07:THPT-NQ:198.51.100.9"
    assert "TRUONG THPT NGO QUYEN" in Unit.objects.get(code="THPT-NQ").aliases
    task = Task.objects.get(unit=world["nq"], problem_key="botnet:2025-07")
    assert task.title.startswith("Rà soát, xử lý 2 địa chỉ IP")
    assert "198.51.100.9: Gafgyt" in task.guidance
    assert task.findings.count() == 2
    assert Task.objects.filter(problem_key="botnet:2025-07").count() == 3
    assert AuditLog.objects.filter(action="botnet.confirm_name").count() == 1
    assert AuditLog.objects.filter(action="unit.alias_add").count() == 1
    # Next month the subscriber name matches by itself, through the alias.
    august = LIST.replace("/07/2025", "/08/2025").replace("2025-07-03", "2025-08-03")
    do_import(dept_officer, text=august, period=dt.date(2025, 8, 1))
    nxt = BotnetListRow.objects.get(botnet_list__period=dt.date(2025, 8, 1), row=6)
    assert nxt.unit.code == "THPT-NQ" and nxt.method == "name"
    with pytest.raises(ValidationError):
        confirm_name_match(
            actor=dept_officer, row=BotnetListRow.objects.get(row=4, botnet_list__period=JULY)
        )


def _units_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "code",
            "name",
            "short_name",
            "type",
            "parent_code",
            "address",
            "ward",
            "province",
            "aliases",
        ]
    )
    for u in Unit.objects.filter(is_active=True).select_related("parent"):
        writer.writerow(
            [u.code, u.name, u.short_name, u.type, u.parent.code if u.parent else "", u.address,
             u.ward, u.province, ";".join(u.aliases)]
        )  # fmt: skip
    return out.getvalue()


def _networks_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["unit_code", "prefix", "isp", "subscriber", "line_type", "valid_from", "valid_to", "note"]
    )
    for n in Network.objects.select_related("unit"):
        day = lambda d: d.strftime("%d/%m/%Y") if d else ""  # noqa: E731
        writer.writerow(
            [n.unit.code, n.prefix, n.isp, n.subscriber, "", day(n.valid_from), day(n.valid_to), ""]
        )
    return out.getvalue()


@pytest.fixture
def invoke():
    runner = CliRunner()

    def _invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return _invoke


@pytest.mark.django_db
def test_same_attribution_as_the_stateless_command(world, invoke, tmp_path):
    paths = {}
    for name, text in (
        ("list.csv", LIST),
        ("units.csv", _units_csv()),
        ("networks.csv", _networks_csv()),
    ):
        paths[name] = tmp_path / name
        paths[name].write_text(text, encoding="utf-8")
    stateless = invoke(
        "botnet", "match", paths["list.csv"], "--units", paths["units.csv"], "--networks",
        paths["networks.csv"], "--allow-documentation", "--period", "2025-07", "--format", "json",
    )  # fmt: skip
    assert stateless.exit_code == 0, stateless.stderr
    expected = json.loads(stateless.stdout)

    imported = invoke(
        "botnet", "import", paths["list.csv"], "--period", "2025-07", "--source", "Sở KH&CN"
    )
    assert imported.exit_code == 0, imported.output
    assert "đã nhập danh sách kỳ 07/2025" in imported.stdout
    assert "Xác định theo dải địa chỉ: 3" in imported.stdout

    assert selectors.matches_for_period(None, JULY) == expected["rows"]
    stateful = invoke("botnet", "matches", "--period", "2025-07", "--format", "json")
    assert stateful.exit_code == 0, stateful.stderr
    assert json.loads(stateful.stdout) == expected

    again = invoke("botnet", "import", paths["list.csv"], "--period", "2025-07")
    assert again.exit_code != 0
    assert "đã được nhập cho kỳ 07/2025" in again.stderr

    out = tmp_path / "kq.csv"
    as_csv = invoke("botnet", "matches", "--period", "2025-07", "--format", "csv", "--output", out)
    assert as_csv.exit_code == 0, as_csv.stderr
    expected_csv = tmp_path / "kq0.csv"
    invoke(
        "botnet", "match", paths["list.csv"], "--units", paths["units.csv"], "--networks",
        paths["networks.csv"], "--allow-documentation", "--period", "2025-07", "--format", "csv",
        "--output", expected_csv,
    )  # fmt: skip
    assert out.read_bytes() == expected_csv.read_bytes()
    xlsx = invoke(
        "botnet",
        "matches",
        "--period",
        "2025-07",
        "--format",
        "xlsx",
        "--output",
        tmp_path / "kq.xlsx",
    )
    assert xlsx.exit_code == 0, xlsx.stderr
    assert (tmp_path / "kq.xlsx").read_bytes()[:2] == b"PK"


@pytest.mark.django_db
def test_cli_import_of_an_unreadable_list_fails_in_one_line(world, invoke, tmp_path):
    path = tmp_path / "sai.csv"
    path.write_text("a,b\r\n1,2\r\n", encoding="utf-8")
    result = invoke("botnet", "import", path, "--period", "2025-07")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert not BotnetList.objects.exists()
    bad = invoke("botnet", "import", path, "--period", "2025-13")
    assert bad.exit_code != 0


SCOPED = (
    "Địa chỉ IP,Thời gian ghi nhận,Tên mã độc\r\n"
    "192.0.2.5,10/07/2025 09:00,Mirai\r\n"
    "192.0.2.20,10/07/2025 09:00,Emotet\r\n"
    "198.51.100.200,10/07/2025 09:00,Emotet\r\n"
)


@pytest.mark.django_db
def test_selectors_never_show_school_b_rows_to_school_a(tree, dept_officer, it_a, it_b, make_user):
    save_network(actor=None, unit=tree.a, prefix="192.0.2.0/28")
    save_network(actor=None, unit=tree.b, prefix="192.0.2.16/28")
    stored = do_import(dept_officer, text=SCOPED)
    assert [r["ip"] for r in selectors.matches_for_period(it_a, JULY)] == ["192.0.2.5"]
    assert [r["ip"] for r in selectors.matches_for_period(it_b, JULY)] == ["192.0.2.20"]
    assert len(selectors.matches_for_period(dept_officer, JULY)) == 3
    assert [r.ip for r in selectors.rows_of_list(it_a, stored)] == ["192.0.2.5"]
    assert list(selectors.visible_lists(it_a)) == [stored]
    assert not selectors.rejections_of_list(it_a, stored).exists()
    assert not selectors.name_matches_to_confirm(it_a).exists()
    # A school with no row on the list does not see the list at all.
    it_c = make_user("unit_it", tree.c)
    assert not selectors.visible_lists(it_c).exists()
    assert selectors.matches_for_period(it_c, JULY) == []
    assert Task.objects.get(unit=tree.a).title.startswith("Rà soát, xử lý 1 địa chỉ IP")
    assert "Emotet" in Task.objects.get(unit=tree.b).guidance


@pytest.mark.django_db
def test_unconfirmed_name_matches_stay_with_the_department(world, dept_officer, make_user):
    do_import(dept_officer)
    it_nq = make_user("unit_it", world["nq"])
    ips = [r["ip"] for r in selectors.matches_for_period(it_nq, JULY)]
    assert ips == ["203.0.113.77"]  # the name proposal is not shown before confirmation
    assert selectors.name_matches_to_confirm(dept_officer).count() == 1
    confirm_name_match(actor=dept_officer, row=BotnetListRow.objects.get(row=6))
    it_nq = make_user("unit_it", world["nq"])
    ips = [r["ip"] for r in selectors.matches_for_period(it_nq, JULY)]
    assert ips == ["203.0.113.77", "198.51.100.9"]

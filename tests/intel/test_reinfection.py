"""Next month closes the loop: absent addresses are recorded on last month's findings, units
on the list again are re-infected (critical, their task reopened), and the unit history and
per-period results show it."""

from __future__ import annotations

import datetime as dt

import pytest

from lachan.assets.services import save_network
from lachan.audit.models import AuditLog
from lachan.intel import selectors
from lachan.intel.models import BotnetListRow
from lachan.intel.services import import_botnet_list
from lachan.org.services import save_unit
from lachan.remediation.models import Finding, Task, TaskStatus
from lachan.remediation.services import close_task, start_task, submit_task, verify_task

HEADER = "Địa chỉ IP,Thời gian ghi nhận,Tên mã độc,Nhà mạng\r\n"
OCT = dt.date(2026, 10, 1)
NOV = dt.date(2026, 11, 1)
DEC = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _documentation_ips(settings):
    settings.LACHAN_ALLOW_DOCUMENTATION_IPS = True


@pytest.fixture
def units(tree):
    a, _ = save_unit(actor=None, code="THPT-A", name="Trường THPT A", type="thpt", parent=tree.so)
    b, _ = save_unit(actor=None, code="THCS-B", name="Trường THCS B", type="thcs", parent=tree.so)
    c, _ = save_unit(actor=None, code="TH-C", name="Trường Tiểu học C", type="th", parent=tree.so)
    save_network(actor=None, unit=a, prefix="203.0.113.0/28", isp="VNPT")
    save_network(actor=None, unit=b, prefix="203.0.113.16/28", isp="Viettel")
    save_network(actor=None, unit=c, prefix="2001:db8:c::/48", isp="FPT")
    return {"a": a, "b": b, "c": c}


def load(period, lines, actor=None, name=None):
    text = HEADER + "".join(f"{line}\r\n" for line in lines)
    return import_botnet_list(
        actor=actor,
        data=text.encode(),
        filename=name or f"ds-{period:%Y-%m}.csv",
        period=period,
        source="Sở KH&CN",
    )


def finish(task, officer, it_user):
    start_task(actor=it_user, task=task)
    submit_task(actor=it_user, task=task, answer_text="Đã quét, đổi mật khẩu camera.")
    verify_task(actor=officer, task=task)


@pytest.mark.django_db
def test_next_month_marks_absent_and_reinfected(units, dept_officer, make_user):
    load(
        OCT,
        [
            "203.0.113.5,03/10/2026 08:00,Mirai,VNPT",
            "203.0.113.6,04/10/2026 09:00,Mirai,VNPT",
            "203.0.113.20,05/10/2026 10:00,Emotet,Viettel",
        ],
    )
    task_a = Task.objects.get(unit=units["a"], problem_key="botnet:2026-10")
    task_b = Task.objects.get(unit=units["b"], problem_key="botnet:2026-10")
    assert task_a.severity == "high"
    it_a = make_user("unit_it", units["a"], username="it-a")
    finish(task_a, dept_officer, it_a)
    task_a.refresh_from_db()
    assert task_a.status == TaskStatus.VERIFIED

    # November: A's .5 is back, .6 is gone; B is gone; C appears for the first time.
    load(
        NOV,
        [
            "203.0.113.5,02/11/2026 07:00,Mirai,VNPT",
            "2001:db8:c::9,03/11/2026 07:00,Mozi,FPT",
        ],
    )
    rows = {r.ip: r for r in BotnetListRow.objects.filter(botnet_list__period=NOV)}
    assert rows["203.0.113.5"].reinfected is True
    assert rows["2001:db8:c::9"].reinfected is False
    assert rows["203.0.113.5"].finding.severity == "critical"
    assert rows["203.0.113.5"].finding.evidence["reinfected"] is True

    # A's October task is reopened, critical, and takes November's finding; no second task.
    task_a.refresh_from_db()
    assert task_a.status == TaskStatus.OPEN
    assert task_a.severity == "critical"
    assert task_a.verified_at is None
    assert task_a.title.startswith("Tái nhiễm — ")
    assert rows["203.0.113.5"].finding in task_a.findings.all()
    assert not Task.objects.filter(unit=units["a"], problem_key="botnet:2026-11").exists()
    assert "203.0.113.5" in task_a.comments.last().body
    assert AuditLog.objects.filter(action="task.reopen", object_id=str(task_a.pk)).count() == 1
    # C is new this month: its own task, high.
    assert Task.objects.get(unit=units["c"], problem_key="botnet:2026-11").severity == "high"

    # October findings record whether they were seen again.
    oct_findings = {
        f.asset_ref: f for f in Finding.objects.filter(dedupe_key__startswith="2026-10:")
    }
    assert oct_findings["203.0.113.5"].evidence["next_list"] == {"period": "2026-11", "seen": True}
    assert oct_findings["203.0.113.6"].evidence["next_list"] == {"period": "2026-11", "seen": False}
    assert oct_findings["203.0.113.20"].evidence["next_list"]["seen"] is False
    assert AuditLog.objects.filter(action="finding.next_list").count() == 3
    # B, absent altogether, gets a note on its task for the verifying officer.
    task_b.refresh_from_db()
    assert task_b.status == TaskStatus.OPEN
    assert "Không còn địa chỉ IP nào" in task_b.comments.last().body

    # Per-period results and history.
    months = {m.unit.code: m for m in selectors.units_for_period(None, OCT)}
    assert months["THPT-A"].seen_next is True and months["THCS-B"].seen_next is False
    assert months["THPT-A"].addresses == ["203.0.113.5", "203.0.113.6"]
    nov = {m.unit.code: m for m in selectors.units_for_period(None, NOV)}
    assert nov["THPT-A"].reinfected and nov["THPT-A"].task == task_a
    assert nov["TH-C"].seen_next is None  # no December list yet
    history = selectors.unit_history(None, units["a"])
    assert [m.period for m in history] == [NOV, OCT]
    assert history[0].reinfected and not history[1].reinfected
    assert history[1].families == ["Mirai"]


@pytest.mark.django_db
def test_back_after_a_gap_is_reinfected_with_a_new_task(units, dept_officer):
    load(OCT, ["203.0.113.20,05/10/2026 10:00,Emotet,Viettel"])
    load(NOV, ["203.0.113.5,02/11/2026 07:00,Mirai,VNPT"])
    oct_task = Task.objects.get(unit=units["b"], problem_key="botnet:2026-10")
    close_task(actor=dept_officer, task=oct_task, note="Đơn vị đã cài lại máy.")
    load(DEC, ["203.0.113.21,01/12/2026 07:00,Emotet,Viettel"])
    dec = Task.objects.get(unit=units["b"], problem_key="botnet:2026-12")
    assert dec.severity == "critical" and dec.title.startswith("Tái nhiễm — ")
    oct_task.refresh_from_db()
    assert oct_task.status == TaskStatus.CLOSED  # not the previous list: left closed
    assert BotnetListRow.objects.get(ip="203.0.113.21").reinfected is True


@pytest.mark.django_db
def test_still_open_task_is_refreshed_not_duplicated(units):
    load(OCT, ["203.0.113.5,03/10/2026 08:00,Mirai,VNPT"])
    load(NOV, ["203.0.113.7,03/11/2026 08:00,Gafgyt,VNPT"])
    tasks = Task.objects.filter(unit=units["a"])
    assert tasks.count() == 1
    task = tasks.get()
    assert task.status == TaskStatus.OPEN and task.severity == "critical"
    assert task.findings.count() == 2
    assert "Gafgyt" in task.guidance and "203.0.113.5" in task.guidance
    # A second November list (another source) refreshes the same task again.
    load(NOV, ["203.0.113.8,20/11/2026 08:00,Mirai,VNPT"], name="ncsc-11.csv")
    assert Task.objects.filter(unit=units["a"]).count() == 1
    assert Task.objects.get(unit=units["a"]).findings.count() == 3

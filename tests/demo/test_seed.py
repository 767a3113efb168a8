"""The demo province: fictional, big enough, every task state, idempotent, and the CLI."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model

from lachan.audit.models import AuditLog
from lachan.demo import DEMO_PASSWORD, SO_CODE, seed_demo
from lachan.notifications.models import Notification
from lachan.org.models import Role, RoleAssignment, Unit, UnitType
from lachan.remediation.models import Finding, Task, TaskStatus

DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]


@pytest.mark.django_db
def test_seed_builds_a_complete_fictional_province():
    steps = []
    info = seed_demo(progress=lambda label, step, total: steps.append((label, step, total)))
    assert info.created
    assert steps[-1][1] == steps[-1][2]

    so = Unit.objects.get(code=SO_CODE)
    assert so.type == UnitType.SO and so.parent is None
    assert "Lạc Hồng" in so.name and "dữ liệu minh hoạ" in so.address
    offices = Unit.objects.filter(parent=so, type=UnitType.PHONG)
    assert {"Văn phòng Sở", "Phòng Tổ chức cán bộ", "Phòng Giáo dục phổ thông"} <= set(
        offices.values_list("name", flat=True)
    )
    schools_and_centres = Unit.objects.filter(
        parent=so,
        type__in=[UnitType.THPT, UnitType.PT_NHIEU_CAP, UnitType.GDNN_GDTX],
        is_active=True,
    )
    assert schools_and_centres.count() >= 40
    assert {UnitType.THPT, UnitType.PT_NHIEU_CAP, UnitType.GDNN_GDTX} == set(
        schools_and_centres.values_list("type", flat=True)
    )
    assert schools_and_centres.filter(name__contains="chuyên").exists()
    assert schools_and_centres.filter(name__contains="Dân tộc nội trú").exists()
    # Commune/ward schools under a second level (no district level since 2025).
    clusters = Unit.objects.filter(parent=so, type=UnitType.KHAC)
    commune_schools = Unit.objects.filter(parent__in=clusters)
    assert commune_schools.count() >= 20
    assert {UnitType.THCS, UnitType.TH, UnitType.MN} <= set(
        commune_schools.values_list("type", flat=True)
    )
    assert all(u.depth == 2 for u in commune_schools)

    units = list(Unit.objects.all())
    for unit in units:
        assert unit.it_officer_name and unit.it_officer_email.endswith("@example.edu.vn"), unit
        assert re.fullmatch(r"0900 000 \d{3}", unit.phone), unit.phone
        assert "dữ liệu minh hoạ" in unit.address
    assert any(
        re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", u.name.lower())
        for u in units
    )
    assert Unit.objects.exclude(aliases=[]).count() >= 5

    # The 2025 merger: two retired centres point at their successor; their history stays.
    merged = Unit.objects.filter(successor__isnull=False)
    assert merged.count() == 2
    successor = merged.first().successor
    assert successor.is_active and successor.valid_from.isoformat() == "2025-07-01"
    assert all(not u.is_active and u.valid_to.isoformat() == "2025-06-30" for u in merged)
    assert Task.objects.filter(unit__in=merged, status=TaskStatus.CLOSED).count() == 2

    # People: every role, the demo logins work with the printed password.
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert len(info.logins) >= 8
    User = get_user_model()
    for login in info.logins:
        assert login.password == DEMO_PASSWORD
        assert User.objects.get(username=login.username).check_password(DEMO_PASSWORD)
    assert {login.role for login in info.logins} == {str(r.label) for r in Role}

    # Findings of several sources, with documentation IPs and real CVE ids.
    sources = Counter(Finding.objects.values_list("source", flat=True))
    assert {"botnet", "vulnerability", "malware", "compliance"} <= set(sources)
    for f in Finding.objects.filter(source="botnet"):
        assert any(ipaddress.ip_address(f.evidence["ip"]) in net for net in DOC_NETS)
    for f in Finding.objects.filter(source="vulnerability"):
        assert re.fullmatch(r"CVE-\d{4}-\d{4,}|ADV-\d+", f.evidence["record"])

    # Tasks in every state, several overdue, evidence on submitted ones.
    statuses = Counter(Task.objects.values_list("status", flat=True))
    assert set(statuses) == set(TaskStatus.values), statuses
    assert Task.objects.overdue().count() >= 3
    for task in Task.objects.filter(status=TaskStatus.SUBMITTED):
        assert task.evidence.exists() and task.answer_text
    assert Task.objects.filter(status=TaskStatus.RETURNED).exclude(return_reason="").exists()
    # The unit of the demo IT officer has a task in every state (its pages all show something).
    featured = Task.objects.filter(unit__code="LH-THPT-02")
    assert set(featured.values_list("status", flat=True)) == set(TaskStatus.values)

    # Botnet lists went through the real workflow: registry, two months, a re-infection,
    # a confirmed name match (now an alias), one waiting for review, the dynamic address
    # attributed to a different school before and after its reassignment.
    from lachan.assets.models import Network
    from lachan.intel.models import BotnetList, BotnetListRow

    assert Network.objects.count() >= 40
    assert BotnetList.objects.count() == 2
    rows = BotnetListRow.objects.all()
    assert rows.filter(reinfected=True).values("unit").distinct().count() >= 2
    assert rows.filter(method="name", confirmed=True).exists()
    assert rows.filter(method="name", confirmed=False).exists()
    assert rows.filter(method__isnull=True).exists()
    dynamic = rows.filter(ip="192.0.2.250").values_list("unit__code", flat=True)
    assert set(dynamic) == {"LH-DT-01", "LH-DT-03"}
    assert Unit.objects.get(code="LH-DT-02").aliases[-1] == "TRUONG THCS NGUYEN VAN TROI"
    reopened = Task.objects.get(unit__code="LH-THPT-02", source="botnet")
    assert reopened.severity == "critical" and reopened.title.startswith("Tái nhiễm")
    assert AuditLog.objects.filter(action="task.reopen").exists()

    # Vulnerability alerts through the real workflow: records with KEV and EPSS, an inventory
    # mapped to CPE names, an advisory without CVE id, exposures (affected and needs review:
    # the Ubuntu/Debian OpenSSH packages may carry a backported fix), one task per host.
    from lachan.assets.models import Host, Software
    from lachan.intel.models import Advisory, Exposure, Vulnerability

    assert Vulnerability.objects.filter(kev=True).count() >= 5
    assert Vulnerability.objects.exclude(epss=None).count() >= 5
    assert Host.objects.count() >= 40
    assert not Software.objects.filter(mapping_method="unmapped").exists()
    assert Advisory.objects.filter(cve_ids=[]).exists()
    statuses = set(Exposure.objects.values_list("status", flat=True))
    assert statuses == {"affected", "needs_review"}
    assert Exposure.objects.filter(vulnerability__record_id__startswith="ADV-").exists()
    vuln_tasks = Task.objects.filter(problem_key__startswith="vuln:")
    assert (
        vuln_tasks.count()
        == Exposure.objects.filter(status="affected").values("host").distinct().count()
    )

    # Everything went through the services: the audit log and the outbox are full.
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"unit.create", "unit.retire", "unit.alias_add", "user.create", "role.assign"} <= actions
    assert {"finding.create", "task.create", "task.start", "task.submit", "task.return"} <= actions
    assert {"task.verify", "task.close", "task.comment"} <= actions
    events = set(Notification.objects.values_list("event", flat=True))
    assert {"task.assigned", "task.submitted", "task.returned", "task.verified"} <= events
    assert {"task.overdue", "task.due_soon"} <= events
    assert not Notification.objects.exclude(recipient__endswith="@example.edu.vn").exists()


@pytest.mark.django_db
def test_seed_is_idempotent():
    first = seed_demo()
    counts = {
        model.__name__: model.objects.count()
        for model in (Unit, Task, Finding, Notification, AuditLog, get_user_model())
    }
    second = seed_demo()
    assert not second.created
    assert [login.username for login in second.logins] == [login.username for login in first.logins]
    assert counts == {
        model.__name__: model.objects.count()
        for model in (Unit, Task, Finding, Notification, AuditLog, get_user_model())
    }


@pytest.mark.django_db(transaction=True)  # the seed commits, so its mail is really delivered
def test_lachan_demo_no_serve_prints_the_logins(monkeypatch, settings, tmp_path):
    from lachan.cli import _load_commands, cli

    # The command sets these for its server process; keep them out of other tests.
    monkeypatch.setenv("LACHAN_REQUIRE_2FA_DEPARTMENT", "1")
    monkeypatch.setenv("LACHAN_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    settings.LACHAN_HOME = tmp_path
    _load_commands()
    result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "Tài khoản trình diễn" in result.output
    for username in ("demo-so-admin", "demo-so-attt", "demo-thpt-cntt", "demo-giaovien"):
        assert username in result.output
    assert DEMO_PASSWORD in result.output
    assert "LACHAN_REQUIRE_2FA_DEPARTMENT=0" in result.output
    assert Unit.objects.filter(code=SO_CODE).exists()
    # Mail written while seeding went to files in the data directory, not to the screen.
    assert list((tmp_path / "mail" / "demo-seed").iterdir())

    again = CliRunner().invoke(cli, ["demo", "--no-serve", "--format", "json"])
    assert again.exit_code == 0, again.output
    import json

    logins = json.loads(again.output)
    assert {"username", "password", "role", "unit"} == set(logins[0])
    assert Unit.objects.filter(code=SO_CODE).count() == 1

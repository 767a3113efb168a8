"""The spine's writes: findings, tasks, transitions, evidence, policy — and their audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lachan.audit.models import AuditLog
from lachan.org.models import Role
from lachan.remediation import selectors, services
from lachan.remediation.models import DuePolicy, Finding, Task, TaskComment, TaskStatus
from lachan.remediation.services import TransitionError

from .util import upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def actions_of(obj) -> list[str]:
    return list(
        AuditLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


# --- findings ---------------------------------------------------------------------------------


def test_recording_the_same_key_refreshes_the_finding(tree):
    first, created = services.record_finding(
        actor=None,
        source="botnet",
        unit=tree.a,
        dedupe_key="203.0.113.7",
        title="IP 203.0.113.7 trong danh sách botnet tháng 10",
        severity="medium",
        evidence={"ip": "203.0.113.7", "month": "10/2026"},
    )
    assert created
    later = timezone.now() + dt.timedelta(days=30)
    again, created = services.record_finding(
        actor=None,
        source="botnet",
        unit=tree.a,
        dedupe_key="203.0.113.7",
        title="IP 203.0.113.7 trong danh sách botnet tháng 11",
        severity="high",
        evidence={"month": "11/2026", "malware": "Mirai"},
        seen_at=later,
    )
    assert not created
    assert again.pk == first.pk
    assert Finding.objects.count() == 1
    again.refresh_from_db()
    assert again.occurrences == 2
    assert again.last_seen == later
    assert again.severity == "high"
    assert again.evidence == {"ip": "203.0.113.7", "month": "11/2026", "malware": "Mirai"}
    assert actions_of(again) == ["finding.create", "finding.refresh"]


def test_a_refresh_never_lowers_severity_and_reopens_a_resolved_finding(tree, finding_at):
    finding = finding_at(tree.a, severity="critical")
    services.resolve_finding(actor=None, finding=finding, note="Đã gỡ")
    refreshed = finding_at(tree.a, severity="low")
    assert refreshed.severity == "critical"
    assert refreshed.resolved_at is None


def test_same_key_from_another_source_is_another_finding(tree, finding_at):
    finding_at(tree.a, key="10.0.0.1", source="botnet")
    finding_at(tree.a, key="10.0.0.1", source="malware")
    assert Finding.objects.count() == 2


def test_record_finding_rejects_unknown_source_and_severity(tree):
    with pytest.raises(ValidationError):
        services.record_finding(actor=None, source="rumour", unit=tree.a, dedupe_key="k", title="t")
    with pytest.raises(ValidationError):
        services.record_finding(
            actor=None, source="botnet", unit=tree.a, dedupe_key="k", title="t", severity="huge"
        )


# --- one problem, one open task ---------------------------------------------------------------


def test_findings_of_one_problem_yield_one_task(tree, finding_at):
    finding = finding_at(tree.a)
    (task,) = services.open_tasks_from_findings(actor=None, findings=[finding])
    finding = finding_at(tree.a)  # seen again next month
    (again,) = services.open_tasks_from_findings(actor=None, findings=[finding])
    assert again.pk == task.pk
    assert Task.objects.filter(unit=tree.a).count() == 1
    assert list(task.findings.all()) == [finding]
    assert task.source == "botnet"


def test_a_submitted_task_goes_back_to_work_on_new_evidence_without_a_second_task(
    tree, finding_at, it_a
):
    first = finding_at(tree.a, key="203.0.113.7")
    task, _ = services.open_or_refresh_task(
        actor=None, unit=tree.a, problem_key="botnet:lan-a", title="Botnet", findings=[first]
    )
    services.submit_task(actor=it_a, task=task, answer_text="Đã xử lý.", files=[])
    second = finding_at(tree.a, key="203.0.113.8")
    again, created = services.open_or_refresh_task(
        actor=None, unit=tree.a, problem_key="botnet:lan-a", title="Botnet", findings=[second]
    )
    assert not created and again.pk == task.pk
    assert again.status == TaskStatus.IN_PROGRESS
    assert set(again.findings.all()) == {first, second}
    assert Task.objects.unfinished().filter(unit=tree.a, problem_key="botnet:lan-a").count() == 1
    assert "task.refresh" in actions_of(task)


def test_a_submitted_task_stays_submitted_when_the_same_finding_is_seen_again(
    tree, finding_at, it_a
):
    finding = finding_at(tree.a)
    (task,) = services.open_tasks_from_findings(actor=None, findings=[finding])
    services.submit_task(actor=it_a, task=task, answer_text="Đã xử lý.")
    (again,) = services.open_tasks_from_findings(actor=None, findings=[finding_at(tree.a)])
    assert again.pk == task.pk
    assert again.status == TaskStatus.SUBMITTED


def test_after_verification_the_problem_may_open_a_new_task(tree, finding_at, it_a, dept_officer):
    (task,) = services.open_tasks_from_findings(actor=None, findings=[finding_at(tree.a)])
    services.submit_task(actor=it_a, task=task, answer_text="Đã xử lý.")
    services.verify_task(actor=dept_officer, task=task)
    (new,) = services.open_tasks_from_findings(actor=None, findings=[finding_at(tree.a)])
    assert new.pk != task.pk
    assert Task.objects.unfinished().filter(unit=tree.a).count() == 1


def test_the_database_refuses_a_second_unfinished_task_for_a_problem(tree):
    services.open_or_refresh_task(actor=None, unit=tree.a, problem_key="p", title="Một")
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(unit=tree.a, problem_key="p", title="Hai", due_date=TODAY())


def test_same_problem_at_two_units_is_two_tasks(tree):
    a, _ = services.open_or_refresh_task(actor=None, unit=tree.a, problem_key="p", title="x")
    b, _ = services.open_or_refresh_task(actor=None, unit=tree.b, problem_key="p", title="x")
    assert a.pk != b.pk


def test_severity_escalation_pulls_the_due_date_in(tree, finding_at):
    task, _ = services.open_or_refresh_task(
        actor=None, unit=tree.a, problem_key="cve:x", title="Lỗ hổng", severity="low"
    )
    assert task.due_date == TODAY() + dt.timedelta(days=30)
    critical = finding_at(tree.a, key="cve-x", source="vulnerability", severity="critical")
    again, _ = services.open_or_refresh_task(
        actor=None, unit=tree.a, problem_key="cve:x", title="Lỗ hổng", findings=[critical]
    )
    assert again.severity == "critical"
    assert again.due_date == TODAY() + dt.timedelta(days=3)
    entry = AuditLog.objects.filter(action="task.refresh", object_id=str(task.pk)).get()
    assert entry.before["severity"] == "low" and entry.after["severity"] == "critical"


def test_escalation_never_pushes_an_earlier_due_date_out(tree):
    early = TODAY() + dt.timedelta(days=1)
    task, _ = services.open_or_refresh_task(
        actor=None, unit=tree.a, problem_key="p", title="x", severity="low", due_date=early
    )
    again, _ = services.open_or_refresh_task(
        actor=None, unit=tree.a, problem_key="p", title="x", severity="high"
    )
    assert again.due_date == early


def test_due_date_follows_the_policy(tree, dept_admin):
    services.set_due_policy(actor=dept_admin, severity="high", days=5)
    task = services.create_task(actor=None, unit=tree.a, title="x", severity="high")
    assert task.due_date == TODAY() + dt.timedelta(days=5)


# --- transitions by status --------------------------------------------------------------------

ALLOWED = {
    "start": {"open", "returned"},
    "submit": {"open", "in_progress", "returned"},
    "verify": {"submitted"},
    "return": {"submitted"},
    "close": {"open", "in_progress", "submitted", "returned", "verified"},
}
RESULT = {
    "start": "in_progress",
    "submit": "submitted",
    "verify": "verified",
    "return": "returned",
    "close": "closed",
}


def perform(action: str, task: Task, actor) -> Task:
    if action == "start":
        return services.start_task(actor=actor, task=task)
    if action == "submit":
        return services.submit_task(actor=actor, task=task, answer_text="Đã xử lý.")
    if action == "verify":
        return services.verify_task(actor=actor, task=task)
    if action == "return":
        return services.return_task(actor=actor, task=task, reason="Thiếu minh chứng.")
    return services.close_task(actor=actor, task=task, note="Giao nhầm đơn vị.")


@pytest.mark.parametrize("status", [s.value for s in TaskStatus])
@pytest.mark.parametrize("action", list(ALLOWED))
def test_transition_by_status(action, status, tree, task_at, dept_admin):
    task = task_at(tree.a, status)
    if status in ALLOWED[action]:
        done = perform(action, task, dept_admin)
        assert done.status == RESULT[action]
        assert Task.objects.get(pk=task.pk).status == RESULT[action]
        assert actions_of(task)[-1] == f"task.{action}"
    else:
        with pytest.raises(TransitionError):
            perform(action, task, dept_admin)
        assert Task.objects.get(pk=task.pk).status == status


# --- transitions by role ----------------------------------------------------------------------

# (role, unit attribute of the tree where the role is held)
ACTORS = {
    "dept_admin": (Role.DEPT_ADMIN, "so"),
    "dept_security": (Role.DEPT_SECURITY, "so"),
    "it_a": (Role.UNIT_IT, "a"),
    "head_a": (Role.UNIT_HEAD, "a"),
    "learner_a": (Role.LEARNER, "a"),
    "it_b": (Role.UNIT_IT, "b"),
    "it_vp": (Role.UNIT_IT, "vp"),
}
UNIT_SIDE = {"dept_admin", "dept_security", "it_a", "head_a"}
DEPARTMENT = {"dept_admin", "dept_security"}
STATUS_FOR = {
    "start": "open",
    "submit": "in_progress",
    "verify": "submitted",
    "return": "submitted",
    "close": "submitted",
}


@pytest.mark.parametrize("actor_name", list(ACTORS))
@pytest.mark.parametrize("action", list(STATUS_FOR))
def test_transition_by_role(action, actor_name, tree, make_user, task_at):
    role, unit_attr = ACTORS[actor_name]
    actor = make_user(role, getattr(tree, unit_attr))
    task = task_at(tree.a, STATUS_FOR[action])
    allowed = actor_name in (UNIT_SIDE if action in ("start", "submit") else DEPARTMENT)
    if allowed:
        assert perform(action, task, actor).status == RESULT[action]
    else:
        with pytest.raises(PermissionDenied):
            perform(action, task, actor)
        assert Task.objects.get(pk=task.pk).status == STATUS_FOR[action]


def test_a_cluster_officer_acts_on_the_schools_below(tree, make_user, task_at):
    cluster_it = make_user(Role.UNIT_IT, tree.cum)
    task = task_at(tree.c)
    assert services.start_task(actor=cluster_it, task=task).status == "in_progress"


@pytest.mark.parametrize("actor_name", list(ACTORS))
def test_comment_by_role(actor_name, tree, make_user, task_at):
    role, unit_attr = ACTORS[actor_name]
    actor = make_user(role, getattr(tree, unit_attr))
    task = task_at(tree.a)
    if actor_name in UNIT_SIDE:
        comment = services.add_comment(actor=actor, task=task, body="Đã liên hệ nhà mạng.")
        assert comment.author == actor
        assert actions_of(task)[-1] == "task.comment"
    else:
        with pytest.raises(PermissionDenied):
            services.add_comment(actor=actor, task=task, body="x")


def test_create_task_is_for_the_department(tree, it_a, dept_officer):
    with pytest.raises(PermissionDenied):
        services.create_task(actor=it_a, unit=tree.a, title="Tự giao")
    task = services.create_task(actor=dept_officer, unit=tree.a, title="Rà soát camera")
    assert task.created_by == dept_officer
    assert task.source == "manual"


# --- what each transition needs and records ---------------------------------------------------


def test_submit_needs_an_answer(tree, task_at, it_a):
    task = task_at(tree.a)
    with pytest.raises(ValidationError) as err:
        services.submit_task(actor=it_a, task=task, answer_text="   ")
    assert "answer_text" in err.value.error_dict


def test_evidence_is_stored_with_its_sha256(tree, task_at, it_a):
    task = task_at(tree.a)
    content = "Biên bản quét mã độc — 25 máy trạm.\n".encode()
    services.submit_task(
        actor=it_a,
        task=task,
        answer_text="Đã quét.",
        files=[upload("biên bản quét.txt", content), upload("anh-chup.png", b"\x89PNG...")],
    )
    first, second = task.evidence.order_by("id")
    assert first.original_name == "biên bản quét.txt"
    assert first.sha256 == hashlib.sha256(content).hexdigest()
    assert first.size == len(content)
    assert first.uploaded_by == it_a
    with first.file.open("rb") as fh:
        assert fh.read() == content
    assert second.sha256 == hashlib.sha256(b"\x89PNG...").hexdigest()
    entry = AuditLog.objects.filter(action="task.submit", object_id=str(task.pk)).get()
    assert entry.after["evidence"][0].startswith("biên bản quét.txt (")
    assert entry.before["status"] == "open" and entry.after["status"] == "submitted"


def test_evidence_over_the_limit_is_refused_and_nothing_changes(tree, task_at, it_a, settings):
    settings.LACHAN_EVIDENCE_MAX_BYTES = 10
    task = task_at(tree.a)
    with pytest.raises(ValidationError):
        services.submit_task(
            actor=it_a, task=task, answer_text="x", files=[upload("lon.bin", b"x" * 11)]
        )
    task.refresh_from_db()
    assert task.status == "open" and task.evidence.count() == 0


def test_return_needs_a_reason_and_keeps_it(tree, task_at, dept_officer):
    task = task_at(tree.a, "submitted")
    with pytest.raises(ValidationError):
        services.return_task(actor=dept_officer, task=task, reason=" ")
    services.return_task(actor=dept_officer, task=task, reason="Thiếu ảnh chụp màn hình.")
    task.refresh_from_db()
    assert task.return_reason == "Thiếu ảnh chụp màn hình."


def test_close_needs_a_note_unless_verified(tree, task_at, dept_officer):
    task = task_at(tree.a, "in_progress")
    with pytest.raises(ValidationError):
        services.close_task(actor=dept_officer, task=task)
    verified = task_at(tree.b, "verified")
    assert services.close_task(actor=dept_officer, task=verified).status == "closed"


def test_reopen_puts_a_finished_task_back_to_work(tree, task_at, it_a, dept_officer):
    from lachan.notifications.models import Notification

    open_task = task_at(tree.a, "in_progress")
    with pytest.raises(TransitionError):
        services.reopen_task(actor=dept_officer, task=open_task, reason="Tái nhiễm.")
    task = task_at(tree.b, "verified")
    with pytest.raises(PermissionDenied):
        services.reopen_task(actor=it_a, task=task, reason="Tái nhiễm.")
    with pytest.raises(ValidationError):
        services.reopen_task(actor=dept_officer, task=task, reason=" ")
    services.reopen_task(actor=dept_officer, task=task, reason="Tái nhiễm: có lại trong danh sách.")
    task.refresh_from_db()
    assert task.status == "open" and task.verified_at is None and task.closed_at is None
    assert task.due_date == services.due_date_for(task.severity)
    assert TaskComment.objects.filter(task=task).last().body.startswith("Tái nhiễm")
    entry = AuditLog.objects.get(action="task.reopen")
    assert entry.before["status"] == "verified" and entry.after["status"] == "open"
    assert Notification.objects.filter(event="task.reopened", object_id=str(task.pk)).exists()


def test_verify_resolves_the_findings_and_keeps_the_note(tree, finding_at, it_a, dept_officer):
    (task,) = services.open_tasks_from_findings(actor=None, findings=[finding_at(tree.a)])
    services.submit_task(actor=it_a, task=task, answer_text="Đã gỡ.")
    services.verify_task(actor=dept_officer, task=task, note="Đạt yêu cầu.")
    assert task.findings.get().resolved_at is not None
    assert TaskComment.objects.get(task=task).body == "Đạt yêu cầu."
    assert AuditLog.objects.get(action="task.verify").message == "Đạt yêu cầu."


def test_every_step_is_audited_with_actor_unit_and_states(tree, task_at, it_a, dept_officer):
    task = task_at(tree.a)
    services.start_task(actor=it_a, task=task)
    services.submit_task(actor=it_a, task=task, answer_text="Đã làm.")
    services.return_task(actor=dept_officer, task=task, reason="Bổ sung.")
    services.submit_task(actor=it_a, task=task, answer_text="Đã bổ sung.")
    services.verify_task(actor=dept_officer, task=task)
    services.close_task(actor=dept_officer, task=task)
    entries = list(selectors.task_timeline(task))
    assert [e.action for e in entries] == [
        "task.create",
        "task.start",
        "task.submit",
        "task.return",
        "task.submit",
        "task.verify",
        "task.close",
    ]
    for e in entries[1:]:
        assert e.unit_id == tree.a.pk
        assert e.before["status"] != e.after["status"]
    assert entries[1].actor == it_a and entries[3].actor == dept_officer


def test_notifications_follow_the_workflow(tree, task_at, it_a, dept_officer):
    from lachan.notifications.models import Notification

    task = task_at(tree.a)
    assert Notification.objects.filter(event="task.assigned", object_id=str(task.pk)).exists()
    services.submit_task(actor=it_a, task=task, answer_text="Đã làm.")
    services.return_task(actor=dept_officer, task=task, reason="Bổ sung.")
    events = set(
        Notification.objects.filter(object_id=str(task.pk)).values_list("event", flat=True)
    )
    assert {"task.assigned", "task.submitted", "task.returned"} <= events


# --- overdue ----------------------------------------------------------------------------------


def test_overdue_is_computed_from_the_due_date_and_status(tree, task_at):
    late = task_at(tree.a)
    Task.objects.filter(pk=late.pk).update(due_date=TODAY() - dt.timedelta(days=4))
    late.refresh_from_db()
    assert late.is_overdue and late.days_left == -4
    due_today = task_at(tree.b)
    Task.objects.filter(pk=due_today.pk).update(due_date=TODAY())
    due_today.refresh_from_db()
    assert not due_today.is_overdue and due_today.days_left == 0
    answered = task_at(tree.c, "submitted")
    Task.objects.filter(pk=answered.pk).update(due_date=TODAY() - dt.timedelta(days=9))
    answered.refresh_from_db()
    assert not answered.is_overdue  # the unit has answered; the ball is with the Department
    assert set(Task.objects.overdue()) == {late}


# --- several units at once, policy ------------------------------------------------------------


def test_create_tasks_gives_one_task_per_unit(tree, dept_officer):
    tasks = services.create_tasks(
        actor=dept_officer,
        units=[tree.a, tree.b, tree.c],
        title="Cập nhật bản vá Windows tháng 11",
        severity="high",
    )
    assert sorted(t.unit.code for t in tasks) == ["THCS-C", "THPT-A", "THPT-B"]
    assert {t.due_date for t in tasks} == {TODAY() + dt.timedelta(days=7)}
    assert len({t.problem_key for t in tasks}) == 3


def test_create_tasks_is_all_or_nothing(tree, make_user):
    a_only = make_user(Role.DEPT_SECURITY, tree.a)
    with pytest.raises(PermissionDenied):
        services.create_tasks(actor=a_only, units=[tree.a, tree.b], title="x")
    assert Task.objects.count() == 0


def test_create_tasks_checks_its_input(tree, dept_officer):
    with pytest.raises(ValidationError):
        services.create_tasks(actor=dept_officer, units=[], title="x")
    with pytest.raises(ValidationError):
        services.create_tasks(actor=dept_officer, units=[tree.a], title="  ")
    with pytest.raises(ValidationError):
        services.create_tasks(
            actor=dept_officer,
            units=[tree.a],
            title="x",
            due_date=TODAY() - dt.timedelta(days=1),
        )


def test_due_policies_are_for_department_admins_and_audited(tree, dept_admin, dept_officer):
    with pytest.raises(PermissionDenied):
        services.set_due_policies(actor=dept_officer, days_by_severity={"high": 5})
    changed = services.set_due_policies(
        actor=dept_admin, days_by_severity={"critical": 3, "high": 5, "medium": 15, "low": 20}
    )
    assert sorted(p.severity for p in changed) == ["high", "low"]
    assert DuePolicy.days_for("high") == 5 and DuePolicy.days_for("critical") == 3
    assert AuditLog.objects.filter(action="policy.due_days").count() == 2
    with pytest.raises(ValidationError):
        services.set_due_policies(actor=dept_admin, days_by_severity={"high": 0})

"""Findings and tasks over the API: scoping, recording, the task workflow and its errors.

Bad transitions (an action the task's current status does not allow) answer **409
Conflict**: the request is well-formed and the caller may act on the task, but not now.
A missing reason or answer is 422; acting without the role is 403; another unit's task 404.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lachan.audit.models import AuditLog
from lachan.org.models import Role
from lachan.remediation import services
from lachan.remediation.models import Finding, Task, TaskComment

pytestmark = pytest.mark.django_db


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


# --- findings ---------------------------------------------------------------------------------


def test_findings_are_scoped_to_the_callers_units(api_as, it_a, dept_officer, findings_and_tasks):
    assert {f["unit"]["code"] for f in items(api_as(it_a).get("remediation/findings/"))} == {
        "THPT-A"
    }
    assert {
        f["unit"]["code"] for f in items(api_as(dept_officer).get("remediation/findings/"))
    } == {
        "THPT-A",
        "THPT-B",
        "THCS-C",
    }


def test_finding_filters(api_as, dept_officer, findings_and_tasks, tree):
    api = api_as(dept_officer)
    assert [
        f["severity"] for f in items(api.get("remediation/findings/", {"severity": "critical"}))
    ] == ["critical"]
    assert [
        f["unit"]["code"] for f in items(api.get("remediation/findings/", {"unit_id": tree.c.pk}))
    ] == ["THCS-C"]
    assert items(api.get("remediation/findings/", {"source": "malware"})) == []
    assert len(items(api.get("remediation/findings/", {"q": "THPT-"}))) == 2
    assert len(items(api.get("remediation/findings/", {"unresolved": "true"}))) == 3


def test_finding_detail_and_other_units_finding_is_404(api_as, it_a, findings_and_tasks):
    finding_a, task_a = findings_and_tasks["a"]
    finding_b, _ = findings_and_tasks["b"]
    api = api_as(it_a)
    body = api.get(f"remediation/findings/{finding_a.pk}/").json()
    assert body["title"] == "Máy nhiễm botnet tại THPT-A"
    assert body["source_label"] == "Danh sách IP botnet"
    assert [t["id"] for t in body["tasks"]] == [task_a.pk]
    assert api.get(f"remediation/findings/{finding_b.pk}/").status_code == 404


FINDING = {
    "source": "vulnerability",
    "unit_code": "THPT-A",
    "dedupe_key": "CVE-2024-0001@10.1.1.5",
    "title": "Máy chủ web dùng phiên bản có lỗ hổng CVE-2024-0001",
    "severity": "high",
    "asset_ref": "10.1.1.5",
    "evidence": {"cve": "CVE-2024-0001", "port": 443},
}


def test_department_records_a_finding_and_the_same_key_refreshes_it(api_as, dept_officer, tree):
    api = api_as(dept_officer)
    first = api.post("remediation/findings/", FINDING)
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True
    assert first.json()["task"] is None
    again = api.post(
        "remediation/findings/", {**FINDING, "severity": "critical", "evidence": {"seen": 2}}
    )
    assert again.status_code == 200
    body = again.json()
    assert body["created"] is False
    assert body["finding"]["occurrences"] == 2
    assert body["finding"]["severity"] == "critical"
    assert body["finding"]["evidence"] == {"cve": "CVE-2024-0001", "port": 443, "seen": 2}
    assert Finding.objects.count() == 1


def test_open_task_opens_one_task_and_refreshes_it(api_as, dept_officer, tree):
    api = api_as(dept_officer)
    body = api.post(
        "remediation/findings/", {**FINDING, "open_task": True, "task_guidance": "Cập nhật bản vá."}
    ).json()
    task = Task.objects.get(pk=body["task"]["id"])
    assert task.unit == tree.a
    assert task.guidance == "Cập nhật bản vá."
    assert task.due_date == timezone.localdate() + dt.timedelta(days=7)
    body = api.post("remediation/findings/", {**FINDING, "open_task": True}).json()
    assert body["task"]["id"] == task.pk
    assert Task.objects.count() == 1


@pytest.mark.parametrize("who", ["it_a", "unit_head_a", "learner_a"])
def test_schools_cannot_record_findings(api_as, request, who):
    response = api_as(request.getfixturevalue(who)).post("remediation/findings/", FINDING)
    assert response.status_code == 403
    assert not Finding.objects.exists()


def test_department_user_of_an_office_records_only_within_its_subtree(api_as, make_user, tree):
    office = make_user(Role.DEPT_SECURITY, tree.vp)
    response = api_as(office).post("remediation/findings/", FINDING)
    assert response.status_code == 422
    assert response.json()["errors"] == {"unit_code": ["Không tìm thấy đơn vị."]}


def test_finding_record_validation(api_as, dept_officer, tree):
    api = api_as(dept_officer)
    response = api.post("remediation/findings/", {**FINDING, "source": "tin_don"})
    assert response.status_code == 422
    assert "source" in response.json()["errors"]
    response = api.post("remediation/findings/", {**FINDING, "unit_id": tree.a.pk})
    assert response.status_code == 422
    assert "unit_id" in response.json()["errors"]
    assert not Finding.objects.exists()


# --- tasks: reads -----------------------------------------------------------------------------


def test_task_list_scoping_and_filters(api_as, it_a, dept_officer, findings_and_tasks, tree):
    assert [t["unit"]["code"] for t in items(api_as(it_a).get("remediation/tasks/"))] == ["THPT-A"]
    api = api_as(dept_officer)
    assert len(items(api.get("remediation/tasks/"))) == 3
    assert [
        t["unit"]["code"] for t in items(api.get("remediation/tasks/", {"unit_id": tree.cum.pk}))
    ] == ["THCS-C"]
    assert (
        items(api.get("remediation/tasks/", {"unit_id": tree.cum.pk, "include_subtree": "false"}))
        == []
    )
    assert [t["severity"] for t in items(api.get("remediation/tasks/", {"severity": "low"}))] == [
        "low"
    ]
    assert len(items(api.get("remediation/tasks/", {"source": "botnet"}))) == 3
    assert len(items(api.get("remediation/tasks/", {"status": "open"}))) == 3
    assert items(api.get("remediation/tasks/", {"status": "verified"})) == []
    assert [
        t["unit"]["code"] for t in items(api.get("remediation/tasks/", {"q": "Nguyễn Trãi"}))
    ] == ["THPT-B"]
    _f, task_c = findings_and_tasks["c"]
    Task.objects.filter(pk=task_c.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    overdue = items(api.get("remediation/tasks/", {"overdue": "true"}))
    assert [(t["id"], t["is_overdue"]) for t in overdue] == [(task_c.pk, True)]
    assert len(items(api.get("remediation/tasks/", {"overdue": "false"}))) == 2
    assert api.get("remediation/tasks/", {"status": "xong"}).status_code == 422


def test_school_filtering_by_another_schools_unit_gets_nothing(
    api_as, it_a, findings_and_tasks, tree
):
    response = api_as(it_a).get("remediation/tasks/", {"unit_id": tree.b.pk})
    assert items(response) == []
    assert response.json()["count"] == 0


def test_task_detail_has_findings_comments_and_evidence(api_as, it_a, findings_and_tasks):
    finding, task = findings_and_tasks["a"]
    services.add_comment(actor=it_a, task=task, body="Đang xử lý")
    services.submit_task(
        actor=it_a,
        task=task,
        answer_text="Đã quét sạch.",
        files=[SimpleUploadedFile("bao-cao.txt", "nội dung".encode())],
    )
    body = api_as(it_a).get(f"remediation/tasks/{task.pk}/").json()
    assert body["status"] == "submitted"
    assert body["status_label"] == "Đã báo cáo"
    assert body["submitted_by"] == "it_a"
    assert [f["id"] for f in body["findings"]] == [finding.pk]
    assert [(c["author"], c["body"]) for c in body["comments"]] == [("it_a", "Đang xử lý")]
    (evidence,) = body["evidence"]
    assert evidence["original_name"] == "bao-cao.txt"
    assert evidence["size"] == len("nội dung".encode())
    download = api_as(it_a).get(evidence["download_url"].removeprefix("/api/v1/"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == "nội dung".encode()
    assert "bao-cao.txt" in download["Content-Disposition"]


def test_other_schools_task_and_evidence_are_404(api_as, it_a, it_b, findings_and_tasks):
    _f, task_b = findings_and_tasks["b"]
    services.submit_task(
        actor=it_b, task=task_b, answer_text="Xong", files=[SimpleUploadedFile("b.txt", b"B")]
    )
    evidence = task_b.evidence.get()
    api = api_as(it_a)
    assert api.get(f"remediation/tasks/{task_b.pk}/").status_code == 404
    assert api.get(f"remediation/tasks/{task_b.pk}/evidence/{evidence.pk}/").status_code == 404
    _f, task_a = findings_and_tasks["a"]
    # B's evidence through A's own task: still 404.
    assert api.get(f"remediation/tasks/{task_a.pk}/evidence/{evidence.pk}/").status_code == 404


def test_learner_sees_no_tasks(api_as, learner_a, findings_and_tasks):
    _f, task_a = findings_and_tasks["a"]
    api = api_as(learner_a)
    assert items(api.get("remediation/tasks/")) == []
    assert api.get(f"remediation/tasks/{task_a.pk}/").status_code == 404
    assert api.post(f"remediation/tasks/{task_a.pk}/start/").status_code == 404


# --- tasks: writes ----------------------------------------------------------------------------


def test_department_creates_a_task(api_as, dept_officer, tree):
    response = api_as(dept_officer).post(
        "remediation/tasks/",
        {"unit_id": tree.a.pk, "title": "Rà soát tài khoản quản trị", "severity": "low"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "manual"
    assert body["due_date"] == (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert body["created_by"] == "attt_so"
    assert AuditLog.objects.filter(action="task.create", object_id=str(body["id"])).exists()


def test_task_create_errors(api_as, dept_officer, it_a, tree):
    api = api_as(dept_officer)
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = api.post(
        "remediation/tasks/", {"unit_code": "THPT-A", "title": "X", "due_date": past}
    )
    assert response.status_code == 422
    assert "due_date" in response.json()["errors"]
    response = api.post("remediation/tasks/", {"unit_code": "THPT-A"})
    assert response.json()["errors"] == {"title": ["Trường này là bắt buộc."]}
    assert (
        api_as(it_a).post("remediation/tasks/", {"unit_code": "THPT-A", "title": "X"}).status_code
        == 403
    )
    assert not Task.objects.exists()


def test_full_workflow_over_the_api(api_as, it_a, dept_officer, findings_and_tasks):
    finding, task = findings_and_tasks["a"]
    school, dept = api_as(it_a), api_as(dept_officer)
    path = f"remediation/tasks/{task.pk}/"

    assert school.post(path + "start/").json()["status"] == "in_progress"
    response = school.post(path + "comments/", {"body": "Cần hỗ trợ quét mã độc"})
    assert response.status_code == 201
    assert response.json()["author"] == "it_a"

    response = school.post_multipart(
        path + "submit/",
        {
            "answer_text": "Đã cách ly máy và quét sạch.",
            "files": [
                SimpleUploadedFile("anh-chup.png", b"\x89PNG..."),
                SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4"),
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert sorted(e["original_name"] for e in body["evidence"]) == ["anh-chup.png", "bien-ban.pdf"]

    assert school.post(path + "verify/", {}).status_code == 403
    response = dept.post(path + "return/", {"reason": "Thiếu ảnh chụp màn hình kết quả quét."})
    assert response.json()["status"] == "returned"
    assert response.json()["return_reason"] == "Thiếu ảnh chụp màn hình kết quả quét."

    school.post(path + "start/")
    school.post_multipart(path + "submit/", {"answer_text": "Bổ sung ảnh."})
    response = dept.post(path + "verify/", {"note": "Đạt"})
    assert response.json()["status"] == "verified"
    assert response.json()["verified_by"] == "attt_so"
    finding.refresh_from_db()
    assert finding.resolved_at is not None
    response = dept.post(path + "close/", {})
    assert response.json()["status"] == "closed"
    actions = list(
        AuditLog.objects.filter(object_id=str(task.pk), object_type="remediation.task")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "task.create",
        "task.start",
        "task.comment",
        "task.submit",
        "task.return",
        "task.start",
        "task.submit",
        "task.verify",
        "task.close",
    ]


def test_bad_transitions_are_409(api_as, it_a, dept_officer, findings_and_tasks):
    _f, task = findings_and_tasks["a"]
    path = f"remediation/tasks/{task.pk}/"
    dept = api_as(dept_officer)
    response = dept.post(path + "verify/", {})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Không thể xác nhận khi việc đang ở trạng thái “Mới giao”."
    }
    assert dept.post(path + "return/", {"reason": "x"}).status_code == 409
    services.submit_task(actor=it_a, task=task, answer_text="Xong")
    assert api_as(it_a).post(path + "start/").status_code == 409
    assert api_as(it_a).post_multipart(path + "submit/", {"answer_text": "Lại"}).status_code == 409
    Task.objects.filter(pk=task.pk).update(status="closed")
    assert dept.post(path + "close/", {"note": "x"}).status_code == 409


def test_transition_input_errors_are_422(api_as, it_a, dept_officer, findings_and_tasks):
    _f, task = findings_and_tasks["a"]
    path = f"remediation/tasks/{task.pk}/"
    school, dept = api_as(it_a), api_as(dept_officer)
    response = school.post_multipart(path + "submit/", {"answer_text": "   "})
    assert response.status_code == 422
    assert "answer_text" in response.json()["errors"]
    response = school.post_multipart(path + "submit/", {})
    assert response.json()["errors"] == {"answer_text": ["Trường này là bắt buộc."]}
    response = dept.post(path + "close/", {"note": ""})
    assert response.status_code == 422
    assert "note" in response.json()["errors"]
    services.submit_task(actor=it_a, task=task, answer_text="Xong")
    response = dept.post(path + "return/", {"reason": " "})
    assert response.status_code == 422
    assert "reason" in response.json()["errors"]
    assert school.post(path + "comments/", {"body": ""}).status_code == 422
    task.refresh_from_db()
    assert task.status == "submitted"


def test_evidence_larger_than_the_limit_is_422(api_as, it_a, findings_and_tasks, settings):
    settings.LACHAN_EVIDENCE_MAX_BYTES = 10
    _f, task = findings_and_tasks["a"]
    response = api_as(it_a).post_multipart(
        f"remediation/tasks/{task.pk}/submit/",
        {"answer_text": "Xong", "files": [SimpleUploadedFile("lon.bin", b"x" * 11)]},
    )
    assert response.status_code == 422
    assert "evidence" in response.json()["errors"]
    task.refresh_from_db()
    assert task.status == "open"
    assert not task.evidence.exists()


def test_school_cannot_act_on_another_schools_task(api_as, it_a, findings_and_tasks):
    _f, task_b = findings_and_tasks["b"]
    before = Task.objects.filter(pk=task_b.pk).values().get()
    api = api_as(it_a)
    path = f"remediation/tasks/{task_b.pk}/"
    for response in (
        api.post(path + "start/"),
        api.post_multipart(path + "submit/", {"answer_text": "x"}),
        api.post(path + "verify/", {}),
        api.post(path + "return/", {"reason": "x"}),
        api.post(path + "close/", {"note": "x"}),
        api.post(path + "comments/", {"body": "x"}),
    ):
        assert response.status_code == 404
    assert Task.objects.filter(pk=task_b.pk).values().get() == before
    assert not TaskComment.objects.filter(task=task_b).exists()


def test_unit_head_works_the_task_but_cannot_verify(api_as, unit_head_a, findings_and_tasks):
    _f, task = findings_and_tasks["a"]
    api = api_as(unit_head_a)
    path = f"remediation/tasks/{task.pk}/"
    assert api.post(path + "start/").status_code == 200
    assert api.post_multipart(path + "submit/", {"answer_text": "Xong"}).status_code == 200
    assert api.post(path + "verify/", {}).status_code == 403
    assert api.post(path + "close/", {"note": "x"}).status_code == 403


def test_verify_and_close_need_no_body(api_as, it_a, dept_officer, findings_and_tasks):
    _f, task = findings_and_tasks["a"]
    services.submit_task(actor=it_a, task=task, answer_text="Xong")
    api = api_as(dept_officer)
    path = f"/api/v1/remediation/tasks/{task.pk}/"
    headers = api._headers()
    response = api.client.post(
        path + "verify/", "", content_type="application/json", headers=headers
    )
    assert response.json()["status"] == "verified"
    response = api.client.post(
        path + "close/", "", content_type="application/json", headers=headers
    )
    assert response.json()["status"] == "closed"


def test_malformed_json_is_400_in_vietnamese(api_as, dept_officer, tree):
    api = api_as(dept_officer)
    response = api.client.post(
        "/api/v1/remediation/tasks/",
        "{không phải json",
        content_type="application/json",
        headers=api._headers(),
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Không đọc được nội dung yêu cầu: hãy gửi JSON hợp lệ."}


def test_unknown_body_fields_are_refused(api_as, dept_officer, tree):
    response = api_as(dept_officer).post(
        "remediation/tasks/", {"unit_code": "THPT-A", "title": "X", "deadline": "2030-01-01"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"deadline": ["Trường này không được hỗ trợ."]}
    assert not Task.objects.exists()

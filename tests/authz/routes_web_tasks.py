"""Routes of the remediation pages: tasks, their workflow and evidence, findings, due-date policy.

Object routes point at school B's submitted task (with its evidence file) and its finding.
POST bodies are valid, so a school-A user's 403/404 comes from the scoping and the role
check, not from form validation. A Department user may get a redirect with an error message
when the task's state does not allow the action (starting a submitted task): still "reached".
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from .spec import RouteSpec


def _task(w):
    return {"pk": w.b.task.pk}


def _submission(w):
    return {
        "answer_text": "Báo cáo gửi thử từ ma trận phân quyền",
        "evidence": [SimpleUploadedFile("ma-tran.txt", b"ma tran phan quyen")],
    }


ROUTES: dict[str, RouteSpec] = {
    # --- lists and exports: scoped to the user's units ------------------------------------------
    "task_list": RouteSpec(
        "authenticated",
        note="filters, sort and pages over visible tasks; the unit filter offers visible units",
        extra={
            "queries": [
                {"status": "submitted"},
                {"severity": "critical", "sort": "-severity"},
                {"overdue": "no", "source": "botnet"},
                {"q": "Quasar"},
            ]
        },
    ),
    "task_export": RouteSpec(
        "authenticated",
        note="CSV by default; same filters as the list",
        extra={"queries": [{"fmt": "csv", "q": "Quasar"}, {"fmt": "csv", "status": "submitted"}]},
    ),
    "finding_list": RouteSpec(
        "authenticated",
        extra={"queries": [{"q": "Quasar"}, {"severity": "critical"}, {"resolved": "no"}]},
    ),
    # --- one task ----------------------------------------------------------------------------
    "task_detail": RouteSpec("object", kwargs=_task),
    "task_start": RouteSpec(
        "object", method="POST", kwargs=_task, data=lambda w: {}, note="B's task is submitted"
    ),
    "task_submit": RouteSpec("object", method="POST", kwargs=_task, data=_submission),
    "task_verify": RouteSpec(
        "object", method="POST", kwargs=_task, data=lambda w: {"note": "Đạt yêu cầu."}
    ),
    "task_return": RouteSpec(
        "object",
        method="POST",
        kwargs=_task,
        data=lambda w: {"reason": "Thiếu biên bản quét mã độc."},
    ),
    "task_close": RouteSpec(
        "object", method="POST", kwargs=_task, data=lambda w: {"note": "Đóng thử từ ma trận."}
    ),
    "task_comment": RouteSpec(
        "object", method="POST", kwargs=_task, data=lambda w: {"body": "Trao đổi thử"}
    ),
    "evidence_download": RouteSpec(
        "object",
        kwargs=lambda w: {"pk": w.b.evidence.pk},
        note="streams the file only when its task is visible; never from /media/",
    ),
    # --- findings ----------------------------------------------------------------------------
    "finding_detail": RouteSpec("object", kwargs=lambda w: {"pk": w.b.finding.pk}),
    "finding_open_task": RouteSpec(
        "object",
        method="POST",
        kwargs=lambda w: {"pk": w.b.finding.pk},
        data=lambda w: {},
        note="Department roles over the finding's unit; refreshes B's unfinished task",
    ),
    # --- Department pages --------------------------------------------------------------------
    "task_create": RouteSpec("department", note="GET: the form; units offered are the user's"),
    "due_policy": RouteSpec("department_admin"),
}

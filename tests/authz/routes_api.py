"""Access classification of every REST API route (``api:<operation_id>``), see spec.py.

Object routes point at school B's objects; POST bodies are valid, so a school-A caller's
403/404 comes from the authorization check and not from input validation.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from .spec import RouteSpec


def _task(w):
    return {"task_id": w.b.task.pk}


def _evidence_upload(w):
    return {
        "answer_text": "Báo cáo gửi thử từ ma trận phân quyền",
        "files": [SimpleUploadedFile("ma-tran.txt", b"ma tran phan quyen")],
    }


ROUTES: dict[str, RouteSpec] = {
    # --- schema, docs, index: no login, no data ---
    "api:api-root": RouteSpec("public"),
    "api:openapi-json": RouteSpec("public"),
    "api:openapi-view": RouteSpec("public"),
    "api:docs-asset": RouteSpec("public", kwargs=lambda w: {"name": "swagger-ui-init.js"}),
    # --- org: units ---
    "api:org_units_list": RouteSpec("authenticated"),
    "api:org_units_detail": RouteSpec("object", kwargs=lambda w: {"unit_id": w.b.unit.pk}),
    "api:org_units_by_code": RouteSpec("object", kwargs=lambda w: {"code": w.b.unit.code}),
    "api:org_units_create": RouteSpec(
        "department_admin",
        method="POST",
        data=lambda w: {
            "code": "MX-MOI",
            "name": "Trường thử của ma trận",
            "type": "thcs",
            "parent_code": w.b.unit.code,
        },
    ),
    "api:org_units_update": RouteSpec(
        "department_admin",
        method="PATCH",
        kwargs=lambda w: {"unit_id": w.b.unit.pk},
        data=lambda w: {"phone": "0999 999 999"},
    ),
    # --- org: people (Department administrators only) ---
    "api:org_users_list": RouteSpec("department_admin"),
    "api:org_users_detail": RouteSpec(
        "department_admin", kwargs=lambda w: {"user_id": w.b.user.pk}
    ),
    "api:org_users_create": RouteSpec(
        "department_admin",
        method="POST",
        data=lambda w: {
            "username": "mx-nguoi-moi",
            "roles": [{"unit_code": w.b.unit.code, "role": "learner"}],
        },
    ),
    "api:org_users_assign_role": RouteSpec(
        "department_admin",
        method="POST",
        kwargs=lambda w: {"user_id": w.b.user.pk},
        data=lambda w: {"unit_id": w.b.unit.pk, "role": "unit_head"},
    ),
    "api:org_users_revoke_role": RouteSpec(
        "department_admin",
        method="DELETE",
        kwargs=lambda w: {"user_id": w.b.user.pk, "assignment_id": w.b.assignment.pk},
    ),
    "api:org_me": RouteSpec("own"),
    # --- remediation: findings ---
    "api:remediation_findings_list": RouteSpec("authenticated"),
    "api:remediation_findings_detail": RouteSpec(
        "object", kwargs=lambda w: {"finding_id": w.b.finding.pk}
    ),
    "api:remediation_findings_record": RouteSpec(
        "department",
        method="POST",
        data=lambda w: {
            "source": "botnet",
            "unit_code": w.b.unit.code,
            "dedupe_key": "mx-b-1",
            "title": "Ghi nhận lại phát hiện của trường B",
            "open_task": True,
        },
    ),
    # --- remediation: tasks ---
    "api:remediation_tasks_list": RouteSpec("authenticated"),
    "api:remediation_tasks_detail": RouteSpec("object", kwargs=_task),
    "api:remediation_tasks_evidence_download": RouteSpec(
        "object", kwargs=lambda w: {"task_id": w.b.task.pk, "evidence_id": w.b.evidence.pk}
    ),
    "api:remediation_tasks_create": RouteSpec(
        "department",
        method="POST",
        data=lambda w: {"unit_id": w.b.unit.pk, "title": "Việc thử của ma trận"},
    ),
    # B's task is "submitted": start/submit answer 409 to the Department (it got through the
    # authorization check), verify/return/close succeed.
    "api:remediation_tasks_start": RouteSpec("object", method="POST", kwargs=_task),
    "api:remediation_tasks_submit": RouteSpec(
        "object", method="POST", kwargs=_task, data=_evidence_upload, extra={"multipart": True}
    ),
    "api:remediation_tasks_verify": RouteSpec(
        "object", method="POST", kwargs=_task, data=lambda w: {"note": "Đạt"}
    ),
    "api:remediation_tasks_return": RouteSpec(
        "object", method="POST", kwargs=_task, data=lambda w: {"reason": "Thiếu minh chứng"}
    ),
    "api:remediation_tasks_close": RouteSpec(
        "object", method="POST", kwargs=_task, data=lambda w: {"note": "Đóng thử"}
    ),
    "api:remediation_tasks_comment": RouteSpec(
        "object", method="POST", kwargs=_task, data=lambda w: {"body": "Trao đổi thử"}
    ),
}

"""Routes of the scam checker, scam reports and blocklists (lachan.scams), see spec.py.

The checker and the report form are public. School B has a report (sent by B's IT officer)
with a screenshot; school A has its own. A unit's IT officer and head see their units'
reports only, read-only; a learner has no queue. Reviewing (approve, reject, start a case)
and the blocklists are the Department's.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from .spec import RouteSpec

NO_LEARNER = {"denied_roles": {"learner"}}


def _report_form(w):
    return {
        "description": "Cuộc gọi lạ đòi chuyển tiền (ma trận phân quyền)",
        "channel": "phone",
        "phones": "0911 000 123",
        "consent": "on",
        "website": "",
    }


def _approve_form(w):
    return {
        "ind-TOTAL_FORMS": "1",
        "ind-INITIAL_FORMS": "1",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "100",
        "ind-0-use": "on",
        "ind-0-kind": "phone",
        "ind-0-value": "0933 000 977",
    }


def _report(w):
    return {"pk": w.b.scam_report.pk}


def _api_report(w):
    return {"report_id": w.b.scam_report.pk}


def _upload(w):
    return {
        "file": SimpleUploadedFile("ds-ma-tran.txt", b"0.0.0.0 thu-ma-tran.example\n"),
        "name": "Danh sách nhập qua API",
        "format": "hosts",
    }


ROUTES: dict[str, RouteSpec] = {
    "scam_check": RouteSpec("public", note="the checker form; checking is a POST of the same URL"),
    "scam_report_create": RouteSpec(
        "public", method="POST", data=_report_form, note="anyone may report a scam"
    ),
    "scam_report_done": RouteSpec("public", note="the reference kept in the session"),
    "scam_report_list": RouteSpec(
        "authenticated", note="A's own reports only", extra={**NO_LEARNER}
    ),
    "scam_report_detail": RouteSpec("object", kwargs=_report),
    "scam_report_image": RouteSpec("object", kwargs=lambda w: {"pk": w.b.scam_image.pk}),
    "scam_report_approve": RouteSpec(
        "department", method="POST", kwargs=_report, data=_approve_form
    ),
    "scam_report_reject": RouteSpec(
        "department", method="POST", kwargs=_report, data=lambda w: {"reason": "Không đủ căn cứ"}
    ),
    "scam_report_start_case": RouteSpec(
        "department", method="POST", kwargs=_report, data=lambda w: {"unit": w.b.unit.pk}
    ),
    "blocklist_source_list": RouteSpec("department"),
    "blocklist_import": RouteSpec("department"),
    "blocklist_entry_add": RouteSpec("department"),
    "blocklist_source_detail": RouteSpec("department", kwargs=lambda w: {"pk": w.b.scam_source.pk}),
    "blocklist_source_toggle": RouteSpec(
        "department", method="POST", kwargs=lambda w: {"pk": w.b.scam_source.pk}, data=lambda w: {}
    ),
    "blocklist_entry_toggle": RouteSpec(
        "department", method="POST", kwargs=lambda w: {"pk": w.b.scam_entry.pk}, data=lambda w: {}
    ),
    # API
    "api:scams_check": RouteSpec(
        "public", method="POST", data=lambda w: {"text": "https://lua-dao-ma-tran.example/x"}
    ),
    "api:scams_check_batch": RouteSpec(
        "authenticated", method="POST", data=lambda w: {"items": [{"id": "1", "text": "abc"}]}
    ),
    "api:scams_reports_create": RouteSpec(
        "public",
        method="POST",
        data=lambda w: {"description": "Báo cáo qua API (ma trận)", "consent": True},
    ),
    "api:scams_reports_list": RouteSpec("authenticated", note="A's own reports; learners none"),
    "api:scams_reports_detail": RouteSpec("object", kwargs=_api_report),
    "api:scams_reports_approve": RouteSpec(
        "department",
        method="POST",
        kwargs=_api_report,
        data=lambda w: {"indicators": [{"kind": "phone", "value": "0933 000 977"}]},
    ),
    "api:scams_reports_reject": RouteSpec(
        "department", method="POST", kwargs=_api_report, data=lambda w: {"reason": "Không đủ"}
    ),
    "api:scams_blocklists": RouteSpec("department"),
    "api:scams_blocklists_import": RouteSpec(
        "department", method="POST", data=_upload, extra={"multipart": True}
    ),
    "api:scams_indicators": RouteSpec("department"),
}

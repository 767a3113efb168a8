"""/api/v1/scams/: public check and report, batch, scoped reports, review, blocklists and
indicators."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.conftest import ApiClient
from lachan.org.models import Role
from lachan.scams.models import ReportStatus, ScamReport

pytestmark = pytest.mark.django_db

MESSAGE = "Tai khoan bi khoa. Cap nhat ngay tai https://vietcombank-xacthuc.top/otp va doc ma OTP"


@pytest.fixture
def api_as(db):
    from lachan.org.services import issue_api_token

    def _make(user) -> ApiClient:
        if user is None:
            return ApiClient(None)
        _token, key = issue_api_token(actor=None, user=user, name="kiem-thu")
        return ApiClient(key)

    return _make


def test_check_is_public_and_returns_spans(api_as, phishing_list):
    response = api_as(None).post("scams/check/", {"text": MESSAGE})
    assert response.status_code == 200
    data = response.json()
    assert data["risk"] == "high" and 0 <= data["score"] <= 100
    assert {"code", "message", "evidence"} <= set(data["reasons"][0])
    spans = data["evidence_spans"]
    assert spans and all(MESSAGE[s["start"] : s["end"]] == s["text"] for s in spans)
    assert any("vietcombank-xacthuc.top" in s["text"] for s in spans)
    assert not ScamReport.objects.exists()


def test_check_validates_and_rate_limits(api_as, tree, settings):
    api = api_as(None)
    bad = api.post("scams/check/", {"text": "", "kind": "fax"})
    assert bad.status_code == 422 and {"text", "kind"} <= set(bad.json()["errors"])
    assert api.post("scams/check/", {"text": "x", "extra": 1}).status_code == 422
    settings.LACHAN_SCAM_RATE_LIMITS = {"check": (2, 60)}
    assert api.post("scams/check/", {"text": "abc"}).status_code == 200
    assert api.post("scams/check/", {"text": "abc"}).status_code == 200
    limited = api.post("scams/check/", {"text": "abc"})
    assert limited.status_code == 429 and limited.json()["detail"]


def test_batch_needs_credentials_and_caps_items(api_as, it_a, phishing_list):
    assert api_as(None).post("scams/check/batch/", {"items": []}).status_code == 401
    api = api_as(it_a)
    items = [{"id": "1", "text": MESSAGE}, {"id": "2", "text": "Hẹn gặp lúc 7 giờ", "kind": "text"}]
    response = api.post("scams/check/batch/", {"items": items})
    assert response.status_code == 200
    out = {row["id"]: row for row in response.json()}
    assert out["1"]["risk"] == "high" and out["2"]["risk"] == "low"
    too_many = [{"id": str(n), "text": "x"} for n in range(1001)]
    assert api.post("scams/check/batch/", {"items": too_many}).status_code == 422


def test_public_report_and_scoped_reads(api_as, tree, make_user, dept_officer, it_a, it_b):
    anonymous = api_as(None)
    body = {
        "description": "Gọi giả công an",
        "channel": "phone",
        "phones": ["0933 000 412"],
        "consent": True,
    }
    created = anonymous.post("scams/reports/", body)
    assert created.status_code == 201 and created.json()["reference"].startswith("BC-")
    assert anonymous.post("scams/reports/", {**body, "consent": False}).status_code == 422
    from lachan.scams.services import create_report

    report_a = create_report(actor=make_user(Role.LEARNER, tree.a), description="Của trường A")
    dept = api_as(dept_officer).get("scams/reports/").json()
    assert dept["count"] == 2
    school_a = api_as(it_a).get("scams/reports/").json()
    assert [r["reference"] for r in school_a["items"]] == [report_a.reference]
    assert api_as(it_b).get(f"scams/reports/{report_a.pk}/").status_code == 404
    assert api_as(it_a).get(f"scams/reports/{report_a.pk}/").json()["unit"]["id"] == tree.a.pk


def test_approve_and_reject_by_api(api_as, make_report, dept_officer, it_a, make_user, tree):
    report = make_report(actor=make_user(Role.LEARNER, tree.a))
    school = api_as(it_a)
    assert school.post(f"scams/reports/{report.pk}/approve/", {"indicators": []}).status_code == 403
    dept = api_as(dept_officer)
    response = dept.post(
        f"scams/reports/{report.pk}/approve/",
        {"indicators": [{"kind": "phone", "value": "0933 000 412"}], "note": "ok"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == ReportStatus.APPROVED
    again = dept.post(f"scams/reports/{report.pk}/reject/", {"reason": "nhầm"})
    assert again.status_code == 409
    checked = api_as(None).post("scams/check/", {"text": "0933000412", "kind": "phone"}).json()
    assert checked["risk"] == "high"
    other = make_report()
    assert dept.post(f"scams/reports/{other.pk}/reject/", {"reason": ""}).status_code == 422
    assert (
        dept.post(f"scams/reports/{other.pk}/reject/", {"reason": "Quảng cáo"}).status_code == 200
    )


def test_blocklists_import_and_indicators(api_as, dept_officer, it_a, tree):
    dept = api_as(dept_officer)
    upload = SimpleUploadedFile(
        "ds.csv", b"kind,value,label\ndomain,a.example,thu\nphone,0933000412,\n"
    )
    response = dept.post_multipart(
        "scams/blocklists/import/", {"file": upload, "name": "CSV thử", "format": "csv"}
    )
    assert response.status_code == 201
    data = response.json()
    assert data["added"] == 2 and data["source"]["entry_count"] == 2
    bad = SimpleUploadedFile("xau.csv", b"kind,value\nphone,abc\n")
    error = dept.post_multipart("scams/blocklists/import/", {"file": bad, "name": "Xấu"})
    assert error.status_code == 422 and "xau.csv, dòng 2" in str(error.json())
    assert [s["name"] for s in dept.get("scams/blocklists/").json()] == ["CSV thử"]
    indicators = dept.get("scams/indicators/", {"kind": "domain"}).json()
    assert indicators["count"] == 1 and indicators["items"][0]["value"] == "a.example"
    school = api_as(it_a)
    assert school.get("scams/blocklists/").status_code == 403
    assert school.get("scams/indicators/").status_code == 403

"""Pages: the public checker (anonymous, HTMX and full page, escaping, highlighting, rate
limit), the report form (prefill, honeypot, sniffed screenshots, consent), the review queue
(scoping, approve, reject, case, screenshots) and the blocklist pages."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lachan.org.models import Role
from lachan.scams import services
from lachan.scams.models import BlocklistEntry, BlocklistSource, ReportStatus, ScamReport

from .conftest import png_bytes, png_upload

pytestmark = pytest.mark.django_db

HIGH_RISK = (
    "Con anh chị đang cấp cứu, cần chuyển gấp 30 triệu vào tài khoản 0900011122 "
    "NGUYEN VAN TUAN, đọc mã OTP cho tôi. Xác nhận tại https://vietcombank-xacthuc.top/otp"
)


def _report_data(**extra):
    data = {
        "description": "Có người gọi xưng là công an, yêu cầu chuyển tiền.",
        "channel": "phone",
        "happened_on": "",
        "phones": "0933 000 412\n",
        "accounts": "",
        "links": "",
        "amount_lost": "",
        "reporter_contact": "",
        "consent": "on",
        "website": "",
    }
    data.update(extra)
    return data


# --- checker ----------------------------------------------------------------------------------


def test_checker_page_is_public_and_says_input_is_not_stored(client, tree):
    response = client.get(reverse("scam_check"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dán đường link, số điện thoại, số tài khoản hoặc cả tin nhắn" in body
    assert "không được lưu lại" in body
    assert reverse("login") in body  # the small public header


def test_check_full_page_post_shows_result_with_highlighted_evidence(client, phishing_list):
    response = client.post(reverse("scam_check"), {"text": HIGH_RISK, "kind": "auto"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nguy cơ cao" in body
    assert "<mark>vietcombank-xacthuc.top</mark>" in body or re.search(
        r"<mark>[^<]*vietcombank-xacthuc\.top[^<]*</mark>", body
    )
    assert "Báo cáo lừa đảo" in body and 'name="prefill"' in body
    assert "không có nghĩa là an toàn" in body
    assert not ScamReport.objects.exists()


def test_check_htmx_returns_the_result_panel_only(client, tree):
    response = client.post(
        reverse("scam_check"), {"text": HIGH_RISK, "kind": "auto"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "check-result" in body


def test_check_escapes_the_input(client, tree):
    response = client.post(
        reverse("scam_check"), {"text": "<script>alert(1)</script>", "kind": "text"}
    )
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_check_low_result_still_warns(client, tree):
    response = client.post(
        reverse("scam_check"), {"text": "Chào bạn, hẹn gặp lúc 7 giờ.", "kind": "text"}
    )
    body = response.content.decode()
    assert "không có nghĩa là an toàn" in body


def test_check_requires_text(client, tree):
    response = client.post(reverse("scam_check"), {"text": "  ", "kind": "auto"})
    assert "Hãy dán nội dung cần kiểm tra." in response.content.decode()


def test_check_is_rate_limited_per_ip(client, tree, settings):
    settings.LACHAN_SCAM_RATE_LIMITS = {"check": (3, 60)}
    for _ in range(3):
        assert (
            client.post(reverse("scam_check"), {"text": "abc", "kind": "text"}).status_code == 200
        )
    limited = client.post(reverse("scam_check"), {"text": "abc", "kind": "text"})
    assert limited.status_code == 429
    assert "nhiều lần trong thời gian ngắn" in limited.content.decode()
    other = client.post(
        reverse("scam_check"), {"text": "abc", "kind": "text"}, REMOTE_ADDR="192.0.2.9"
    )
    assert other.status_code == 200


def test_logged_in_checker_has_the_navigation_link(client, it_a):
    client.force_login(it_a)
    body = client.get(reverse("scam_check")).content.decode()
    assert "Kiểm tra lừa đảo" in body and reverse("scam_report_list") in body


# --- report form ------------------------------------------------------------------------------


def test_prefill_from_the_checker_stores_nothing(client, tree):
    response = client.post(
        reverse("scam_report_create"), {"prefill": "1", "text": HIGH_RISK, "kind": "auto"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "0900011122" in body
    assert "https://vietcombank-xacthuc.top/otp" in body
    assert not ScamReport.objects.exists()


def test_anonymous_report_with_screenshot(client, tree):
    data = _report_data(images=[png_upload("chup-man-hinh.png")])
    response = client.post(reverse("scam_report_create"), data)
    assert response.status_code == 302 and response["Location"] == reverse("scam_report_done")
    report = ScamReport.objects.get()
    assert report.unit is None and report.phones == ["0933 000 412"]
    assert report.images.count() == 1
    done = client.get(reverse("scam_report_done")).content.decode()
    assert report.reference in done and "113" in done and "canhbao.khonggianmang.gov.vn" in done


def test_logged_in_report_records_the_unit(client, make_user, tree):
    client.force_login(make_user(Role.LEARNER, tree.a))
    client.post(reverse("scam_report_create"), _report_data())
    assert ScamReport.objects.get().unit == tree.a


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("anh.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ("anh.png", b"<html><body><script>alert(1)</script></body></html>"),
        ("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ],
)
def test_report_refuses_non_images_renamed(client, tree, name, content):
    data = _report_data(images=[SimpleUploadedFile(name, content, content_type="image/png")])
    response = client.post(reverse("scam_report_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert name in body and "không phải ảnh PNG, JPEG hoặc WebP" in body
    assert not ScamReport.objects.exists()


def test_report_needs_consent_and_description(client, tree):
    response = client.post(reverse("scam_report_create"), _report_data(consent="", description=""))
    body = response.content.decode()
    assert "Hãy đánh dấu đồng ý để gửi báo cáo." in body
    assert "Hãy kể lại sự việc" in body
    assert not ScamReport.objects.exists()


def test_report_honeypot_refuses_bots(client, tree):
    response = client.post(reverse("scam_report_create"), _report_data(website="http://spam"))
    assert response.status_code == 400
    assert not ScamReport.objects.exists()


def test_report_is_rate_limited(client, tree, settings):
    settings.LACHAN_SCAM_RATE_LIMITS = {"report": (2, 3600)}
    for _ in range(2):
        assert client.post(reverse("scam_report_create"), _report_data()).status_code == 302
    limited = client.post(reverse("scam_report_create"), _report_data())
    assert limited.status_code == 429 and ScamReport.objects.count() == 2


def test_done_page_without_a_report_goes_back(client, tree):
    assert client.get(reverse("scam_report_done"))["Location"] == reverse("scam_check")


# --- review queue -----------------------------------------------------------------------------


@pytest.fixture
def reports(make_report, make_user, tree):
    a = make_report(actor=make_user(Role.LEARNER, tree.a), description="Báo cáo của trường A")
    b = make_report(
        actor=make_user(Role.LEARNER, tree.b),
        description="Báo cáo Quasar của trường B",
        images=[png_upload()],
    )
    anonymous = make_report(description="Báo cáo ẩn danh")
    return a, b, anonymous


def test_queue_department_sees_all_and_filters(client, reports, dept_officer):
    client.force_login(dept_officer)
    body = client.get(reverse("scam_report_list")).content.decode()
    for report in reports:
        assert report.reference in body
    filtered = client.get(reverse("scam_report_list"), {"q": "ẩn danh"}).content.decode()
    assert reports[2].reference in filtered and reports[0].reference not in filtered
    services.reject_report(actor=dept_officer, report=reports[0], reason="Không phải")
    rejected = client.get(reverse("scam_report_list"), {"status": "rejected"}).content.decode()
    assert reports[0].reference in rejected and reports[1].reference not in rejected
    bad_date = client.get(reverse("scam_report_list"), {"date_from": "31/02/2026"})
    assert bad_date.status_code == 200


def test_queue_unit_sees_only_its_reports_read_only(client, reports, it_a):
    a, b, anonymous = reports
    client.force_login(it_a)
    body = client.get(reverse("scam_report_list")).content.decode()
    assert a.reference in body and b.reference not in body and anonymous.reference not in body
    detail = client.get(reverse("scam_report_detail", args=[a.pk]))
    assert (
        detail.status_code == 200
        and "Xác minh và đưa vào danh sách chặn" not in detail.content.decode()
    )
    assert client.get(reverse("scam_report_detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("scam_report_detail", args=[anonymous.pk])).status_code == 404
    image = b.images.get()
    assert client.get(reverse("scam_report_image", args=[image.pk])).status_code == 404
    post = client.post(reverse("scam_report_reject", args=[a.pk]), {"reason": "x"})
    assert post.status_code == 403


def test_learner_has_no_queue(client, make_user, tree, reports):
    client.force_login(make_user(Role.LEARNER, tree.a))
    assert client.get(reverse("scam_report_list")).status_code == 403


def test_screenshot_is_served_through_the_scoped_view(client, reports, dept_officer):
    image = reports[1].images.get()
    client.force_login(dept_officer)
    response = client.get(reverse("scam_report_image", args=[image.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()


def test_detail_approve_with_edited_indicators(client, reports, dept_officer):
    report = reports[2]
    client.force_login(dept_officer)
    page = client.get(reverse("scam_report_detail", args=[report.pk])).content.decode()
    assert "Kiểm tra khi gửi" in page and "Kiểm tra lại với dữ liệu hiện nay" in page
    data = {
        "ind-TOTAL_FORMS": "3",
        "ind-INITIAL_FORMS": "1",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "100",
        "ind-0-use": "on",
        "ind-0-kind": "phone",
        "ind-0-value": "0933 000 412",
        "ind-1-use": "on",
        "ind-1-kind": "domain",
        "ind-1-value": "Lua-Dao.Example",
        "ind-2-kind": "url",
        "ind-2-value": "",
        "note": "Nhiều phụ huynh phản ánh",
    }
    response = client.post(reverse("scam_report_approve", args=[report.pk]), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert {"kind": "domain", "value": "lua-dao.example"} in report.approved_indicators
    assert BlocklistEntry.objects.filter(value="lua-dao.example").exists()


def test_detail_approve_bad_value_shows_the_error(client, reports, dept_officer):
    report = reports[2]
    client.force_login(dept_officer)
    data = {
        "ind-TOTAL_FORMS": "1",
        "ind-INITIAL_FORMS": "1",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "100",
        "ind-0-use": "on",
        "ind-0-kind": "account",
        "ind-0-value": "12",
    }
    response = client.post(reverse("scam_report_approve", args=[report.pk]), data)
    assert response.status_code == 422
    assert "Dấu hiệu 1" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


def test_detail_reject_and_case(client, reports, dept_officer, tree):
    a, b, anonymous = reports
    client.force_login(dept_officer)
    empty = client.post(reverse("scam_report_reject", args=[a.pk]), {"reason": ""})
    assert empty.status_code == 422
    client.post(reverse("scam_report_reject", args=[a.pk]), {"reason": "Không đủ căn cứ"})
    a.refresh_from_db()
    assert a.status == ReportStatus.REJECTED
    client.post(reverse("scam_report_start_case", args=[b.pk]), {"unit": tree.b.pk})
    b.refresh_from_db()
    assert b.task.unit == tree.b
    page = client.get(reverse("scam_report_detail", args=[b.pk])).content.decode()
    assert reverse("task_detail", args=[b.task_id]) in page


# --- blocklists -------------------------------------------------------------------------------


def test_blocklist_pages_are_the_departments(client, it_a, phishing_list):
    client.force_login(it_a)
    assert client.get(reverse("blocklist_source_list")).status_code == 403
    assert (
        client.get(reverse("blocklist_source_detail", args=[phishing_list.source.pk])).status_code
        == 403
    )


def test_blocklist_import_page_reports_counts_and_errors(client, dept_officer, tree):
    client.force_login(dept_officer)
    upload = SimpleUploadedFile("hosts.txt", b"0.0.0.0 a.example\n0.0.0.0 b.example\n")
    response = client.post(
        reverse("blocklist_import"),
        {"file": upload, "name": "Hosts", "format": "hosts", "note": ""},
    )
    source = BlocklistSource.objects.get(name="Hosts")
    assert response["Location"] == reverse("blocklist_source_detail", args=[source.pk])
    page = client.get(response["Location"]).content.decode()
    assert "thêm 2" in page and "a.example" in page
    bad = SimpleUploadedFile("xau.txt", b"0.0.0.0 ok.example\nkhong phai dong hosts\n")
    response = client.post(
        reverse("blocklist_import"), {"file": bad, "name": "Hosts", "format": "hosts"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "xau.txt, dòng 2" in body
    assert source.entries.count() == 2


def test_blocklist_entry_search_toggle_and_manual_add(client, dept_officer, phishing_list):
    source = phishing_list.source
    client.force_login(dept_officer)
    page = client.get(reverse("blocklist_source_detail", args=[source.pk]), {"q": "vietcombank"})
    body = page.content.decode()
    assert "vietcombank-xacthuc.top" in body and "hocphi-truong.example" not in body
    entry = source.entries.get(value="vietcombank-xacthuc.top")
    client.post(reverse("blocklist_entry_toggle", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.is_active is False
    client.post(reverse("blocklist_source_toggle", args=[source.pk]))
    source.refresh_from_db()
    assert source.is_active is False
    response = client.post(
        reverse("blocklist_entry_add"), {"kind": "domain", "value": "Moi.Example", "label": "x"}
    )
    assert response.status_code == 302
    assert BlocklistEntry.objects.filter(value="moi.example", source__origin="manual").exists()
    bad = client.post(reverse("blocklist_entry_add"), {"kind": "ip", "value": "999.1.1.1"})
    assert bad.status_code == 200 and "không phải" in bad.content.decode()

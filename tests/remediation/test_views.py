"""The remediation pages over HTTP: scoping, the workflow, uploads and downloads, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from lachan.org.models import Role
from lachan.remediation import services
from lachan.remediation.models import DuePolicy, Task, TaskEvidence, TaskStatus

from .util import upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def two_schools(tree, task_at, finding_at):
    """A task and a finding at school A and at school B (with distinct, searchable titles)."""
    fa = finding_at(tree.a, key="203.0.113.10", title="Máy chủ Lê Lợi trong danh sách botnet")
    fb = finding_at(tree.b, key="198.51.100.20", title="Máy chủ Nguyễn Trãi trong danh sách botnet")
    (ta,) = services.open_tasks_from_findings(actor=None, findings=[fa])
    tb = task_at(tree.b, "submitted", title="Việc riêng của Nguyễn Trãi")
    return {"task_a": ta, "task_b": tb, "finding_a": fa, "finding_b": fb}


# --- task list --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, unit_attr, sees_a, sees_b",
    [
        (Role.DEPT_ADMIN, "so", True, True),
        (Role.DEPT_SECURITY, "so", True, True),
        (Role.UNIT_IT, "a", True, False),
        (Role.UNIT_HEAD, "a", True, False),
        (Role.LEARNER, "a", False, False),
        (Role.UNIT_IT, "b", False, True),
    ],
)
def test_task_list_shows_only_visible_tasks(
    client, login_as, tree, two_schools, role, unit_attr, sees_a, sees_b
):
    login_as(role, getattr(tree, unit_attr))
    response = client.get(url("task_list"))
    assert response.status_code == 200
    body = page_text(response)
    assert (two_schools["task_a"].title in body) is sees_a
    assert ("Việc riêng của Nguyễn Trãi" in body) is sees_b
    if not sees_b:
        assert "Nguyễn Trãi" not in body


def test_task_list_filters(client, login_as, tree, task_at):
    login_as(Role.DEPT_SECURITY, tree.so)
    task_at(tree.a, title="Việc A mở", severity="low")
    task_at(tree.b, "submitted", title="Việc B đã báo cáo", severity="critical")
    c = task_at(tree.c, title="Việc C quá hạn", severity="medium")
    Task.objects.filter(pk=c.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))

    def titles(**params) -> set[str]:
        body = page_text(client.get(url("task_list"), params))
        return {t for t in ("Việc A mở", "Việc B đã báo cáo", "Việc C quá hạn") if t in body}

    assert titles() == {"Việc A mở", "Việc B đã báo cáo", "Việc C quá hạn"}
    assert titles(status="submitted") == {"Việc B đã báo cáo"}
    assert titles(severity="critical") == {"Việc B đã báo cáo"}
    assert titles(unit=tree.cum.pk) == {"Việc C quá hạn"}  # the cluster includes its schools
    assert titles(overdue="yes") == {"Việc C quá hạn"}
    assert titles(overdue="no") == {"Việc A mở", "Việc B đã báo cáo"}
    assert titles(q="Nguyễn Trãi") == {"Việc B đã báo cáo"}
    assert titles(q="THCS-C") == {"Việc C quá hạn"}
    assert titles(source="botnet") == set()
    assert titles(status="bogus") == {"Việc A mở", "Việc B đã báo cáo", "Việc C quá hạn"}
    body = page_text(client.get(url("task_list"), {"overdue": "yes"}))
    assert "Quá hạn 3 ngày" in body


def test_task_list_unit_filter_cannot_reach_another_school(client, login_as, tree, two_schools):
    login_as(Role.UNIT_IT, tree.a)
    body = page_text(client.get(url("task_list"), {"unit": tree.b.pk}))
    assert two_schools["task_a"].title not in body
    assert "Nguyễn Trãi" not in body
    options = page_text(client.get(url("task_list")))
    assert f'value="{tree.b.pk}"' not in options


def test_task_list_sorts_by_severity_and_due_date(client, login_as, tree, task_at):
    login_as(Role.DEPT_SECURITY, tree.so)
    task_at(tree.a, title="Thấp-xa", severity="low")
    task_at(tree.a, title="Nghiêm-trọng-gần", severity="critical")
    body = page_text(client.get(url("task_list"), {"sort": "-severity"}))
    assert body.index("Nghiêm-trọng-gần") < body.index("Thấp-xa")
    body = page_text(client.get(url("task_list"), {"sort": "severity"}))
    assert body.index("Thấp-xa") < body.index("Nghiêm-trọng-gần")
    body = page_text(client.get(url("task_list"), {"sort": "-due"}))
    assert body.index("Thấp-xa") < body.index("Nghiêm-trọng-gần")


def test_task_list_paginates(client, login_as, tree):
    login_as(Role.DEPT_SECURITY, tree.so)
    for i in range(30):
        services.create_task(actor=None, unit=tree.a, title=f"Việc số {i:02d}")
    first = page_text(client.get(url("task_list")))
    assert "Trang 1/2" in first and "30 việc" in first
    second = page_text(client.get(url("task_list"), {"page": 2}))
    assert "Trang 2/2" in second
    assert client.get(url("task_list"), {"page": "zzz"}).status_code == 200


def test_task_list_htmx_returns_the_table_only(client, login_as, tree, task_at):
    login_as(Role.DEPT_SECURITY, tree.so)
    task_at(tree.a, title="Việc A mở")
    response = client.get(url("task_list"), {"status": "open"}, **HTMX)
    body = page_text(response)
    assert response.status_code == 200
    assert "<html" not in body and 'id="task-results"' in body
    assert "Việc A mở" in body
    assert 'hx-swap-oob="true"' in body  # the sort selector follows a header click
    assert "HX-Request" in response["Vary"]
    full = page_text(client.get(url("task_list")))
    assert "<html" in full and 'hx-push-url="true"' in full


# --- export -----------------------------------------------------------------------------------


def test_csv_export_is_scoped_filtered_and_excel_friendly(client, login_as, tree, two_schools):
    login_as(Role.UNIT_IT, tree.a)
    response = client.get(url("task_export"), {"fmt": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mã việc", "Mã đơn vị", "Đơn vị", "Tiêu đề"]
    assert [r[1] for r in rows[1:]] == ["THPT-A"]
    assert "Nguyễn Trãi" not in raw.decode("utf-8-sig")
    due = two_schools["task_a"].due_date.strftime("%d/%m/%Y")
    assert due in rows[1]


def test_xlsx_export_is_scoped_and_neutralises_formulas(client, login_as, tree, task_at):
    from openpyxl import load_workbook

    task_at(tree.a, title='=HYPERLINK("http://evil","bấm")')
    task_at(tree.b, title="Việc riêng của Nguyễn Trãi")
    login_as(Role.UNIT_IT, tree.a)
    response = client.get(url("task_export"), {"fmt": "xlsx", "status": "open"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Mã việc"
    assert len(rows) == 2
    assert rows[1][1] == "THPT-A"
    assert rows[1][3].startswith("'=")
    assert isinstance(rows[1][8], dt.datetime)  # a real date cell, shown dd/mm/yyyy
    assert ws.cell(row=2, column=9).number_format == "DD/MM/YYYY"


def test_export_follows_the_filters(client, login_as, tree, task_at):
    login_as(Role.DEPT_ADMIN, tree.so)
    task_at(tree.a, title="Mở")
    task_at(tree.b, "verified", title="Xong")
    response = client.get(url("task_export"), {"fmt": "csv", "status": "verified"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:]] == ["Xong"]


# --- task detail ------------------------------------------------------------------------------


def test_task_detail_for_the_school(client, login_as, tree, two_schools):
    login_as(Role.UNIT_IT, tree.a)
    task = two_schools["task_a"]
    body = page_text(client.get(url("task_detail", task.pk)))
    assert task.title in body
    assert "Máy chủ Lê Lợi trong danh sách botnet" in body  # linked finding
    assert "Mirai" in body  # its evidence summary
    assert 'name="answer_text"' in body and "Nội dung báo cáo" in body
    assert 'type="file" name="evidence" multiple' in body
    assert "Gửi báo cáo" in body and "Bắt đầu xử lý" in body
    assert "Xác nhận hoàn thành" not in body and "Trả lại</button>" not in body
    assert "Giao việc" in body  # the timeline


def test_task_detail_for_the_department(client, login_as, tree, two_schools):
    login_as(Role.DEPT_SECURITY, tree.so)
    task = two_schools["task_b"]
    body = page_text(client.get(url("task_detail", task.pk)))
    assert "Xác nhận hoàn thành" in body and "Trả lại" in body
    assert "bien-ban.txt" in body
    assert url("evidence_download", task.evidence.get().pk) in body
    assert "/media/" not in body


@pytest.mark.parametrize(
    "role, unit_attr", [(Role.UNIT_IT, "a"), (Role.UNIT_HEAD, "a"), (Role.LEARNER, "b")]
)
def test_another_schools_task_is_not_found(client, login_as, tree, two_schools, role, unit_attr):
    login_as(role, getattr(tree, unit_attr))
    task_b = two_schools["task_b"]
    assert client.get(url("task_detail", task_b.pk)).status_code == 404
    evidence = task_b.evidence.get()
    assert client.get(url("evidence_download", evidence.pk)).status_code == 404
    for name in ("task_start", "task_verify", "task_close", "task_comment"):
        assert client.post(url(name, task_b.pk), {"note": "x", "body": "x"}).status_code == 404
    response = client.post(url("task_submit", task_b.pk), {"answer_text": "x"})
    assert response.status_code == 404
    assert Task.objects.get(pk=task_b.pk).status == TaskStatus.SUBMITTED


def test_unknown_task_is_not_found(client, login_as, tree):
    login_as(Role.DEPT_ADMIN, tree.so)
    assert client.get(url("task_detail", 999999)).status_code == 404
    assert client.get(url("evidence_download", 999999)).status_code == 404


def test_the_school_cannot_act_for_the_department(client, login_as, tree, task_at):
    task = task_at(tree.a, "submitted")
    login_as(Role.UNIT_IT, tree.a)
    assert client.post(url("task_verify", task.pk), {"note": ""}).status_code == 403
    assert client.post(url("task_return", task.pk), {"reason": "x"}).status_code == 403
    assert client.post(url("task_close", task.pk), {"note": "x"}).status_code == 403
    assert Task.objects.get(pk=task.pk).status == TaskStatus.SUBMITTED


def test_a_learner_cannot_act_even_at_their_school(client, login_as, tree, task_at):
    task = task_at(tree.a)
    login_as(Role.LEARNER, tree.a)
    assert client.post(url("task_start", task.pk)).status_code == 404  # not even visible


def test_the_unit_head_may_submit(client, login_as, tree, task_at):
    task = task_at(tree.a)
    login_as(Role.UNIT_HEAD, tree.a)
    response = client.post(url("task_submit", task.pk), {"answer_text": "Đã chỉ đạo xử lý."})
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == TaskStatus.SUBMITTED


def test_get_on_an_action_is_refused(client, login_as, tree, task_at):
    task = task_at(tree.a)
    login_as(Role.UNIT_IT, tree.a)
    assert client.get(url("task_start", task.pk)).status_code == 405


# --- the full workflow by HTTP ----------------------------------------------------------------


def test_full_workflow_over_http(client, tree, make_user, finding_at):
    it = make_user(Role.UNIT_IT, tree.a, first_name="Nguyễn Văn", last_name="An")
    officer = make_user(Role.DEPT_SECURITY, tree.so)
    (task,) = services.open_tasks_from_findings(actor=None, findings=[finding_at(tree.a)])
    detail = url("task_detail", task.pk)

    # The school starts and submits with a file.
    client.force_login(it)
    response = client.post(url("task_start", task.pk), follow=True)
    assert "Đã bắt đầu xử lý việc này." in page_text(response)
    content = "Đã quét 25 máy, gỡ 2 tệp độc hại.\n".encode()
    response = client.post(
        url("task_submit", task.pk),
        {"answer_text": "Đã quét và gỡ mã độc.", "evidence": [upload("bien-ban-1.txt", content)]},
    )
    assert response.status_code == 302 and response["Location"] == detail
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED and task.submitted_by == it
    evidence = task.evidence.get()
    body = page_text(client.get(detail))
    assert "Đã báo cáo" in body and "bien-ban-1.txt" in body
    download = client.get(url("evidence_download", evidence.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["X-Content-Type-Options"] == "nosniff"
    assert 'filename="bien-ban-1.txt"' in download["Content-Disposition"]
    assert download["Content-Disposition"].startswith("attachment")

    # The Department returns it with a reason.
    client.force_login(officer)
    response = client.post(url("task_return", task.pk), {"reason": "Thiếu ảnh chụp màn hình."})
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == TaskStatus.RETURNED

    # The school sees the reason and resubmits with two more files.
    client.force_login(it)
    body = page_text(client.get(detail))
    assert "Bị trả lại" in body and "Thiếu ảnh chụp màn hình." in body
    response = client.post(
        url("task_submit", task.pk),
        {
            "answer_text": "Đã bổ sung ảnh chụp màn hình.",
            "evidence": [upload("anh-1.png", b"\x89PNG1"), upload("anh-2.png", b"\x89PNG2")],
        },
    )
    assert response.status_code == 302
    assert TaskEvidence.objects.filter(task=task).count() == 3

    # The Department verifies, then closes.
    client.force_login(officer)
    response = client.post(url("task_verify", task.pk), {"note": "Đạt yêu cầu."}, follow=True)
    assert "Đã xác nhận hoàn thành." in page_text(response)
    response = client.post(url("task_close", task.pk), {"note": ""}, follow=True)
    assert "Đã đóng việc." in page_text(response)
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED

    # The school sees it closed, with the whole story in the timeline.
    client.force_login(it)
    body = page_text(client.get(detail))
    assert "Đã đóng" in body
    for label in ("Giao việc", "Bắt đầu xử lý", "Gửi báo cáo", "Trả lại", "Xác nhận hoàn thành"):
        assert label in body
    assert "Đạt yêu cầu." in body
    assert "Gửi báo cáo</button>" not in body  # nothing left to do


def test_submit_without_an_answer_shows_the_error_on_the_form(client, login_as, tree, task_at):
    task = task_at(tree.a)
    login_as(Role.UNIT_IT, tree.a)
    response = client.post(url("task_submit", task.pk), {"answer_text": " "})
    assert response.status_code == 400
    body = page_text(response)
    assert "Hãy mô tả những gì đơn vị đã làm." in body
    assert 'name="answer_text"' in body
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_too_big_a_file_is_refused_on_the_form(client, login_as, tree, task_at, settings):
    settings.LACHAN_EVIDENCE_MAX_BYTES = 5
    task = task_at(tree.a)
    login_as(Role.UNIT_IT, tree.a)
    response = client.post(
        url("task_submit", task.pk),
        {"answer_text": "Đã làm.", "evidence": [upload("to.bin", b"x" * 10)]},
    )
    assert response.status_code == 400
    assert "vượt quá dung lượng cho phép" in page_text(response)
    assert TaskEvidence.objects.count() == 0


def test_return_without_a_reason_shows_the_error(client, login_as, tree, task_at):
    task = task_at(tree.a, "submitted")
    login_as(Role.DEPT_SECURITY, tree.so)
    response = client.post(url("task_return", task.pk), {"reason": ""})
    assert response.status_code == 400
    assert "Hãy nêu lý do trả lại." in page_text(response)


def test_closing_an_unverified_task_needs_a_note(client, login_as, tree, task_at):
    task = task_at(tree.a, "in_progress")
    login_as(Role.DEPT_SECURITY, tree.so)
    response = client.post(url("task_close", task.pk), {"note": ""})
    assert response.status_code == 400
    assert "Đóng việc chưa được xác nhận cần nêu lý do." in page_text(response)
    response = client.post(url("task_close", task.pk), {"note": "Giao nhầm đơn vị."})
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CLOSED


def test_an_action_in_the_wrong_state_explains_itself(client, login_as, tree, task_at):
    task = task_at(tree.a)
    login_as(Role.DEPT_SECURITY, tree.so)
    response = client.post(url("task_verify", task.pk), {"note": ""}, follow=True)
    assert response.status_code == 200
    assert "Không thể xác nhận khi việc đang ở trạng thái “Mới giao”." in page_text(response)


def test_comment_with_htmx_returns_the_comments_and_the_timeline(client, login_as, tree, task_at):
    task = task_at(tree.a)
    login_as(Role.UNIT_IT, tree.a)
    response = client.post(url("task_comment", task.pk), {"body": "Nhà mạng hẹn thứ Hai."}, **HTMX)
    body = page_text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="task-comments"' in body and "Nhà mạng hẹn thứ Hai." in body
    assert 'id="task-timeline" hx-swap-oob="true"' in body
    empty = client.post(url("task_comment", task.pk), {"body": ""}, **HTMX)
    assert "Nội dung trao đổi không được để trống." in page_text(empty)
    plain = client.post(url("task_comment", task.pk), {"body": "Không dùng HTMX."})
    assert plain.status_code == 302
    assert task.comments.count() == 2


def test_media_files_are_not_served(client, login_as, tree, task_at):
    task = task_at(tree.a, "submitted")
    login_as(Role.DEPT_ADMIN, tree.so)
    name = task.evidence.get().file.name
    assert client.get(f"/media/{name}").status_code == 404


def test_a_dangerous_file_type_downloads_as_bytes(client, login_as, tree, task_at):
    task = task_at(tree.a)
    login_as(Role.UNIT_IT, tree.a)
    client.post(
        url("task_submit", task.pk),
        {"answer_text": "x", "evidence": [upload("trang.html", b"<script>alert(1)</script>")]},
    )
    response = client.get(url("evidence_download", task.evidence.get().pk))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]


def test_evidence_with_a_vietnamese_name_downloads_with_it(client, login_as, tree, task_at):
    task = task_at(tree.a)
    login_as(Role.UNIT_IT, tree.a)
    client.post(
        url("task_submit", task.pk),
        {"answer_text": "x", "evidence": [upload("Biên bản quét.pdf", b"%PDF-1.4")]},
    )
    response = client.get(url("evidence_download", task.evidence.get().pk))
    assert response["Content-Type"] == "application/pdf"
    assert (
        "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n%20qu%C3%A9t.pdf"
        in (response["Content-Disposition"])
    )


# --- task creation ----------------------------------------------------------------------------


def test_task_create_page_is_for_the_department(client, login_as, tree):
    login_as(Role.UNIT_IT, tree.a)
    assert client.get(url("task_create")).status_code == 403
    assert client.post(url("task_create"), {"units": [tree.a.pk], "title": "x"}).status_code == 403
    assert Task.objects.count() == 0


def test_task_create_gives_one_task_per_unit_with_the_policy_due_date(client, login_as, tree):
    officer = login_as(Role.DEPT_SECURITY, tree.so)
    body = page_text(client.get(url("task_create")))
    assert "Trường THPT Lê Lợi" in body or "THPT Lê Lợi" in body
    today = timezone.localdate()
    assert (today + dt.timedelta(days=7)).strftime("%d/%m/%Y") in body  # high: 7 days
    response = client.post(
        url("task_create"),
        {
            "units": [tree.a.pk, tree.b.pk],
            "title": "Đổi mật khẩu mặc định camera",
            "guidance": "Đổi mật khẩu.\nGửi ảnh chụp.",
            "severity": "high",
            "due_date": "",
        },
    )
    assert response.status_code == 302
    tasks = Task.objects.filter(title="Đổi mật khẩu mặc định camera")
    assert sorted(t.unit.code for t in tasks) == ["THPT-A", "THPT-B"]
    assert {t.due_date for t in tasks} == {today + dt.timedelta(days=7)}
    assert {t.created_by for t in tasks} == {officer}


def test_task_create_with_one_unit_and_a_due_date_opens_the_task(client, login_as, tree):
    login_as(Role.DEPT_ADMIN, tree.so)
    due = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        url("task_create"),
        {"units": [tree.c.pk], "title": "Kiểm tra", "severity": "low", "due_date": due.isoformat()},
    )
    task = Task.objects.get(title="Kiểm tra")
    assert response["Location"] == url("task_detail", task.pk)
    assert task.due_date == due


def test_task_create_errors_are_shown(client, login_as, tree):
    login_as(Role.DEPT_SECURITY, tree.so)
    response = client.post(url("task_create"), {"title": "", "severity": "medium"})
    assert response.status_code == 400
    assert "Hãy chọn ít nhất một đơn vị." in page_text(response)
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    response = client.post(
        url("task_create"),
        {"units": [tree.a.pk], "title": "x", "severity": "medium", "due_date": past},
    )
    assert response.status_code == 400
    assert "Hạn xử lý không được ở trong quá khứ." in page_text(response)
    assert Task.objects.count() == 0


def test_a_school_level_officer_cannot_pick_other_units(client, login_as, tree):
    login_as(Role.DEPT_SECURITY, tree.cum)  # Department role held at the cluster only
    body = page_text(client.get(url("task_create")))
    assert "Trường THCS Hòa Bình" in body and "Nguyễn Trãi" not in body
    response = client.post(
        url("task_create"), {"units": [tree.b.pk], "title": "x", "severity": "low"}
    )
    assert response.status_code == 400
    assert Task.objects.count() == 0


# --- findings ---------------------------------------------------------------------------------


def test_finding_list_is_scoped_and_filtered(client, login_as, tree, two_schools, finding_at):
    login_as(Role.UNIT_IT, tree.a)
    body = page_text(client.get(url("finding_list")))
    assert "Máy chủ Lê Lợi trong danh sách botnet" in body
    assert "Nguyễn Trãi" not in body
    login_as(Role.DEPT_SECURITY, tree.so)
    finding_at(tree.c, key="cve-2026-0001", source="vulnerability", title="Lỗ hổng ở THCS")
    body = page_text(client.get(url("finding_list"), {"unit": tree.cum.pk}))
    assert "Lỗ hổng ở THCS" in body and "Máy chủ Lê Lợi" not in body
    body = page_text(client.get(url("finding_list"), {"source": "vulnerability"}))
    assert "Lỗ hổng ở THCS" in body and "Máy chủ Nguyễn Trãi" not in body
    body = page_text(client.get(url("finding_list"), {"q": "198.51.100"}))
    assert "Máy chủ Nguyễn Trãi" in body and "Lỗ hổng ở THCS" not in body
    body = page_text(client.get(url("finding_list"), {"resolved": "yes"}))
    assert "Chưa có phát hiện" not in body and "Máy chủ" not in body
    partial = page_text(client.get(url("finding_list"), {"severity": "high"}, **HTMX))
    assert "<html" not in partial and 'id="finding-results"' in partial


def test_finding_detail_shows_evidence_and_tasks(client, login_as, tree, two_schools):
    login_as(Role.UNIT_IT, tree.a)
    finding = two_schools["finding_a"]
    body = page_text(client.get(url("finding_detail", finding.pk)))
    assert "Địa chỉ IP" in body and "203.0.113.10" in body and "Mirai" in body
    assert two_schools["task_a"].title in body
    assert "Tạo việc từ phát hiện" not in body and "Cập nhật việc đang mở" not in body
    assert client.get(url("finding_detail", two_schools["finding_b"].pk)).status_code == 404


def test_department_opens_a_task_from_a_finding_once(client, login_as, tree, finding_at):
    finding = finding_at(tree.b, key="198.51.100.99")
    login_as(Role.DEPT_SECURITY, tree.so)
    body = page_text(client.get(url("finding_detail", finding.pk)))
    assert "Tạo việc từ phát hiện" in body
    response = client.post(url("finding_open_task", finding.pk))
    task = Task.objects.get(findings=finding)
    assert response["Location"] == url("task_detail", task.pk)
    response = client.post(url("finding_open_task", finding.pk), follow=True)
    assert "đã được cập nhật" in page_text(response)
    assert Task.objects.filter(unit=tree.b).count() == 1


def test_the_school_cannot_open_tasks_from_findings(client, login_as, tree, two_schools):
    login_as(Role.UNIT_IT, tree.a)
    assert client.post(url("finding_open_task", two_schools["finding_a"].pk)).status_code == 403
    assert client.post(url("finding_open_task", two_schools["finding_b"].pk)).status_code == 404


# --- due-date policy --------------------------------------------------------------------------


def test_due_policy_page(client, login_as, tree):
    login_as(Role.DEPT_ADMIN, tree.so)
    body = page_text(client.get(url("due_policy")))
    assert "Nghiêm trọng" in body and "Mặc định" in body and 'value="3"' in body
    data = {"critical": 2, "high": 7, "medium": 15, "low": 45}
    response = client.post(url("due_policy"), data, follow=True)
    assert "Đã lưu thời hạn xử lý." in page_text(response)
    assert DuePolicy.days_for("critical") == 2 and DuePolicy.days_for("low") == 45
    response = client.post(url("due_policy"), {**data, "high": 0})
    assert response.status_code == 400
    assert DuePolicy.days_for("high") == 7


@pytest.mark.parametrize(
    "role, unit_attr",
    [(Role.DEPT_SECURITY, "so"), (Role.UNIT_IT, "a"), (Role.UNIT_HEAD, "a"), (Role.LEARNER, "a")],
)
def test_due_policy_is_for_department_admins(client, login_as, tree, role, unit_attr):
    login_as(role, getattr(tree, unit_attr))
    assert client.get(url("due_policy")).status_code == 403
    response = client.post(url("due_policy"), {"critical": 1, "high": 1, "medium": 1, "low": 1})
    assert response.status_code == 403
    assert not DuePolicy.objects.exists()


def test_pages_need_a_login(client, tree, task_at):
    task = task_at(tree.a)
    for name, args in [("task_list", ()), ("task_detail", (task.pk,)), ("finding_list", ())]:
        response = client.get(url(name, *args))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_finding_evidence_dates_read_as_dd_mm_yyyy(client, login_as, tree, finding_at):
    finding = finding_at(
        tree.a,
        key="203.0.113.55",
        evidence={"ip": "203.0.113.55", "first_seen": "2026-11-03", "ports": [23, 2323]},
    )
    login_as(Role.UNIT_IT, tree.a)
    body = page_text(client.get(url("finding_detail", finding.pk)))
    assert "03/11/2026" in body and "2026-11-03</td>" not in body
    assert "23, 2323" in body


def test_task_create_accepts_a_typed_dd_mm_yyyy_due_date(client, login_as, tree):
    login_as(Role.DEPT_SECURITY, tree.so)
    due = timezone.localdate() + dt.timedelta(days=10)
    response = client.post(
        url("task_create"),
        {
            "units": [tree.a.pk],
            "title": "Gõ ngày",
            "severity": "medium",
            "due_date": due.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    assert Task.objects.get(title="Gõ ngày").due_date == due
    response = client.post(
        url("task_create"),
        {"units": [tree.a.pk], "title": "Sai ngày", "severity": "medium", "due_date": "31/02/2026"},
    )
    assert response.status_code == 400
    assert "Hãy nhập ngày theo dạng dd/mm/yyyy." in page_text(response)


def test_department_sees_unit_forms_folded_away(client, login_as, tree, task_at):
    task = task_at(tree.a, "in_progress")
    login_as(Role.DEPT_SECURITY, tree.so)
    body = page_text(client.get(url("task_detail", task.pk)))
    assert "Cập nhật thay đơn vị" in body
    assert "Đóng việc khi chưa xác nhận" in body
    assert "Xác nhận hoàn thành</button>" not in body  # nothing submitted yet


# --- every page for every role ----------------------------------------------------------------

ROLE_AT = {
    "dept_admin": (Role.DEPT_ADMIN, "so"),
    "dept_security": (Role.DEPT_SECURITY, "so"),
    "unit_it": (Role.UNIT_IT, "a"),
    "unit_head": (Role.UNIT_HEAD, "a"),
    "learner": (Role.LEARNER, "a"),
}
# page → expected status per role (school A's own objects)
PAGES = {
    "task_list": dict.fromkeys(ROLE_AT, 200),
    "task_export": dict.fromkeys(ROLE_AT, 200),
    "finding_list": dict.fromkeys(ROLE_AT, 200),
    "task_detail": {**dict.fromkeys(ROLE_AT, 200), "learner": 404},
    "evidence_download": {**dict.fromkeys(ROLE_AT, 200), "learner": 404},
    "finding_detail": {**dict.fromkeys(ROLE_AT, 200), "learner": 404},
    "task_create": {**dict.fromkeys(ROLE_AT, 403), "dept_admin": 200, "dept_security": 200},
    "due_policy": {**dict.fromkeys(ROLE_AT, 403), "dept_admin": 200},
}


@pytest.mark.parametrize("role_name", list(ROLE_AT))
@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_for_each_role(client, login_as, tree, task_at, finding_at, page, role_name):
    task = task_at(tree.a, "submitted")
    finding = finding_at(tree.a)
    args = {
        "task_detail": (task.pk,),
        "evidence_download": (task.evidence.get().pk,),
        "finding_detail": (finding.pk,),
    }.get(page, ())
    role, unit_attr = ROLE_AT[role_name]
    login_as(role, getattr(tree, unit_attr))
    response = client.get(url(page, *args))
    assert response.status_code == PAGES[page][role_name]


def test_absurd_ids_and_filters_are_not_errors(client, login_as, tree):
    login_as(Role.DEPT_ADMIN, tree.so)
    huge = 10**20
    assert client.get(f"/tasks/{huge}/").status_code == 404
    assert client.get(f"/tasks/evidence/{huge}/").status_code == 404
    assert client.get(f"/findings/{huge}/").status_code == 404
    assert client.post(f"/tasks/{huge}/start/").status_code == 404
    for params in ({"unit": huge}, {"unit": "x"}, {"page": -3}, {"sort": "drop table"}):
        assert client.get(url("task_list"), params).status_code == 200
        assert client.get(url("finding_list"), params).status_code == 200
        assert client.get(url("task_export"), params).status_code == 200

"""End to end in Debian's Chromium: a school submits a task with a file, the Department verifies it.

Needs /usr/bin/chromium (``apt-get install chromium``); skipped with that message otherwise.
"""

from __future__ import annotations

import os
import shutil

import pytest

from lachan.org.models import Role

CHROMIUM = os.environ.get("LACHAN_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Mat-khau-thu-nghiem-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install it with `sudo apt-get install -y chromium`"
        )
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()
            # Inside Playwright's sync API the ORM runs in another context (greenlet), so the
            # test's queries opened a connection of their own: close it before the database goes.
            from django.db import connections

            connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def test_school_submits_department_verifies(
    browser, live_server, tree, make_user, tmp_path, settings
):
    from lachan.remediation import services
    from lachan.remediation.models import Task, TaskStatus

    settings.LACHAN_REQUIRE_2FA_DEPARTMENT = False
    make_user(Role.UNIT_IT, tree.a, username="it_le_loi")
    make_user(Role.DEPT_SECURITY, tree.so, username="attt_so")
    finding, _ = services.record_finding(
        actor=None,
        source="botnet",
        unit=tree.a,
        dedupe_key="203.0.113.7",
        title="Địa chỉ 203.0.113.7 có trong danh sách IP botnet tháng 11/2026",
        severity="high",
        evidence={"ip": "203.0.113.7", "malware": "Mirai"},
        asset_ref="203.0.113.7",
    )
    (task,) = services.open_tasks_from_findings(
        actor=None, findings=[finding], guidance="Quét mã độc trên các máy dùng đường truyền này."
    )
    evidence = tmp_path / "bien-ban-quet-ma-doc.txt"
    evidence.write_text(
        "Đã quét 25 máy trạm bằng phần mềm diệt mã độc, gỡ bỏ 2 tệp độc hại.\n", encoding="utf-8"
    )
    base = live_server.url

    # The school IT officer opens the task and submits an answer with a file.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _login(page, base, "it_le_loi")
    page.goto(f"{base}/tasks/")
    page.get_by_role("link", name=task.title).first.click()
    page.wait_for_url(f"{base}/tasks/{task.pk}/")
    page.get_by_label("Nội dung báo cáo").fill(
        "Đã quét và gỡ mã độc trên toàn bộ máy trạm, đổi mật khẩu modem."
    )
    page.set_input_files("input[name=evidence]", str(evidence))
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_load_state("networkidle")
    assert "Đã báo cáo" in page.content()
    context.close()
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED
    assert task.evidence.count() == 1

    # The Department officer verifies it.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _login(page, base, "attt_so")
    page.goto(f"{base}/tasks/{task.pk}/")
    assert "bien-ban-quet-ma-doc.txt" in page.content()
    page.get_by_role("button", name="Xác nhận hoàn thành").click()
    page.wait_for_load_state("networkidle")
    context.close()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.VERIFIED

    # The school sees it verified.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _login(page, base, "it_le_loi")
    page.goto(f"{base}/tasks/{task.pk}/")
    assert "Đã xác nhận" in page.content()
    context.close()

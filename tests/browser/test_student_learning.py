"""End to end in Debian's Chromium: a student joins a class with its code, reads the lesson,
passes the quiz, and the Department sees the completion on the campaign's dashboard.

Screenshots go to /tmp/shots_campaign/. Needs /usr/bin/chromium (skipped otherwise).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from lachan.org.models import Role

CHROMIUM = os.environ.get("LACHAN_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Mat-khau-thu-nghiem-123"
SHOTS = Path("/tmp/shots_campaign")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM}: `sudo apt-get install -y chromium`")
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
            from django.db import connections

            connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_student_joins_learns_passes_and_is_counted(
    browser, live_server, tree, make_user, settings
):
    from awareness.campaign_support import load_fixture_lessons, make_campaign
    from lachan.awareness.models import Choice
    from lachan.awareness.services import campaigns as svc

    settings.LACHAN_REQUIRE_2FA_DEPARTMENT = False
    officer = make_user(Role.DEPT_SECURITY, tree.so, username="attt_so")
    it_a = make_user(Role.UNIT_IT, tree.a, username="it_le_loi")
    lesson = load_fixture_lessons()[0]
    campaign = make_campaign(lessons=[lesson], units=[tree.so], actor=officer)
    group = svc.create_class_group(
        actor=it_a, campaign=campaign, unit=tree.a, name="10A1", expected_students=30
    )
    code = svc.format_join_code(group.join_code)
    base = live_server.url

    # The student, on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = phone.new_page()
    page.goto(f"{base}/tham-gia/")
    _shot(page, "01-join")
    page.fill("input[name=code]", code.lower().replace("-", " "))
    page.fill("input[name=name]", "Nguyễn Thị Mai")
    page.get_by_role("button", name="Vào học").click()
    page.wait_for_url(f"{base}/hoc/")
    assert "Nguyễn Thị Mai" in page.content()
    assert page.get_by_text("Chưa học").is_visible()
    _shot(page, "02-my-learning")

    page.get_by_role("link", name=lesson.title).click()
    page.wait_for_url(re.compile(rf".*/bai-hoc/{lesson.slug}/\?campaign={campaign.pk}"))
    _shot(page, "03-lesson")
    page.get_by_role("button", name="Làm bài kiểm tra").click()

    for _ in range(20):
        page.wait_for_selector("input[name=question], a:has-text('Xem kết quả')", state="attached")
        if page.locator("a", has_text="Xem kết quả").count():
            break
        qid = int(page.locator("input[name=question]").get_attribute("value"))
        for choice in Choice.objects.filter(question_id=qid, is_correct=True):
            page.check(f"input[name=choice][value='{choice.pk}']")
        page.get_by_role("button", name="Trả lời").click()
        page.wait_for_selector(".quiz-verdict")
        assert "Chính xác" in page.locator(".quiz-verdict").inner_text()
        following = page.locator("a", has_text="Câu tiếp theo")
        if following.count():
            following.click()
    page.locator("a", has_text="Xem kết quả").click()
    page.wait_for_selector(".quiz-score")
    assert "Đạt" in page.locator(".quiz-score").inner_text()
    _shot(page, "04-result")

    page.goto(f"{base}/hoc/")
    assert page.locator(".badge", has_text="Đạt").count() == 1
    assert page.get_by_text("Tải giấy chứng nhận (PDF)").is_visible()
    _shot(page, "05-my-learning-done")
    phone.close()

    # The Department's dashboard counts her.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = desk.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "attt_so")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("navigation").get_by_role("link", name="Đợt học", exact=True).click()
    page.get_by_role("link", name=campaign.title).first.click()
    page.get_by_role("link", name="Tổng hợp tiến độ").click()
    page.wait_for_url(f"{base}/dot-hoc/{campaign.pk}/tong-hop/")
    row = page.locator("tr", has_text="Trường THPT Lê Lợi").first
    cells = row.locator("td")
    # Đơn vị | Cán bộ | Lớp | Học sinh | Đã bắt đầu | Hoàn thành | …
    assert cells.nth(3).inner_text().startswith("1/30")
    assert cells.nth(5).inner_text().strip() == "1"
    assert page.locator(".chart svg").count() == 1
    _shot(page, "06-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "07-dashboard-phone")
    desk.close()

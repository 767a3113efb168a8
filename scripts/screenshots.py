"""Take the documentation screenshots from the demo province, in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--port 8123]

Seeds the demo in a throw-away data directory, serves it on 127.0.0.1, logs in as the demo
users and saves PNGs. Look at every picture after running it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCAM_SAMPLE = (
    "[VCB] Tai khoan cua quy khach se bi KHOA trong 24h do chua cap nhat sinh trac hoc. "
    "Vui long truy cap https://vietcombank-xacthuc.top/otp va nhap ma O T P de xac minh ngay."
)
PASSWORD = "LaChan@2026"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = tempfile.mkdtemp(prefix="lachan-shots-")
    env = {**os.environ, "LACHAN_HOME": home, "LACHAN_REQUIRE_2FA_DEPARTMENT": "0"}
    env.pop("DATABASE_URL", None)
    lachan = str(Path(sys.executable).with_name("lachan"))
    seeded = subprocess.run(
        [lachan, "demo", "--no-serve"], env=env, check=True, capture_output=True, text=True
    )
    # The demo prints a class join code ("… mã K7QM-4RTX") for the student side.
    join_code = seeded.stdout.rsplit("mã ", 1)[-1].split()[0] if "mã " in seeded.stdout else ""
    server = subprocess.Popen(
        [lachan, "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(f"{base}/healthz")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )

            def session(username: str, width: int = 1366, language: str = "vi"):
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, locale="vi-VN"
                )
                if language != "vi":
                    context.add_cookies(
                        [{"name": "django_language", "value": language, "url": base}]
                    )
                page = context.new_page()
                page.goto(f"{base}/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.locator("form button[type=submit]").click()
                page.wait_for_url(f"{base}/")
                return context, page

            def shot(page, path: str, name: str) -> None:
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                # Size the viewport to the page so the fixed sidebar spans the whole picture.
                width = page.viewport_size["width"]
                height = page.evaluate("document.documentElement.scrollHeight")
                page.set_viewport_size({"width": width, "height": min(height, 6000)})
                page.screenshot(path=str(out / name), full_page=True)
                page.set_viewport_size({"width": width, "height": 900})
                print(out / name)

            def snap(page, name: str) -> None:
                """The page as it is now (after typing and clicking), whole length."""
                width = page.viewport_size["width"]
                height = page.evaluate("document.documentElement.scrollHeight")
                page.set_viewport_size({"width": width, "height": min(height, 6000)})
                page.screenshot(path=str(out / name), full_page=True)
                page.set_viewport_size({"width": width, "height": 900})
                print(out / name)

            def visitor(width: int = 1366):
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, locale="vi-VN"
                )
                return context, context.new_page()

            def shot_first_task(page, status: str, name: str) -> None:
                page.goto(f"{base}/tasks/?status={status}")
                href = page.locator("table a[href^='/tasks/']").first.get_attribute("href")
                shot(page, href, name)

            def first_href(page, path: str, selector: str) -> str:
                page.goto(f"{base}{path}")
                return page.locator(selector).first.get_attribute("href")

            context, page = session("demo-so-attt")
            shot(page, "/", "dashboard.png")
            for status in ("open", "in_progress", "submitted", "returned", "verified", "closed"):
                shot_first_task(page, status, f"task-{status.replace('_', '-')}.png")
            shot(page, "/units/", "unit-tree.png")
            shot(page, "/tasks/", "task-list.png")
            shot(page, "/tasks/?status=submitted", "task-list-submitted.png")
            shot(page, "/botnet/", "botnet-lists.png")
            botnet_list = first_href(page, "/botnet/", "main a[href^='/botnet/lists/']")
            shot(page, botnet_list, "botnet-list.png")
            shot(page, f"{botnet_list}?tab=units", "botnet-list-units.png")
            shot(
                page,
                first_href(page, "/botnet/", "main a[href^='/botnet/periods/']"),
                "botnet-period.png",
            )
            shot(page, "/botnet/review/", "botnet-review.png")
            shot(page, "/vulnerabilities/", "vuln-list.png")
            shot(
                page,
                first_href(
                    page, "/vulnerabilities/?affects=yes", "table a[href^='/vulnerabilities/']"
                ),
                "vuln-detail.png",
            )
            shot(page, "/vulnerabilities/exposure/", "vuln-exposure.png")
            shot(
                page,
                first_href(
                    page, "/vulnerabilities/exposure/", "table a[href$='/vulnerabilities/']"
                ),
                "vuln-unit.png",
            )
            shot(page, "/advisories/", "advisory-list.png")
            shot(
                page,
                first_href(page, "/advisories/", "table a[href^='/advisories/']"),
                "advisory-detail.png",
            )
            shot(page, "/advisories/new/", "advisory-form.png")
            shot(page, "/vulnerabilities/feeds/", "vuln-feeds.png")
            shot(page, "/software-aliases/?name=apache2&version=2.4.52-1ubuntu4.6", "aliases.png")
            shot(page, "/hosts/", "host-list.png")
            shot(
                page,
                first_href(page, "/hosts/?exposed=yes", "table a[href^='/hosts/']"),
                "host-detail.png",
            )
            context.close()
            context, page = session("demo-so-admin")
            shot(page, "/audit/", "audit-log.png")
            context.close()
            context, page = session("demo-thpt-cntt")
            shot(page, "/", "dashboard-school.png")
            shot(page, "/tasks/", "task-list-school.png")
            context.close()
            context, page = session("demo-thpt-cntt", width=390)
            shot(page, "/", "dashboard-phone.png")
            shot(
                page,
                first_href(page, "/botnet/", "main a[href^='/botnet/periods/']"),
                "botnet-period-school-phone.png",
            )
            unit = first_href(page, "/units/", "main .tree a[href^='/units/']")
            shot(page, f"{unit}vulnerabilities/", "vuln-unit-school-phone.png")
            shot(
                page,
                first_href(page, "/hosts/?exposed=yes", "table a[href^='/hosts/']"),
                "host-detail-school-phone.png",
            )
            context.close()
            context, page = session("demo-so-attt", language="en")
            shot(page, "/", "dashboard-en.png")
            context.close()

            # Awareness: the public side, a student by class code, the Department's pages.
            for width, suffix in ((1366, ""), (390, "-phone")):
                context, page = visitor(width)
                page.goto(f"{base}/kiem-tra/")
                page.fill("textarea[name=text]", SCAM_SAMPLE)
                page.locator("form.check-form button[type=submit]").click()
                page.wait_for_selector("#check-result *")
                page.wait_for_load_state("networkidle")
                snap(page, f"scam-check-high{suffix}.png")
                context.close()
            context, page = visitor()
            shot(page, "/bai-hoc/", "lesson-library.png")
            shot(page, "/bai-hoc/con-dang-cap-cuu/", "lesson.png")
            context.close()
            if join_code:
                context, page = visitor(390)
                page.goto(f"{base}/tham-gia/?ma={join_code}")
                page.fill("input[name=name]", "Trần Minh Khang")
                page.locator("main form button[type=submit]").click()
                page.wait_for_url(f"{base}/hoc/")
                snap(page, "learning-student-phone.png")
                page.goto(f"{base}/bai-hoc/tin-nhan-thuong-hieu-gia/")
                page.locator("main form[action$='/kiem-tra/'] button").first.click()
                page.wait_for_selector("form input[name=choice]")
                snap(page, "quiz-question-phone.png")
                page.locator("form input[name=choice]").first.check()
                page.locator("form button.btn-primary").first.click()
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                snap(page, "quiz-feedback-phone.png")
                # Go on until a scenario question (a screenshot of a message) comes up.
                for _ in range(8):
                    next_link = page.locator("a.btn-primary", has_text="Câu tiếp theo")
                    if not next_link.count():
                        break
                    next_link.first.click()
                    page.wait_for_selector("form input[name=choice]")
                    page.wait_for_load_state("networkidle")
                    if page.locator("img.quiz-shot").count():
                        snap(page, "quiz-scenario-phone.png")
                        break
                    page.locator("form input[name=choice]").first.check()
                    page.locator("form button.btn-primary").first.click()
                    page.wait_for_selector("a.btn-primary")
                context.close()
            context, page = session("demo-so-attt")
            shot(page, "/dot-hoc/", "campaign-list.png")
            shot(
                page,
                first_href(page, "/dot-hoc/", "main table a[href^='/dot-hoc/']") + "tong-hop/",
                "campaign-dashboard.png",
            )
            shot(page, "/bai-hoc/quan-ly/", "lesson-manage.png")
            shot(page, "/bao-cao-lua-dao/", "scam-reports.png")
            shot(
                page,
                first_href(page, "/bao-cao-lua-dao/", "table a[href^='/bao-cao-lua-dao/']"),
                "scam-report-detail.png",
            )
            shot(page, "/danh-sach-chan/", "blocklists.png")
            shot(page, "/dien-tap/", "drill-list.png")
            shot(
                page,
                first_href(
                    page,
                    "/dien-tap/",
                    "main table tr:has-text('Đã kết thúc') a[href^='/dien-tap/']",
                )
                + "ket-qua/",
                "drill-results.png",
            )
            context.close()
            context, page = session("demo-thpt-cntt")
            shot(page, "/hoc/", "learning-staff.png")
            context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

"""Take the network registry screenshot from the demo province, in Debian's Chromium.

    .venv/bin/python scripts/screenshot_networks.py [--out docs/screenshots] [--port 8124]

Seeds the demo in a throw-away data directory, imports a small registry of fictional
networks (one nested prefix of another school, one address registered by two schools in
the same weeks: the overlap warnings), serves it on 127.0.0.1 and saves
``network-list.png`` as the Department security officer sees it, 1366 pixels wide.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from screenshots import CHROMIUM_ARGS, PASSWORD, ROOT, wait_for

NETWORKS_CSV = """\
unit_code,prefix,isp,subscriber,line_type,valid_from,valid_to,note
LH-SO,14.177.64.0/28,VNPT,Sở Giáo dục và Đào tạo tỉnh Lạc Hồng,leased,,,Kênh thuê riêng trụ sở Sở
LH-SO,2402:800:6210::/48,VNPT,Sở Giáo dục và Đào tạo tỉnh Lạc Hồng,leased,,,
LH-THPT-01,113.160.24.0/29,VNPT,Trường THPT chuyên Lê Quý Đôn,ftth,01/09/2024,,
LH-THPT-02,171.244.12.16/29,Viettel,THPT Nguyen Du,ftth,,,
LH-THPT-03,27.72.98.40/29,Viettel,Truong THPT Tran Phu,ftth,,,Phòng máy tin học
LH-THPT-04,113.160.24.0/27,VNPT,Trường THPT Chu Văn An,leased,,,Khai báo cả dải /27 của nhà mạng
LH-THPT-05,42.112.80.7,FPT,THPT Nguyễn Trãi,ftth,,,
LH-THPT-06,116.110.41.0/29,Viettel,Trường THPT Lê Lợi,ftth,01/01/2025,,
LH-THPT-07,14.232.150.22,VNPT,THPT Tran Hung Dao,mobile,{month_start},{month_end},IP động của bộ phát 4G
LH-THPT-08,14.232.150.22,VNPT,THPT Quang Trung,mobile,{mid_month},,IP động cấp lại giữa tháng
LH-THPT-09,2001:ee0:4501::/48,VNPT,Trường THPT Nguyễn Huệ,ftth,,,
LH-THPT-10,58.187.10.32/28,FPT,THPT Lý Thường Kiệt,ftth,,31/12/2025,Đã chuyển nhà mạng
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--port", type=int, default=8124)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="lachan-shots-"))
    env = {**os.environ, "LACHAN_HOME": str(home), "LACHAN_REQUIRE_2FA_DEPARTMENT": "0"}
    env.pop("DATABASE_URL", None)
    lachan = str(Path(sys.executable).with_name("lachan"))
    subprocess.run([lachan, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
    registry = home / "mang.csv"
    # A dynamic address handed to another school mid-month, this month.
    today = dt.date.today()
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    registry.write_text(
        NETWORKS_CSV.format(
            month_start=f"{start:%d/%m/%Y}",
            month_end=f"{end:%d/%m/%Y}",
            mid_month=f"{start.replace(day=15):%d/%m/%Y}",
        ),
        encoding="utf-8",
    )
    subprocess.run([lachan, "networks", "import", str(registry)], env=env, check=True)
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
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", "demo-so-attt")
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button[type=submit]").click()
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/networks/")
            page.wait_for_load_state("networkidle")
            height = page.evaluate("document.documentElement.scrollHeight")
            page.set_viewport_size({"width": 1366, "height": min(height, 6000)})
            page.screenshot(path=str(out / "network-list.png"), full_page=True)
            print(out / "network-list.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

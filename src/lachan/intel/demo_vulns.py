"""Vulnerability alerts for the demo province: a few well-known CVE records (NVD API 2.0
shape), their KEV entries and EPSS scores, an inventory of the schools' servers, office PCs
and firewalls, a Department advisory without a CVE id, and the matching that turns them
into exposures and one task per host — all through the real services.

The records in ``fixtures/demo`` restate public facts (CVE ids, affected version ranges,
CVSS, KEV dates); the EPSS figures are illustrative. Host names and systems are fictional.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from pathlib import Path

from lachan.org.models import Unit, UnitType

FIXTURES = Path(__file__).parent / "fixtures" / "demo"
HEADER = ("unit_code", "host", "os", "vendor", "product", "version", "cpe", "system")

WEB_SYSTEM = "Cổng thông tin điện tử"
ELEARNING = "Hệ thống học trực tuyến"
OFFICE = "Mạng văn phòng"

# Servers: (host, os, system, software rows (vendor, product, version))
WINDOWS_WEB = (
    "SRV-WEB",
    "Windows Server 2019 Standard",
    WEB_SYSTEM,
    (
        ("Apache Friends", "XAMPP", "8.1.10"),
        ("Apache Software Foundation", "Apache HTTP Server", "2.4.49"),
        ("The PHP Group", "PHP", "8.1.10"),
        ("", "WordPress", "5.8.1"),
    ),
)
UBUNTU_WEB = (
    "SRV-WEB",
    "Ubuntu 22.04.3 LTS",
    WEB_SYSTEM,
    (
        ("", "apache2", "2.4.52-1ubuntu4.6"),
        ("", "php8.1", "8.1.2-1ubuntu2.14"),
        ("", "openssh-server", "1:8.9p1-3ubuntu0.4"),
        ("", "WordPress", "6.4.2"),
    ),
)
MOODLE = (
    "SRV-ELEARN",
    "Debian GNU/Linux 12 (bookworm)",
    ELEARNING,
    (
        ("", "Moodle", "4.1.5"),
        ("", "nginx", "1.22.1-9"),
        ("", "openssh-server", "1:9.2p1-2+deb12u2"),
    ),
)
OFFICE_PC = (
    "PC-KETOAN-01",
    "Windows 10 Pro 22H2",
    OFFICE,
    (
        ("Google LLC", "Google Chrome", "116.0.5845.96"),
        ("win.rar GmbH", "WinRAR 6.11 (64-bit)", "6.11.0"),
        ("Igor Pavlov", "7-Zip 23.01 (x64)", "23.01"),
        ("Mozilla", "Mozilla Firefox (x64 vi)", "115.0.2"),
    ),
)
PATCHED_PC = (
    "PC-HIEUTRUONG",
    "Windows 11 Pro 23H2",
    OFFICE,
    (
        ("Google LLC", "Google Chrome", "131.0.6778.86"),
        ("win.rar GmbH", "WinRAR 7.01 (64-bit)", "7.01.0"),
        ("Igor Pavlov", "7-Zip 24.09 (x64)", "24.09"),
    ),
)
FIREWALL = ("FW-01", "FortiOS 7.2.5", OFFICE, (("Fortinet", "FortiOS", "7.2.5"),))


def _schools(units: dict[str, Unit]) -> list[Unit]:
    return [
        u
        for code, u in sorted(units.items())
        if u.is_active and u.type in {UnitType.THPT, UnitType.PT_NHIEU_CAP, UnitType.GDNN_GDTX}
    ]


def inventory_csv(units: dict[str, Unit], rng: random.Random, so_code: str) -> bytes:
    """The inventory file, as a school would fill it in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    schools = _schools(units)
    featured = {"LH-THPT-02", "LH-THPT-03", "LH-GDNN-KV"}
    others = rng.sample([u for u in schools if u.code not in featured], 18)
    chosen = [units[c] for c in sorted(featured)] + others
    for n, unit in enumerate(chosen):
        hosts = [WINDOWS_WEB if n % 3 == 0 else UBUNTU_WEB, OFFICE_PC if n % 2 == 0 else PATCHED_PC]
        if n % 4 == 1 or unit.code == "LH-THPT-02":
            hosts.append(MOODLE)
        if n % 5 == 0:
            hosts.append(FIREWALL)
        for host, os_name, system, rows in hosts:
            for vendor, product, version in rows:
                writer.writerow((unit.code, host, os_name, vendor, product, version, "", system))
    # The Department's own firewall.
    for vendor, product, version in FIREWALL[3]:
        writer.writerow(
            (f"{so_code}-VP", "FW-SO-01", FIREWALL[1], vendor, product, version, "", "")
        )
    return out.getvalue().encode("utf-8")


def seed_vuln_demo(
    *,
    today: dt.date,
    units: dict[str, Unit],
    officer,
    run_plan: Callable[[object, str, int], None],
    rng: random.Random,
    so_code: str,
) -> dict[str, int]:
    """Feeds, inventory, an advisory, matching, and some of the work already done."""
    from lachan.assets.inventory_import import import_inventory
    from lachan.assets.models import InformationSystem
    from lachan.assets.services import save_system
    from lachan.intel.models import Exposure
    from lachan.intel.vulns import import_feed_files, run_matching, save_advisory
    from lachan.remediation.models import Task

    import_feed_files(
        actor=None,
        paths=[FIXTURES / "nvd-cve-demo.json"],
        kev=FIXTURES / "kev-demo.json",
        epss=FIXTURES / "epss-demo.csv",
    )
    report = import_inventory(
        actor=None, data=inventory_csv(units, rng, so_code), filename="kiem-ke-phan-mem.csv"
    )
    if getattr(report, "errors", None):
        raise RuntimeError(f"demo inventory rejected: {report.errors[:3]}")
    levels = {WEB_SYSTEM: (2, True), ELEARNING: (2, True), OFFICE: (1, False)}
    for system in InformationSystem.objects.select_related("unit"):
        level, facing = levels.get(system.name, (1, False))
        save_system(
            actor=None,
            unit=system.unit,
            system=system,
            security_level=level,
            internet_facing=facing,
        )
    save_advisory(
        actor=officer,
        title="Cảnh báo lỗ hổng bảo mật nghiêm trọng trong phần mềm Moodle",
        source="letter",
        source_detail="Sở Khoa học và Công nghệ tỉnh Lạc Hồng (dữ liệu minh hoạ)",
        issued_on=today - dt.timedelta(days=12),
        reference_number="…/SKHCN-BCVT (minh hoạ)",
        cve_ids=[],
        products=[
            {
                "vendor": "moodle",
                "product": "moodle",
                "version_start_including": "4.1.0",
                "version_end_excluding": "4.1.12",
            }
        ],
        required_action=(
            "Cập nhật Moodle lên phiên bản 4.1.12 trở lên (hoặc bản mới nhất của nhánh đang "
            "dùng); sao lưu dữ liệu trước khi cập nhật; rà soát tài khoản quản trị."
        ),
        deadline=today + dt.timedelta(days=10),
    )
    counts = run_matching(actor=None)
    # Some of the work already done: the featured school's office PC reported back, another
    # school's firewall was verified; the rest is in hand.
    tasks = list(Task.objects.filter(problem_key__startswith="vuln:").order_by("unit__code", "pk"))
    plans = ["submitted", "in_progress", "verified", "open", "returned"]
    for n, task in enumerate(tasks[:10]):
        run_plan(task, plans[n % len(plans)], 60 + n)
    return {
        "vuln_records": counts.get("matches", 0),
        "exposures": Exposure.objects.count(),
        "vuln_tasks": len(tasks),
    }

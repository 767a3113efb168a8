"""Botnet lists for the demo province: a network registry and two monthly lists that go
through the real workflow (import, attribution, name confirmation, clean-up, next month).

All addresses are in the documentation ranges (RFC 5737 and RFC 3849), which the demo
accepts through ``LACHAN_ALLOW_DOCUMENTATION_IPS``; nothing here is a real subscriber.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from pathlib import Path

from django.test.utils import override_settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from lachan.org.models import Unit, UnitType

V4_BLOCKS = ("203.0.113", "198.51.100", "192.0.2")
ISPS = ("VNPT", "Viettel", "FPT Telecom")
SOURCE = "Sở Khoa học và Công nghệ tỉnh Lạc Hồng (dữ liệu minh hoạ)"
HEADER = (
    "STT",
    "Địa chỉ IP",
    "Thời gian ghi nhận",
    "Tên mã độc",
    "Nhà mạng",
    "Tên thuê bao",
    "Địa chỉ lắp đặt",
    "Cổng",
)
# Units whose lines are not in the registry: the list names them by subscriber only, so
# the Department confirms the match by hand (then the name becomes an alias).
UNREGISTERED = ("LH-DT-02", "LH-DT-05")
# The dynamic address reassigned mid-month from one school to another.
DYNAMIC = "192.0.2.250"
IOT = ("Mirai", "Gafgyt", "Mozi", "Moobot")
WINDOWS = ("Emotet", "Conficker", "Sality", "Ramnit", "Andromeda")


def _month_before(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _schools(units: dict[str, Unit]) -> list[Unit]:
    return [
        u
        for code, u in sorted(units.items())
        if u.is_active
        and u.type not in {UnitType.SO, UnitType.PHONG, UnitType.KHAC}
        and not code.startswith("LH-CUM-")
    ]


def build_registry(units: dict[str, Unit], rng: random.Random) -> dict[str, list[str]]:
    """Register the lines of every active school; returns unit code → its IPv4 addresses."""
    from lachan.assets.services import save_network

    addresses: dict[str, list[str]] = {}
    slot = 0
    for n, unit in enumerate(_schools(units)):
        if unit.code in UNREGISTERED:
            continue
        block = V4_BLOCKS[slot // 60]
        base = 4 * (slot % 60)
        slot += 1
        isp = ISPS[n % len(ISPS)]
        big = unit.type in {UnitType.THPT, UnitType.PT_NHIEU_CAP, UnitType.GDNN_GDTX}
        prefix = f"{block}.{base}/30" if big else f"{block}.{base + 1}"
        save_network(
            actor=None,
            unit=unit,
            prefix=prefix,
            isp=isp,
            subscriber=unit.name,
            line_type="leased" if big else "ftth",
            is_static=big,
            note="Đường truyền chính (dữ liệu minh hoạ)",
        )
        addresses[unit.code] = (
            [f"{block}.{base + i}" for i in (1, 2)] if big else [f"{block}.{base + 1}"]
        )
        if big and n % 4 == 0:
            v6 = f"2001:db8:{0x100 + n:x}::/48"
            save_network(
                actor=None,
                unit=unit,
                prefix=v6,
                isp=isp,
                subscriber=unit.name,
                line_type="leased",
                is_static=True,
                note="Dải IPv6 (dữ liệu minh hoạ)",
            )
            addresses[unit.code].append(f"2001:db8:{0x100 + n:x}::{rng.randint(2, 250):x}")
    return addresses


def _dynamic_line(units: dict[str, Unit], older: dt.date, newer: dt.date) -> tuple[str, str]:
    """An FTTH address the ISP gave to one school until the middle of ``newer``'s month and
    to another afterwards; returns the two unit codes."""
    from lachan.assets.services import save_network

    first, second = "LH-DT-01", "LH-DT-03"
    switch = newer.replace(day=15)
    save_network(
        actor=None,
        unit=units[first],
        prefix=DYNAMIC,
        isp="Viettel",
        subscriber=units[first].name,
        line_type="ftth",
        is_static=False,
        valid_from=older,
        valid_to=switch - dt.timedelta(days=1),
        note="Địa chỉ động, nhà mạng cấp lại cho đơn vị khác từ giữa tháng",
    )
    save_network(
        actor=None,
        unit=units[second],
        prefix=DYNAMIC,
        isp="Viettel",
        subscriber=units[second].name,
        line_type="ftth",
        is_static=False,
        valid_from=switch,
        note="Địa chỉ động (dữ liệu minh hoạ)",
    )
    return first, second


def _at(day: dt.date, rng: random.Random) -> str:
    moment = dt.datetime.combine(day, dt.time(rng.randint(0, 23), rng.randint(0, 59)))
    return moment.strftime("%d/%m/%Y %H:%M")


def _day(period: dt.date, rng: random.Random, lo: int = 1, hi: int = 28) -> dt.date:
    return period.replace(day=rng.randint(lo, hi))


def list_rows(
    period: dt.date,
    units: dict[str, Unit],
    addresses: dict[str, list[str]],
    chosen: list[str],
    rng: random.Random,
    *,
    extra: list[tuple] = (),
) -> list[tuple]:
    """Rows of a list: (ip, time, malware, isp, subscriber, address, port) per sighting of
    the chosen units, then ``extra`` rows as given."""
    rows: list[tuple] = []
    for i, code in enumerate(chosen):
        unit = units[code]
        ips = addresses[code]
        family = (IOT if i % 3 else WINDOWS)[i % 4]
        for ip in ips[: 1 + i % 2]:
            port = rng.choice(("23", "2323", "37215", "52869")) if family in IOT else "445"
            rows.append(
                (
                    ip,
                    _at(_day(period, rng), rng),
                    family,
                    ISPS[i % 3],
                    unit.name.upper(),
                    "",
                    port,
                )
            )
    rows.extend(extra)
    return rows


def write_xlsx(period: dt.date, rows: list[tuple]) -> bytes:
    """A list as the provincial body sends it: title rows above the header, one sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"T{period:%m}-{period:%Y}"
    sheet["A1"] = "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH LẠC HỒNG (DỮ LIỆU MINH HOẠ)"
    sheet["A2"] = (
        f"DANH SÁCH ĐỊA CHỈ IP NGHI NHIỄM MÃ ĐỘC, THAM GIA MẠNG BOTNET THÁNG {period:%m/%Y}"
    )
    sheet["A1"].font = Font(bold=True)
    sheet["A2"].font = Font(bold=True)
    sheet.merge_cells("A2:H2")
    sheet["A2"].alignment = Alignment(horizontal="center")
    sheet.append([])
    sheet.append(list(HEADER))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row])
    for column, width in zip("ABCDEFGH", (6, 18, 18, 14, 12, 42, 36, 8), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def seed_botnet_demo(
    *,
    today: dt.date,
    units: dict[str, Unit],
    officer,
    run_plan: Callable[[object, str, int], None],
    rng: random.Random,
    sample_dir: Path | None = None,
) -> dict[str, int]:
    """Registry, the lists of the two months before ``today`` (the older one worked through,
    the newer one re-infecting some units), and a sample list of this month to upload."""
    from lachan.intel.models import BotnetList, BotnetListRow, MatchMethod
    from lachan.intel.services import confirm_name_match, import_botnet_list
    from lachan.remediation.models import DuePolicy, Task

    newer = _month_before(today)
    older = _month_before(newer)
    with override_settings(LACHAN_ALLOW_DOCUMENTATION_IPS=True):
        addresses = build_registry(units, rng)
        first, second = _dynamic_line(units, older, newer)
        registered = sorted(addresses)
        featured = ["LH-THPT-02", "LH-THPT-03", "LH-GDNN-KV"]
        pool = [c for c in registered if c not in featured and not c.startswith("LH-DT-")]
        older_units = featured + rng.sample(pool, 9)
        name_row_old = (
            "203.0.113.251",
            _at(older.replace(day=9), rng),
            "Gafgyt",
            "VNPT",
            "TRUONG THCS NGUYEN VAN TROI",
            "Phường Đông Thành, tỉnh Lạc Hồng",
            "23",
        )
        noise = [
            (
                "198.51.100.251",
                _at(older.replace(day=12), rng),
                "Emotet",
                "FPT Telecom",
                "Công ty TNHH Thương mại Minh Phát",
                "Xã Phú Mỹ",
                "443",
            ),
            ("10.20.30.40", _at(older.replace(day=13), rng), "Mirai", "VNPT", "", "", "23"),
        ]
        rows = list_rows(older, units, addresses, older_units, rng, extra=[name_row_old, *noise])
        rows.append(rows[0])  # the same sighting twice: counted once
        old_list = import_botnet_list(
            actor=officer,
            data=write_xlsx(older, rows),
            filename=f"danh-sach-ip-botnet-{older:%m-%Y}.xlsx",
            period=older,
            source=SOURCE,
        )
        for row in BotnetListRow.objects.filter(
            botnet_list=old_list, method=MatchMethod.NAME, confirmed=False
        ):
            confirm_name_match(actor=officer, row=row)
        # The older month's clean-up: the featured school finished (verified), the second
        # reported back, the others a mix.
        plans = {"LH-THPT-02": "verified", "LH-THPT-03": "submitted", "LH-GDNN-KV": "closed"}
        mix = ["verified", "in_progress", "submitted", "open", "verified", "returned"]
        old_tasks = Task.objects.filter(problem_key=f"botnet:{older:%Y-%m}").order_by("unit__code")
        for n, task in enumerate(old_tasks):
            run_plan(task, plans.get(task.unit.code, mix[n % len(mix)]), 40 + n)

        # The newer month: two schools back (re-infected), new ones, the dynamic address
        # seen before and after its reassignment, a name match left for review.
        newer_units = ["LH-THPT-02", older_units[3], *rng.sample(pool, 6)]
        extra = [
            (DYNAMIC, _at(newer.replace(day=6), rng), "Mirai", "Viettel", "", "", "23"),
            (DYNAMIC, _at(newer.replace(day=21), rng), "Mozi", "Viettel", "", "", "37215"),
            (
                "203.0.113.252",
                _at(newer.replace(day=17), rng),
                "Conficker",
                "VNPT",
                "TRUONG MAM NON SON CA",
                "Phường Tây Sơn, tỉnh Lạc Hồng",
                "445",
            ),
            (
                "198.51.100.252",
                _at(newer.replace(day=18), rng),
                "Mirai",
                "Viettel",
                "Hộ kinh doanh Nguyễn Văn Tâm",
                "Xã Hòa An",
                "23",
            ),
            ("192.0.2.999", _at(newer.replace(day=19), rng), "Mirai", "VNPT", "", "", ""),
        ]
        rows = list_rows(newer, units, addresses, newer_units, rng, extra=extra)
        new_list = import_botnet_list(
            actor=officer,
            data=write_xlsx(newer, rows),
            filename=f"danh-sach-ip-botnet-{newer:%m-%Y}.xlsx",
            period=newer,
            source=SOURCE,
        )
    # Display only: the lists arrived early in the following month, their tasks with them.
    # The newer list arrived a few days ago, so its work is mostly still in hand.
    new_arrival = max(_arrival(newer), today - dt.timedelta(days=5))
    for task in Task.objects.filter(title__startswith="Tái nhiễm"):
        days = DuePolicy.days_for(task.severity)
        Task.objects.filter(pk=task.pk).update(due_date=new_arrival + dt.timedelta(days=days))
    for botnet_list, arrived in ((old_list, _arrival(older)), (new_list, new_arrival)):
        at = timezone.make_aware(dt.datetime.combine(arrived, dt.time(8, 15)))
        BotnetList.objects.filter(pk=botnet_list.pk).update(imported_at=at)
        for task in Task.objects.filter(problem_key=f"botnet:{botnet_list.period:%Y-%m}"):
            if task.title.startswith("Tái nhiễm"):
                continue  # reopened by the newer list: its due date runs from then
            days = DuePolicy.days_for(task.severity)
            Task.objects.filter(pk=task.pk).update(
                created_at=at, due_date=arrived + dt.timedelta(days=days)
            )
    if sample_dir is not None:
        sample_dir.mkdir(parents=True, exist_ok=True)
        this_month = today.replace(day=1)
        sample = list_rows(
            this_month,
            units,
            addresses,
            rng.sample(registered, 5),
            rng,
            extra=[
                (DYNAMIC, _at(this_month.replace(day=2), rng), "Mirai", "Viettel", "", "", "23")
            ],
        )
        (sample_dir / f"danh-sach-ip-botnet-{this_month:%m-%Y}-mau.xlsx").write_bytes(
            write_xlsx(this_month, sample)
        )
    return {
        "botnet_lists": BotnetList.objects.count(),
        "botnet_rows": BotnetListRow.objects.count(),
        "dynamic_units": len({first, second}),
    }


def _arrival(period: dt.date) -> dt.date:
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following + dt.timedelta(days=2)

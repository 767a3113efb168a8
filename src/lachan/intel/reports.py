"""Official documents of the botnet workflow.

- :func:`unit_notice`: the Department's letter to one affected unit (its addresses, the
  devices the families usually infect, the steps, the deadline);
- :func:`province_summary`: the monthly report to the province (totals, units, ISPs,
  families, clean-up status, re-infections, units off the list);
- :func:`province_summary_xlsx`: the same figures and every row as a workbook.

The documents are :class:`~lachan.documents.model.OfficialDocument` objects, rendered to
DOCX or PDF by :mod:`lachan.documents.render`. They read as the system (``user`` None):
callers decide who may ask for them. Official documents are always in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from lachan.documents.model import (
    Heading,
    IssuingBody,
    OfficialDocument,
    Paragraph,
    Signature,
    Steps,
    Table,
)
from lachan.org.models import Unit, UnitType
from lachan.remediation.models import DuePolicy, Severity, TaskStatus

from . import selectors
from .guidance import COMMON_STEPS_AFTER, COMMON_STEPS_BEFORE, UNKNOWN, Family, family_of
from .models import BotnetList, BotnetListRow, MatchMethod

NOTICE_SUBJECT = "rà soát, xử lý địa chỉ IP nghi nhiễm mã độc"
SUMMARY_SUBJECT = "báo cáo kết quả rà soát, xử lý địa chỉ IP nghi nhiễm mã độc {label}"
MONITORING_CENTRE = "Trung tâm Giám sát an toàn không gian mạng quốc gia"
UNKNOWN_VALUE = "Không rõ"
DRAFTING_OFFICE = "VP"  # the Department's office (Văn phòng Sở) drafts and files these letters


class NothingToReport(ValueError):
    """No list for the period, no root unit, or the unit has no address on the list."""


# --------------------------------------------------------------------------- the Department


@dataclass(frozen=True)
class Department:
    """Who issues the documents: the root of the unit tree and its province."""

    unit: Unit
    issuer: IssuingBody
    place: str  # "Lạc Hồng": the place in "Lạc Hồng, ngày … tháng … năm …"
    province: str  # "tỉnh Lạc Hồng" (empty when unknown)
    abbreviation: str  # "SGDĐT"
    office: Unit | None  # Văn phòng Sở, when the tree has one

    @property
    def name(self) -> str:
        return self.issuer.unit

    @property
    def symbol(self) -> str:
        return f"{self.abbreviation}-{DRAFTING_OFFICE}"

    def of_province(self, body: str) -> str:
        """``"Sở Khoa học và Công nghệ tỉnh Lạc Hồng"``, or the bare name without a province."""
        return f"{body} {self.province}" if self.province else body

    def contact_sentence(self) -> str:
        office = self.office
        who = f"bộ phận công nghệ thông tin, {office.name}" if office else self.name
        phone = (office.phone if office else "") or self.unit.phone
        email = (office.email if office else "") or self.unit.email
        means = [f"điện thoại: {phone}" if phone else "", f"thư điện tử: {email}" if email else ""]
        reach = ", ".join(m for m in means if m)
        return (
            "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị liên hệ "
            f"{who}{f' ({reach})' if reach else ''} để được hướng dẫn, hỗ trợ."
        )


_PROVINCE_WORDS = (("thành phố ", "thành phố"), ("tp. ", "thành phố"), ("tỉnh ", "tỉnh"))


def _split_province(text: str) -> tuple[str, str]:
    """``"Tỉnh Lạc Hồng"`` → ``("tỉnh", "Lạc Hồng")``; a bare name is taken as a province."""
    text = " ".join(text.split())
    folded = text.casefold()
    for prefix, kind in _PROVINCE_WORDS:
        if folded.startswith(prefix):
            return kind, text[len(prefix) :].strip()
    return ("tỉnh", text) if text else ("", "")


def _abbreviation(name: str) -> str:
    """Initials, as symbols are written: "Sở Giáo dục và Đào tạo" → "SGDĐT"."""
    words = [w for w in re.split(r"[^\w]+", name) if w and w.casefold() != "và"]
    return "".join(w[0].upper() for w in words)


def department() -> Department:
    """The root unit of the tree (the Department) as the issuing body."""
    roots = list(Unit.objects.filter(parent__isnull=True).order_by("path", "pk"))
    if not roots:
        raise NothingToReport("Chưa có đơn vị gốc (Sở Giáo dục và Đào tạo) trong cây đơn vị.")
    root = next((u for u in roots if u.type == UnitType.SO and u.is_active), roots[0])
    name = " ".join(root.name.split())
    kind, province = _split_province(root.province)
    if not province:
        # "Sở Giáo dục và Đào tạo tỉnh Lạc Hồng": the name itself may carry the province.
        found = re.search(r"\b(tỉnh|thành phố)\s+(.+)$", name, flags=re.IGNORECASE)
        if found:
            kind, province = found.group(1).casefold(), found.group(2)
    if province:
        # Under "UBND TỈNH LẠC HỒNG" the body's own name leaves the province out.
        name = re.sub(
            rf"\s+{re.escape(kind)}\s+{re.escape(province)}$", "", name, flags=re.IGNORECASE
        )
    parent = f"UBND {kind} {province}" if province else ""
    office = (
        Unit.objects.filter(parent=root, type=UnitType.PHONG, name__istartswith="Văn phòng")
        .order_by("path")
        .first()
    )
    return Department(
        unit=root,
        issuer=IssuingBody(unit=name, parent=parent),
        place=province or "……",
        province=f"{kind} {province}" if province else "",
        abbreviation=_abbreviation(name) or "SGDĐT",
        office=office,
    )


def _signature() -> Signature:
    # A deputy director usually signs these on the director's behalf; the name is written
    # by hand (or typed in the DOCX) when the letter is signed.
    return Signature(authority="KT. GIÁM ĐỐC", position="PHÓ GIÁM ĐỐC", name="")


# --------------------------------------------------------------------------- small helpers


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(_zone()) if moment is not None else None


def _when(moment: dt.datetime | None) -> str:
    local = _local(moment)
    return local.strftime("%d/%m/%Y %H:%M") if local else UNKNOWN_VALUE


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _label(period: dt.date) -> str:
    return f"tháng {period:%m/%Y}"


def _vi(label: Any) -> str:
    """A model choice label in Vietnamese whatever the request's language."""
    with translation.override("vi"):
        return str(label)


def _status_label(task: Any) -> str:
    return _vi(TaskStatus(task.status).label)


def _names(units: Iterable[Unit]) -> str:
    return ", ".join(u.name for u in units)


def _attributed_q() -> Q:
    return Q(method=MatchMethod.PREFIX) | Q(method=MatchMethod.NAME, confirmed=True)


def _is_attributed(row: BotnetListRow) -> bool:
    """Attributed to a unit: by prefix, or by a name match a Department officer confirmed."""
    return row.unit_id is not None and (
        row.method == MatchMethod.PREFIX or (row.method == MatchMethod.NAME and row.confirmed)
    )


def _require_list(period: dt.date) -> dt.date:
    period = period.replace(day=1)
    if not BotnetList.objects.filter(period=period).exists():
        raise NothingToReport(f"Chưa có danh sách IP Botnet nào cho kỳ {period:%m/%Y}.")
    return period


def addressee_of(unit: Unit) -> str:
    """Who a letter to the unit is addressed to: its head, by the title the unit's kind uses."""
    name = " ".join(unit.name.split())
    folded = name.casefold()
    if folded.startswith("trường") or unit.type in {
        UnitType.THPT,
        UnitType.PT_NHIEU_CAP,
        UnitType.THCS,
        UnitType.TH,
        UnitType.MN,
    }:
        return f"Hiệu trưởng {name}"
    if folded.startswith("trung tâm") or unit.type == UnitType.GDNN_GDTX:
        return f"Giám đốc {name}"
    if folded.startswith("văn phòng"):
        return f"Chánh {name}"
    if folded.startswith("phòng "):
        return f"Trưởng phòng {name[len('phòng ') :]}"
    return name


def _families(malware: Iterable[str]) -> tuple[list[Family], bool]:
    """The known families among the names (first seen first) and whether any is unknown."""
    known: dict[str, Family] = {}
    unknown = False
    for name in malware:
        family = family_of(name) if name else None
        if family is None:
            unknown = True
        else:
            known.setdefault(family.label, family)
    return list(known.values()), unknown


def _family_label(malware: str) -> str:
    family = family_of(malware) if malware else None
    if family is not None:
        return family.label
    return malware.strip() or UNKNOWN_VALUE


def _device_lines(families: Sequence[Family], unknown: bool) -> list[str]:
    """``"- Mirai, Mozi: camera IP, …"``: families that infect the same devices share a line."""
    by_devices: dict[str, list[str]] = defaultdict(list)
    for family in families:
        by_devices[family.devices].append(family.label)
    if unknown:
        by_devices[UNKNOWN.devices].append("mã độc khác hoặc chưa rõ tên")
    return [f"- {', '.join(labels)}: {devices}." for devices, labels in by_devices.items()]


def _steps(families: Sequence[Family], unknown: bool) -> tuple[str, ...]:
    """The steps of ``guidance.guidance_for``, in the same order."""
    steps: list[str] = list(COMMON_STEPS_BEFORE)
    for family in [*families, *([UNKNOWN] if unknown else [])]:
        steps.extend(s for s in family.steps if s not in steps)
    steps.extend(s for s in COMMON_STEPS_AFTER if s not in steps)
    return tuple(steps)


# --------------------------------------------------------------------------- the notice


def _unit_months(unit: Unit, period: dt.date) -> tuple[selectors.UnitMonth | None, dt.date | None]:
    """The unit's month on the period's lists and the latest earlier period it was on."""
    history = selectors.unit_history(None, unit)
    month = next((m for m in history if m.period == period), None)
    earlier = max((m.period for m in history if m.period < period and m.rows), default=None)
    return month, earlier


def unit_notice(
    *,
    unit: Unit,
    period: dt.date,
    issued_on: dt.date | None = None,
    number: str = "",
) -> OfficialDocument:
    """The Department's letter asking ``unit`` to clean up its addresses on the period's list.

    Raises :class:`NothingToReport` when the period has no list or the unit has no address
    attributed to it (by prefix, or by a confirmed name match).
    """
    period = _require_list(period)
    dept = department()
    issued_on = issued_on or timezone.localdate()
    label = _label(period)
    month, earlier_period = _unit_months(unit, period)
    if month is None or month.rows == 0:
        waiting = month.pending_names if month else 0
        detail = (
            f"; {waiting} địa chỉ đối chiếu theo tên thuê bao đang chờ Sở xác nhận"
            if waiting
            else ""
        )
        raise NothingToReport(
            f"{unit.name} không có địa chỉ IP nào trong danh sách kỳ {period:%m/%Y}{detail}."
        )
    rows = sorted(
        selectors.rows_for_period(None, period).filter(_attributed_q(), unit=unit),
        key=lambda r: (r.seen_at is None, r.seen_at or dt.datetime.min, r.ip, r.pk),
    )
    addressee = addressee_of(unit)
    addresses = len(month.addresses)
    counted = f"{addresses} địa chỉ IP" + (
        f" ({len(rows)} lượt ghi nhận)" if len(rows) > addresses else ""
    )
    sender = dept.of_province("Sở Khoa học và Công nghệ")
    body: list[Any] = [
        Paragraph(
            "Thực hiện nhiệm vụ rà soát, bóc gỡ mã độc trên các máy chủ, máy trạm trong ngành, "
            "ưu tiên các thiết bị có địa chỉ IP nằm trong danh sách IP Botnet hằng tháng; căn cứ "
            f"danh sách địa chỉ IP nghi nhiễm mã độc {label} do {sender} chuyển đến (theo dữ "
            f"liệu giám sát của {MONITORING_CENTRE}), {dept.name} đã đối chiếu với các dải địa "
            f"chỉ IP đăng ký của các đơn vị và ghi nhận {counted} của {unit.name} có kết nối tới "
            "hệ thống điều khiển mạng máy tính ma (botnet), cụ thể như sau:"
        ),
        Table(
            header=("STT", "Địa chỉ IP", "Thời gian ghi nhận", "Mã độc", "Nhà mạng", "Cổng"),
            rows=tuple(
                (
                    str(i),
                    r.ip,
                    _when(r.seen_at),
                    r.malware or UNKNOWN_VALUE,
                    r.isp or UNKNOWN_VALUE,
                    r.port or "-",
                )
                for i, r in enumerate(rows, start=1)
            ),
            widths=(12, 40, 38, 28, 30, 17),  # mm of the 165 mm text width
            centered=(0, 2, 5),
        ),
    ]
    if month.reinfected:
        earlier = f"danh sách {_label(earlier_period)}" if earlier_period else "danh sách kỳ trước"
        body.append(
            Paragraph(
                f"Đơn vị đã có địa chỉ IP trong {earlier}; việc tiếp tục xuất hiện trong danh "
                f"sách {label} cho thấy thiết bị bị nhiễm lại hoặc chưa được xử lý triệt để. Đề "
                "nghị đơn vị rà soát toàn bộ thiết bị trong mạng của đơn vị, không chỉ các thiết "
                "bị đã xử lý ở kỳ trước."
            )
        )
    families, unknown = _families(r.malware for r in rows)
    body.append(
        Paragraph(
            "Theo đặc điểm của các mã độc nêu trên, các thiết bị thường bị lây nhiễm gồm:"
            if families
            else "Chưa xác định được loại mã độc; các thiết bị thường bị lây nhiễm gồm:"
        )
    )
    body.extend(Paragraph(line) for line in _device_lines(families, unknown))
    body.append(
        Paragraph(
            f"Để xử lý dứt điểm, {dept.name} đề nghị {addressee} chỉ đạo cán bộ phụ trách công "
            "nghệ thông tin của đơn vị khẩn trương thực hiện các bước sau:"
        )
    )
    body.append(Steps(_steps(families, unknown)))
    body.append(Paragraph(_deadline_sentence(month, issued_on)))
    body.append(Paragraph(dept.contact_sentence()))
    body.append(
        Paragraph(
            f"{dept.name} đề nghị {addressee} quan tâm chỉ đạo, triển khai thực hiện nghiêm túc./."
        )
    )
    return OfficialDocument(
        issuer=dept.issuer,
        number=number,
        symbol=dept.symbol,
        place=dept.place,
        issued_on=issued_on,
        subject=NOTICE_SUBJECT,
        addressees=(addressee,),
        body=tuple(body),
        recipients=("Như trên", "Giám đốc Sở (để b/c)", f"Lưu: VT, {DRAFTING_OFFICE}"),
        signature=_signature(),
    )


def _deadline_sentence(month: selectors.UnitMonth, issued_on: dt.date) -> str:
    task = month.task
    if task is not None:
        due = task.due_date
    else:
        # No task yet (the import makes one): the due-date policy, counted from the letter.
        severity = Severity.CRITICAL if month.reinfected else Severity.HIGH
        due = issued_on + dt.timedelta(days=DuePolicy.days_for(severity))
    where = f"tại việc “{task.title}”" if task is not None else "tại mục Việc cần xử lý của đơn vị"
    if due < issued_on:
        when = (
            f"Việc xử lý đã quá hạn (hạn ngày {_day(due)}); đề nghị đơn vị hoàn thành và báo "
            "cáo kết quả ngay."
        )
    else:
        when = f"Thời hạn hoàn thành và báo cáo kết quả: trước ngày {_day(due)}."
    return (
        f"{when} Đơn vị cập nhật tiến độ và báo cáo kết quả trên hệ thống Lá Chắn, {where}. "
        "Sở sẽ đối chiếu với danh sách của tháng tiếp theo để xác nhận các địa chỉ IP trên không "
        "còn xuất hiện."
    )


# --------------------------------------------------------------------------- the summary


@dataclass
class Group:
    """Rows of the period grouped by an ISP or a family."""

    name: str
    rows: int = 0
    addresses: set[str] = field(default_factory=set)
    units: set[int] = field(default_factory=set)
    unattributed: int = 0
    devices: str = ""


@dataclass
class PeriodFigures:
    """Everything the summary documents say about a period, computed once."""

    period: dt.date
    previous: dt.date | None
    totals: dict[str, int]
    rows: list[BotnetListRow]
    units: list[selectors.UnitMonth]  # affected units (rows attributed to them)
    pending_names: int
    confirmed_names: int
    unmatched_addresses: int
    by_isp: list[Group]
    by_family: list[Group]
    left: list[Unit]  # on the previous period's list, not on this one
    today: dt.date

    @property
    def addresses(self) -> int:
        return len({a for m in self.units for a in m.addresses})

    @property
    def reinfected(self) -> list[selectors.UnitMonth]:
        return [m for m in self.units if m.reinfected]

    @property
    def overdue(self) -> list[selectors.UnitMonth]:
        return [m for m in self.units if m.task is not None and _is_overdue(m.task, self.today)]

    @property
    def without_task(self) -> list[selectors.UnitMonth]:
        return [m for m in self.units if m.task is None]

    def status_counts(self) -> list[tuple[str, int]]:
        counts = Counter(m.task.status for m in self.units if m.task is not None)
        out = [(_vi(s.label), counts.get(s.value, 0)) for s in TaskStatus]
        if self.without_task:
            out.append(("Chưa giao việc", len(self.without_task)))
        return out


def _is_overdue(task: Any, today: dt.date) -> bool:
    active = {TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED}
    return task.status in active and task.due_date < today


def period_figures(period: dt.date) -> PeriodFigures:
    """The figures of the period's lists (raises :class:`NothingToReport` without a list)."""
    period = _require_list(period)
    rows = list(selectors.rows_for_period(None, period).select_related("unit"))
    months = [m for m in selectors.units_for_period(None, period) if m.rows]
    isps: dict[str, Group] = {}
    families: dict[str, Group] = {}
    unmatched_addresses: set[str] = set()
    for row in rows:
        is_attributed = _is_attributed(row)
        if not is_attributed:
            unmatched_addresses.add(row.ip)
        isp_name = row.isp.strip() or UNKNOWN_VALUE
        isp = isps.setdefault(isp_name.casefold(), Group(isp_name))
        label = _family_label(row.malware)
        family = families.setdefault(label, Group(label))
        if not family.devices:
            known = family_of(row.malware) if row.malware else None
            family.devices = (known or UNKNOWN).devices
        for group in (isp, family):
            group.rows += 1
            group.addresses.add(row.ip)
            if is_attributed:
                group.units.add(row.unit_id)
            else:
                group.unattributed += 1
    previous = selectors.previous_period(period)
    left: list[Unit] = []
    if previous is not None:
        now = {m.unit.pk for m in months}
        before = [m for m in selectors.units_for_period(None, previous) if m.rows]
        left = [m.unit for m in before if m.unit.pk not in now]

    def ordered(groups: dict[str, Group]) -> list[Group]:
        return sorted(groups.values(), key=lambda g: (-len(g.addresses), g.name.casefold()))

    return PeriodFigures(
        period=period,
        previous=previous,
        totals=selectors.summary_for_period(None, period),
        rows=rows,
        units=months,
        pending_names=sum(1 for r in rows if r.method == MatchMethod.NAME and not r.confirmed),
        confirmed_names=sum(1 for r in rows if r.method == MatchMethod.NAME and r.confirmed),
        unmatched_addresses=len(unmatched_addresses),
        by_isp=ordered(isps),
        by_family=ordered(families),
        left=left,
        today=timezone.localdate(),
    )


def _task_state(month: selectors.UnitMonth, today: dt.date) -> str:
    task = month.task
    if task is None:
        return "Chưa giao việc"
    if _is_overdue(task, today):
        return f"Quá hạn (hạn {_day(task.due_date)})"
    return _status_label(task)


TOTAL_LABELS = (
    ("rows_read", "Số dòng trong danh sách"),
    ("rows_rejected", "Số dòng bị loại (địa chỉ không hợp lệ hoặc không phải địa chỉ công cộng)"),
    ("duplicates", "Số dòng trùng lặp"),
    ("matched_prefix", "Xác định được đơn vị theo dải địa chỉ IP đã đăng ký"),
    ("matched_name", "Xác định theo tên thuê bao"),
    ("unmatched", "Chưa xác định được đơn vị"),
)


def _totals(figures: PeriodFigures) -> list[tuple[str, int, bool]]:
    """``(text, count, is_detail)``: the detail lines break down the line above them."""
    items: list[tuple[str, int, bool]] = []
    for key, label in TOTAL_LABELS:
        items.append((label, figures.totals[key], False))
        if key == "matched_name":
            items.append(("trong đó: đã được Sở xác nhận", figures.confirmed_names, True))
            items.append(("trong đó: đang chờ Sở xác nhận", figures.pending_names, True))
    items += [
        ("Số đơn vị có địa chỉ IP nghi nhiễm", len(figures.units), False),
        ("Số địa chỉ IP của các đơn vị", figures.addresses, False),
        ("Số đơn vị tái nhiễm", len(figures.reinfected), False),
        ("Số đơn vị quá hạn xử lý", len(figures.overdue), False),
    ]
    if figures.previous is not None:
        text = f"Số đơn vị không còn trong danh sách so với {_label(figures.previous)}"
        items.append((text, len(figures.left), False))
    return items


def _totals_rows(figures: PeriodFigures) -> tuple[tuple[str, str, str], ...]:
    rows = []
    number = 0
    for text, count, detail in _totals(figures):
        if detail:
            rows.append(("", f"- {text[0].upper()}{text[1:]}", str(count)))
        else:
            number += 1
            rows.append((str(number), text, str(count)))
    return tuple(rows)


def _numbered(rows: Iterable[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple((str(i), *row) for i, row in enumerate(rows, start=1))


def province_summary(
    *, period: dt.date, issued_on: dt.date | None = None, number: str = ""
) -> OfficialDocument:
    """The Department's monthly report on the period's botnet lists, to the province."""
    figures = period_figures(period)
    dept = department()
    issued_on = issued_on or timezone.localdate()
    label = _label(figures.period)
    sender = dept.of_province("Sở Khoa học và Công nghệ")
    committee = dept.of_province("Ủy ban nhân dân")
    t = figures.totals
    body: list[Any] = [
        Paragraph(
            f"Căn cứ danh sách địa chỉ IP nghi nhiễm mã độc {label} do {sender} chuyển đến "
            f"(theo dữ liệu giám sát của {MONITORING_CENTRE}), {dept.name} đã đối chiếu danh "
            "sách với các dải địa chỉ IP đăng ký của các đơn vị trực thuộc, thông báo và giao "
            f"việc xử lý cho từng đơn vị. {dept.name} báo cáo kết quả như sau:"
        ),
        Heading("1. Kết quả tiếp nhận, đối chiếu danh sách"),
        Table(
            header=("STT", "Nội dung", "Số lượng"),
            rows=_totals_rows(figures),
            widths=(1.0, 8.0, 1.6),
            centered=(0, 2),
        ),
        Heading("2. Các đơn vị có địa chỉ IP nghi nhiễm mã độc"),
    ]
    if figures.units:
        body.append(
            Paragraph(
                f"Có {len(figures.units)} đơn vị có địa chỉ IP nghi nhiễm mã độc "
                f"({figures.addresses} địa chỉ IP), trong đó {len(figures.reinfected)} đơn vị "
                "tái nhiễm (đã có tên trong danh sách kỳ trước), cụ thể:"
            )
        )
        body.append(
            Table(
                header=(
                    "STT",
                    "Đơn vị",
                    "Số địa chỉ",
                    "Mã độc",
                    "Nhà mạng",
                    "Tái nhiễm",
                    "Trạng thái xử lý",
                ),
                rows=_numbered(
                    (
                        m.unit.name,
                        str(len(m.addresses)),
                        ", ".join(m.families) or UNKNOWN_VALUE,
                        ", ".join(m.isps) or UNKNOWN_VALUE,
                        "Có" if m.reinfected else "",
                        _task_state(m, figures.today),
                    )
                    for m in figures.units
                ),
                widths=(12, 54, 14, 19, 22, 16, 28),  # mm of the 165 mm text width
                centered=(0, 2, 5),
            )
        )
    else:
        body.append(
            Paragraph(f"Danh sách {label} không có địa chỉ IP nào thuộc các đơn vị trực thuộc.")
        )
    body += [
        Heading("3. Phân loại theo nhà mạng"),
        _group_table("Nhà mạng", figures.by_isp),
        Heading("4. Phân loại theo mã độc"),
        _group_table("Mã độc", figures.by_family),
        Heading("5. Tình hình xử lý của các đơn vị"),
    ]
    if figures.units:
        body.append(
            Table(
                header=("STT", "Trạng thái", "Số đơn vị"),
                rows=_numbered((name, str(count)) for name, count in figures.status_counts()),
                widths=(1.0, 7.0, 2.0),
                centered=(0, 2),
            )
        )
        overdue = figures.overdue
        body.append(
            Paragraph(
                f"Có {len(overdue)} đơn vị quá hạn xử lý: {_names(m.unit for m in overdue)}."
                if overdue
                else "Chưa có đơn vị nào quá hạn xử lý."
            )
        )
    else:
        body.append(Paragraph("Không có việc xử lý nào phát sinh trong kỳ."))
    body.append(Heading("6. Tái nhiễm và đơn vị không còn trong danh sách"))
    reinfected = figures.reinfected
    body.append(
        Paragraph(
            f"Có {len(reinfected)} đơn vị tái nhiễm (đã có tên trong danh sách kỳ trước): "
            f"{_names(m.unit for m in reinfected)}."
            if reinfected
            else "Không có đơn vị tái nhiễm."
        )
    )
    if figures.previous is None:
        body.append(
            Paragraph(
                "Đây là kỳ đầu tiên danh sách được tiếp nhận trên hệ thống Lá Chắn nên chưa có "
                "số liệu so sánh với kỳ trước."
            )
        )
    elif figures.left:
        body.append(
            Paragraph(
                f"Có {len(figures.left)} đơn vị có tên trong danh sách {_label(figures.previous)}"
                f" nhưng không còn xuất hiện trong danh sách {label}: {_names(figures.left)}."
            )
        )
    else:
        body.append(
            Paragraph(
                "Không có đơn vị nào ra khỏi danh sách so với danh sách "
                f"{_label(figures.previous)}."
            )
        )
    body.append(Heading("7. Địa chỉ chưa xác định được đơn vị"))
    if t["unmatched"] or figures.pending_names:
        body.append(
            Paragraph(
                f"Còn {t['unmatched']} dòng chưa xác định được đơn vị sử dụng và "
                f"{figures.pending_names} dòng đối chiếu theo tên thuê bao đang chờ Sở xác nhận "
                f"(tổng cộng {figures.unmatched_addresses} địa chỉ IP). {dept.name} tiếp tục rà "
                "soát, đối chiếu để xác định đơn vị sử dụng các địa chỉ này."
            )
        )
    else:
        body.append(Paragraph("Mọi địa chỉ trong danh sách đều đã xác định được đơn vị sử dụng."))
    body.append(
        Paragraph(
            f"{dept.name} tiếp tục đôn đốc các đơn vị hoàn thành việc xử lý và đối chiếu với "
            f"danh sách của tháng tiếp theo để xác nhận kết quả. {dept.name} trân trọng báo "
            "cáo./."
        )
    )
    return OfficialDocument(
        issuer=dept.issuer,
        number=number,
        symbol=dept.symbol,
        place=dept.place,
        issued_on=issued_on,
        subject=SUMMARY_SUBJECT.format(label=label),
        addressees=(committee, sender),
        body=tuple(body),
        recipients=("Như trên", "Giám đốc, các Phó Giám đốc Sở", f"Lưu: VT, {DRAFTING_OFFICE}"),
        signature=_signature(),
    )


def _group_table(title: str, groups: Sequence[Group]) -> Table:
    return Table(
        header=("STT", title, "Số dòng", "Số địa chỉ IP", "Số đơn vị", "Chưa xác định"),
        rows=_numbered(
            (g.name, str(g.rows), str(len(g.addresses)), str(len(g.units)), str(g.unattributed))
            for g in groups
        ),
        widths=(0.9, 3.6, 1.5, 1.8, 1.5, 1.9),
        centered=(0, 2, 3, 4, 5),
    )


# --------------------------------------------------------------------------- the workbook

HEADER_FILL = "1F4E78"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_FORMULA_START = ("=", "+", "-", "@")


def province_summary_xlsx(*, period: dt.date) -> bytes:
    """The period's figures as a workbook: totals, units, ISPs, families and every row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    figures = period_figures(period)
    workbook = Workbook(write_only=True)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    thin = Side(style="thin", color="808080")
    header_border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def sheet(title: str, columns: Sequence[tuple[str, float]]) -> Any:
        ws = workbook.create_sheet(title)
        for index, (_name, width) in enumerate(columns, start=1):
            ws.column_dimensions[_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        cells = []
        for name, _width in columns:
            cell = WriteOnlyCell(ws, value=name)
            cell.font, cell.fill = header_font, header_fill
            cell.border, cell.alignment = header_border, header_alignment
            cells.append(cell)
        ws.append(cells)
        return ws

    def value(ws: Any, item: Any) -> Any:
        if isinstance(item, dt.datetime):
            cell = WriteOnlyCell(ws, value=_local(item).replace(tzinfo=None))
            cell.number_format = DATETIME_FORMAT
            return cell
        if isinstance(item, dt.date):
            cell = WriteOnlyCell(ws, value=item)
            cell.number_format = DATE_FORMAT
            return cell
        if isinstance(item, str):
            item = ILLEGAL_CHARACTERS_RE.sub("", item)
            if item.startswith(_FORMULA_START):
                cell = WriteOnlyCell(ws, value=item)
                cell.data_type = "s"  # text from a list stays text, never a formula
                return cell
        return item

    def append(ws: Any, items: Sequence[Any]) -> None:
        ws.append([value(ws, item) for item in items])

    summary = sheet("Tổng hợp", (("Chỉ tiêu", 64), ("Số lượng", 14)))
    period_cell = WriteOnlyCell(summary, value=figures.period)
    period_cell.number_format = "mm/yyyy"
    summary.append(["Kỳ danh sách", period_cell])
    append(summary, ["Ngày lập báo cáo", figures.today])
    for text, count, detail in _totals(figures):
        label = WriteOnlyCell(summary, value=text)
        if detail:
            label.alignment = Alignment(indent=2)
        summary.append([label, count])

    today = figures.today
    by_unit = sheet(
        "Theo đơn vị",
        (
            ("STT", 6),
            ("Mã đơn vị", 14),
            ("Tên đơn vị", 40),
            ("Số dòng", 9),
            ("Số địa chỉ", 10),
            ("Địa chỉ IP", 36),
            ("Mã độc", 20),
            ("Nhà mạng", 16),
            ("Ghi nhận đầu tiên", 18),
            ("Ghi nhận gần nhất", 18),
            ("Tái nhiễm", 10),
            ("Trạng thái xử lý", 18),
            ("Hạn xử lý", 12),
            ("Quá hạn", 9),
            ("Còn trong danh sách kỳ sau", 14),
            ("Chờ xác nhận theo tên", 12),
        ),
    )
    for i, m in enumerate(figures.units, start=1):
        task = m.task
        append(
            by_unit,
            [
                i,
                m.unit.code,
                m.unit.name,
                m.rows,
                len(m.addresses),
                ", ".join(m.addresses),
                ", ".join(m.families),
                ", ".join(m.isps),
                m.first_seen,
                m.last_seen,
                "Có" if m.reinfected else "",
                _status_label(task) if task is not None else "Chưa giao việc",
                task.due_date if task is not None else None,
                "Có" if task is not None and _is_overdue(task, today) else "",
                {None: "", True: "Có", False: "Không"}[m.seen_next],
                m.pending_names,
            ],
        )

    group_columns = (
        ("STT", 6),
        ("", 24),
        ("Số dòng", 10),
        ("Số địa chỉ IP", 12),
        ("Số đơn vị", 10),
        ("Chưa xác định đơn vị (dòng)", 14),
    )
    isp_sheet = sheet("Theo nhà mạng", (group_columns[0], ("Nhà mạng", 24), *group_columns[2:]))
    for i, g in enumerate(figures.by_isp, start=1):
        append(isp_sheet, [i, g.name, g.rows, len(g.addresses), len(g.units), g.unattributed])
    family_sheet = sheet(
        "Theo mã độc",
        (group_columns[0], ("Mã độc", 24), *group_columns[2:], ("Thiết bị thường bị nhiễm", 60)),
    )
    for i, g in enumerate(figures.by_family, start=1):
        append(
            family_sheet,
            [i, g.name, g.rows, len(g.addresses), len(g.units), g.unattributed, g.devices],
        )

    detail = sheet(
        "Chi tiết",
        (
            ("STT", 7),
            ("Trang", 12),
            ("Dòng", 7),
            ("Địa chỉ IP", 28),
            ("Thời gian ghi nhận", 18),
            ("Mã độc", 16),
            ("Nhà mạng", 14),
            ("Cổng", 8),
            ("Tên thuê bao", 32),
            ("Địa chỉ", 32),
            ("Mã đơn vị", 14),
            ("Tên đơn vị", 36),
            ("Cách xác định", 18),
            ("Điểm", 8),
            ("Dải địa chỉ", 22),
            ("Đã xác nhận", 11),
            ("Tái nhiễm", 10),
            ("Trạng thái xử lý", 18),
        ),
    )
    tasks = {m.unit.pk: m.task for m in figures.units}
    methods = {m.value: _vi(m.label) for m in MatchMethod}
    for i, r in enumerate(figures.rows, start=1):
        attributed = _is_attributed(r)
        task = tasks.get(r.unit_id) if attributed else None
        if not attributed:
            state = ""
        elif task is None:
            state = "Chưa giao việc"
        else:
            state = _status_label(task)
        append(
            detail,
            [
                i,
                r.sheet,
                r.row,
                r.ip,
                r.seen_at,
                r.malware,
                r.isp,
                r.port,
                r.subscriber,
                r.address,
                r.unit.code if r.unit_id else "",
                r.unit.name if r.unit_id else "",
                methods.get(r.method or "", "Chưa xác định"),
                r.score,
                r.prefix,
                ("Có" if r.confirmed else "Chưa") if r.method == MatchMethod.NAME else "",
                "Có" if r.reinfected else "",
                state,
            ],
        )

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)

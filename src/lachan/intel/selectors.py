"""Reads of botnet lists, scoped to what the user may see.

Department roles see every list and every row (unmatched rows and name proposals too);
a unit's people see a list only through its rows attributed to their units — by prefix, or
by a name match a Department officer confirmed. ``user`` None is the system (the CLI).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from lachan.org.selectors import is_department_staff, visible_unit_ids

from .models import BotnetList, BotnetListRejection, BotnetListRow, MatchMethod

ROW_KEYS = (
    "row",
    "ip",
    "seen_at",
    "malware",
    "isp",
    "subscriber",
    "unit_code",
    "method",
    "score",
    "prefix",
)


def _sees_all(user) -> bool:
    return user is None or is_department_staff(user)


def _own_rows_q(user) -> Q:
    return Q(unit__in=visible_unit_ids(user)) & (
        Q(method=MatchMethod.PREFIX) | Q(method=MatchMethod.NAME, confirmed=True)
    )


def visible_lists(user) -> QuerySet[BotnetList]:
    if _sees_all(user):
        return BotnetList.objects.all()
    ids = BotnetListRow.objects.filter(_own_rows_q(user)).values("botnet_list_id")
    return BotnetList.objects.filter(pk__in=ids)


def rows_of_list(user, botnet_list: BotnetList) -> QuerySet[BotnetListRow]:
    rows = BotnetListRow.objects.filter(botnet_list=botnet_list).select_related("unit")
    if _sees_all(user):
        return rows
    return rows.filter(_own_rows_q(user))


def rejections_of_list(user, botnet_list: BotnetList) -> QuerySet[BotnetListRejection]:
    if _sees_all(user):
        return BotnetListRejection.objects.filter(botnet_list=botnet_list)
    return BotnetListRejection.objects.none()


def name_matches_to_confirm(user) -> QuerySet[BotnetListRow]:
    if not _sees_all(user):
        return BotnetListRow.objects.none()
    return BotnetListRow.objects.filter(method=MatchMethod.NAME, confirmed=False).select_related(
        "unit", "botnet_list"
    )


def _period(period: dt.date) -> dt.date:
    return period.replace(day=1)


def rows_for_period(user, period: dt.date) -> QuerySet[BotnetListRow]:
    rows = BotnetListRow.objects.filter(botnet_list__period=_period(period)).select_related("unit")
    if not _sees_all(user):
        rows = rows.filter(_own_rows_q(user))
    return rows.order_by("botnet_list__imported_at", "botnet_list_id", "sheet", "row", "pk")


def _iso(moment: dt.datetime | None, zone: ZoneInfo) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(zone).isoformat(timespec="seconds")


def row_dict(row: BotnetListRow, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """The row object of ``lachan botnet match`` (``seen_at`` ISO 8601 with the offset)."""
    zone = zone or ZoneInfo(settings.TIME_ZONE)
    return {
        "row": row.row,
        "ip": row.ip,
        "seen_at": _iso(row.seen_at, zone),
        "malware": row.malware,
        "isp": row.isp,
        "subscriber": row.subscriber,
        "unit_code": row.unit.code if row.unit_id else None,
        "method": row.method or None,
        "score": row.score,
        "prefix": row.prefix or None,
    }


def matches_for_period(user, period: dt.date) -> list[dict[str, Any]]:
    """The rows of the period's lists the user may see, as ``lachan botnet match`` rows."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return [row_dict(r, zone) for r in rows_for_period(user, period)]


def summary_for_period(user, period: dt.date) -> dict[str, int]:
    """The lists' counts summed over the period (Department and system only; a unit gets
    the counts of its own rows)."""
    keys = (
        "rows_read",
        "rows_rejected",
        "duplicates",
        "matched_prefix",
        "matched_name",
        "unmatched",
    )
    if _sees_all(user):
        total = dict.fromkeys(keys, 0)
        for item in BotnetList.objects.filter(period=_period(period)):
            for key, value in item.summary().items():
                total[key] += value
        return total
    rows = rows_for_period(user, period)
    return {
        "rows_read": rows.count(),
        "rows_rejected": 0,
        "duplicates": 0,
        "matched_prefix": rows.filter(method=MatchMethod.PREFIX).count(),
        "matched_name": rows.filter(method=MatchMethod.NAME).count(),
        "unmatched": 0,
    }


def rejected_for_period(user, period: dt.date) -> list[dict[str, Any]]:
    if not _sees_all(user):
        return []
    rejections = list(
        BotnetListRejection.objects.filter(botnet_list__period=_period(period)).order_by(
            "botnet_list__imported_at", "botnet_list_id", "sheet", "row", "pk"
        )
    )
    sheets: dict[int, set[str]] = {}
    for r in rejections:
        sheets.setdefault(r.botnet_list_id, set()).add(r.sheet)
    for list_id, sheet in (
        BotnetListRow.objects.filter(botnet_list__period=_period(period))
        .values_list("botnet_list_id", "sheet")
        .distinct()
    ):
        sheets.setdefault(list_id, set()).add(sheet)
    return [
        {
            "row": r.row,
            "reason": f"Trang “{r.sheet}”: {r.reason}"
            if r.sheet and len(sheets[r.botnet_list_id]) > 1
            else r.reason,
        }
        for r in rejections
    ]


# --- per unit: a period's results and a unit's months on the lists ------------------------------


@dataclass
class UnitMonth:
    """One unit on one period's lists: what was attributed to it and where the clean-up is.

    ``seen_next`` is None while no later period has a list; otherwise True when at least one
    of the unit's addresses appeared again in the next list, False when none did ("không còn
    xuất hiện trong danh sách kỳ sau").
    """

    unit: Any
    period: dt.date
    rows: int = 0
    addresses: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    isps: list[str] = field(default_factory=list)
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    reinfected: bool = False
    pending_names: int = 0  # name matches still waiting for a Department officer
    task: Any = None  # the clean-up task holding this period's findings (None before any)
    seen_next: bool | None = None


def _attributed_q() -> Q:
    return Q(method=MatchMethod.PREFIX) | Q(method=MatchMethod.NAME, confirmed=True)


def _unit_months(rows) -> dict[tuple[int, dt.date], UnitMonth]:
    """Aggregate rows (with ``unit`` and ``botnet_list`` selected) per (unit, period)."""
    months: dict[tuple[int, dt.date], UnitMonth] = {}
    address_sets: dict[tuple[int, dt.date], set[str]] = {}
    finding_ids: dict[tuple[int, dt.date], set[int]] = {}
    for row in rows:
        key = (row.unit_id, row.botnet_list.period)
        month = months.get(key)
        if month is None:
            month = months[key] = UnitMonth(unit=row.unit, period=row.botnet_list.period)
            address_sets[key] = set()
            finding_ids[key] = set()
        if row.method == MatchMethod.NAME and not row.confirmed:
            month.pending_names += 1
            continue
        month.rows += 1
        if row.ip not in address_sets[key]:
            address_sets[key].add(row.ip)
            month.addresses.append(row.ip)
        if row.malware and row.malware not in month.families:
            month.families.append(row.malware)
        if row.isp and row.isp not in month.isps:
            month.isps.append(row.isp)
        if row.seen_at is not None:
            month.first_seen = min(filter(None, (month.first_seen, row.seen_at)))
            month.last_seen = max(filter(None, (month.last_seen, row.seen_at)))
        month.reinfected = month.reinfected or row.reinfected
        if row.finding_id:
            finding_ids[key].add(row.finding_id)
    _attach_tasks(months, finding_ids)
    _attach_seen_next(months, address_sets)
    return months


def _attach_tasks(months, finding_ids) -> None:
    from lachan.remediation.models import Task

    wanted = set().union(*finding_ids.values()) if finding_ids else set()
    if not wanted:
        return
    by_finding: dict[int, Any] = {}
    links = Task.findings.through.objects.filter(finding_id__in=wanted).select_related("task")
    for link in links.order_by("task__created_at", "task_id"):
        by_finding[link.finding_id] = link.task  # the latest task holding the finding wins
    for key, ids in finding_ids.items():
        tasks = [by_finding[i] for i in ids if i in by_finding]
        if tasks:
            months[key].task = max(tasks, key=lambda t: (t.created_at, t.pk))


def _attach_seen_next(months, address_sets) -> None:
    periods = sorted(set(BotnetList.objects.values_list("period", flat=True)))
    following = {p: periods[i + 1] for i, p in enumerate(periods[:-1])}
    wanted = {
        (unit_id, following[period])
        for unit_id, period in months
        if period in following and address_sets[(unit_id, period)]
    }
    if not wanted:
        return
    # One query for every (unit, next period) asked about.
    present = set(
        BotnetListRow.objects.filter(
            unit_id__in={u for u, _p in wanted},
            botnet_list__period__in={p for _u, p in wanted},
        )
        .filter(_attributed_q())
        .values_list("unit_id", "botnet_list__period")
        .distinct()
    )
    for (unit_id, period), month in months.items():
        nxt = following.get(period)
        if (unit_id, nxt) in wanted:
            month.seen_next = (unit_id, nxt) in present


def units_for_period(user, period: dt.date) -> list[UnitMonth]:
    """Per-unit results of the period's lists: every unit the user may see that has rows
    attributed to it (or a name match waiting), ordered by the unit tree."""
    rows = rows_for_period(user, period).filter(unit__isnull=False).select_related("botnet_list")
    months = _unit_months(rows)
    return sorted(months.values(), key=lambda m: (m.unit.path, m.unit.code))


def unit_history(user, unit) -> list[UnitMonth]:
    """The unit's months on the lists, newest first (empty when the user may not see it)."""
    if not _sees_all(user) and not visible_unit_ids(user).filter(pk=unit.pk).exists():
        return []
    rows = BotnetListRow.objects.filter(unit=unit).select_related("unit", "botnet_list")
    if not _sees_all(user):
        rows = rows.filter(_attributed_q())
    months = _unit_months(rows)
    return sorted(months.values(), key=lambda m: m.period, reverse=True)


def periods(user) -> list[dt.date]:
    """Periods that have at least one list the user may see, newest first."""
    return sorted(set(visible_lists(user).values_list("period", flat=True)), reverse=True)


def previous_period(period: dt.date) -> dt.date | None:
    """The latest period before ``period`` that has a list."""
    return (
        BotnetList.objects.filter(period__lt=_period(period))
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


# --- pages ----------------------------------------------------------------------------------------
# Reads of the web pages (lachan.intel.views), on top of the scoped selectors above.

ROW_METHOD_FILTERS = ("prefix", "name", "unmatched")


def sees_every_list(user) -> bool:
    """Department staff (and the system) see every list, every row and the lists' counts."""
    return _sees_all(user)


def get_list(user, pk: int) -> BotnetList:
    """One list the user may see; ``BotnetList.DoesNotExist`` otherwise (a 404)."""
    return visible_lists(user).select_related("imported_by").get(pk=pk)


def lists_for_period(user, period: dt.date) -> QuerySet[BotnetList]:
    return visible_lists(user).filter(period=_period(period)).select_related("imported_by")


def period_is_visible(user, period: dt.date) -> bool:
    """The period has at least one list the user may see."""
    return visible_lists(user).filter(period=_period(period)).exists()


def list_summaries(user, lists) -> dict[int, dict[str, int]]:
    """Each list's counts as the user may see them: the list's own counts for the
    Department; for a unit, only its own rows (as ``summary_for_period`` does)."""
    from django.db.models import Count

    lists = list(lists)
    if _sees_all(user):
        return {item.pk: item.summary() for item in lists}
    counts = {
        item.pk: dict.fromkeys(
            (
                "rows_read",
                "rows_rejected",
                "duplicates",
                "matched_prefix",
                "matched_name",
                "unmatched",
            ),
            0,
        )
        for item in lists
    }
    own = (
        BotnetListRow.objects.filter(botnet_list_id__in=list(counts))
        .filter(_own_rows_q(user))
        .order_by()
        .values_list("botnet_list_id", "method")
        .annotate(n=Count("pk"))
    )
    for list_id, method, n in own:
        counts[list_id]["rows_read"] += n
        counts[list_id]["matched_prefix" if method == MatchMethod.PREFIX else "matched_name"] += n
    return counts


def list_rows(user, botnet_list: BotnetList, *, q: str = "", method: str = ""):
    """The rows of a list the user may see, filtered by how they were attributed
    (``ROW_METHOD_FILTERS``) and by a search in the address, subscriber and unit."""
    rows = rows_of_list(user, botnet_list).select_related("unit", "network")
    if method == "prefix":
        rows = rows.filter(method=MatchMethod.PREFIX)
    elif method == "name":
        rows = rows.filter(method=MatchMethod.NAME)
    elif method == "unmatched":
        rows = rows.filter(Q(method__isnull=True) | Q(method=""))
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(ip__icontains=q)
            | Q(subscriber__icontains=q)
            | Q(address__icontains=q)
            | Q(unit__code__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(unit__short_name__icontains=q)
        )
    return rows


def get_row(user, pk: int) -> BotnetListRow:
    """One row the user may see; ``BotnetListRow.DoesNotExist`` otherwise."""
    rows = BotnetListRow.objects.select_related("unit", "botnet_list")
    if not _sees_all(user):
        rows = rows.filter(_own_rows_q(user))
    return rows.get(pk=pk)


def task_of_row(user, row: BotnetListRow):
    """The clean-up task holding the row's finding (the latest one), or None."""
    from lachan.remediation.models import Task

    if not row.finding_id:
        return None
    if (
        not _sees_all(user)
        and not BotnetListRow.objects.filter(_own_rows_q(user), pk=row.pk).exists()
    ):
        return None
    return (
        Task.objects.filter(findings=row.finding_id)
        .select_related("unit")
        .order_by("-created_at", "-pk")
        .first()
    )


def unit_month(user, unit, period: dt.date) -> UnitMonth | None:
    """The unit's results on the period's lists as the user may see them, or None when no
    row of the period is attributed to it."""
    rows = (
        rows_for_period(user, period)
        .filter(unit=unit)
        .select_related("botnet_list")
        .filter(_attributed_q())
    )
    months = _unit_months(rows)
    return months.get((unit.pk, _period(period)))


def list_has_sheets(botnet_list: BotnetList) -> bool:
    """The list's rows come from more than one sheet (so a row number needs its sheet)."""
    sheets = set(
        BotnetListRow.objects.filter(botnet_list=botnet_list)
        .order_by()
        .values_list("sheet", flat=True)
        .distinct()
    )
    sheets |= set(
        BotnetListRejection.objects.filter(botnet_list=botnet_list)
        .order_by()
        .values_list("sheet", flat=True)
        .distinct()
    )
    return len(sheets) > 1

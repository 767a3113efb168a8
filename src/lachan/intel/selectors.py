"""Reads of botnet lists, scoped to what the user may see.

Department roles see every list and every row (unmatched rows and name proposals too);
a unit's people see a list only through its rows attributed to their units — by prefix, or
by a name match a Department officer confirmed. ``user`` None is the system (the CLI).
"""

from __future__ import annotations

import datetime as dt
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

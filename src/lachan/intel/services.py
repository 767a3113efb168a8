"""Writes of botnet lists: import (read, attribute, store, findings, tasks) and confirmation
of name matches. Keyword-only, one transaction each, audited; ``actor`` None is the system
(the CLI)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lachan.assets.models import Network
from lachan.assets.selectors import prefix_records, validity_seconds
from lachan.audit.services import record, snapshot
from lachan.engine import botnet as engine
from lachan.engine.ipindex import PrefixIndex
from lachan.engine.names import NameMatcher, UnitName
from lachan.org.models import Unit
from lachan.org.selectors import is_department_staff
from lachan.org.services import add_unit_alias
from lachan.remediation.models import Finding, Severity, SourceKind, Task, TaskComment, TaskStatus
from lachan.remediation.services import open_or_refresh_task, record_finding, reopen_task

from . import selectors
from .guidance import Sighting, guidance_for
from .models import BotnetList, BotnetListRejection, BotnetListRow, MatchMethod

LIST_FIELDS = [
    "period",
    "source",
    "filename",
    "sha256",
    "rows_read",
    "rows_rejected",
    "duplicates",
    "matched_prefix",
    "matched_name",
    "unmatched",
]


def _tz() -> str:
    return settings.TIME_ZONE


def _require_department(actor) -> None:
    if actor is not None and not is_department_staff(actor):
        raise PermissionDenied


def first_of_month(period: dt.date) -> dt.date:
    return period.replace(day=1)


def period_label(period: dt.date) -> str:
    return f"tháng {period:%m/%Y}"


def unit_names(units) -> list[UnitName]:
    """Units as name matching sees them."""
    return [
        UnitName(
            key=u.code,
            name=u.name,
            short_name=u.short_name,
            aliases=tuple(a for a in (u.aliases or []) if a),
            unit_type=u.type,
            ward=u.ward,
            province=u.province,
            address=u.address,
        )
        for u in units
    ]


def build_registry() -> tuple[PrefixIndex, NameMatcher | None, list[Network]]:
    """The prefix index of every registered network and the matcher of every active unit."""
    networks = list(Network.objects.select_related("unit").order_by("pk"))
    index = PrefixIndex.build(prefix_records(networks))
    units = unit_names(Unit.objects.filter(is_active=True).order_by("code"))
    return index, (NameMatcher(units) if units else None), networks


def _network_for(
    candidates: list[Network], moment: dt.datetime | None, period: engine.Period
) -> Network | None:
    """The registered network the engine matched: same unit and prefix, window containing
    the row's time (the period when the row has none)."""
    if moment is not None:
        start = end = moment.timestamp()
    else:
        start, end = period[0].timestamp(), period[1].timestamp()
    for network in candidates:
        low, high = validity_seconds(network)
        if (low is None or low <= end) and (high is None or start < high):
            return network
    return candidates[0] if candidates else None


@transaction.atomic
def import_botnet_list(
    *, actor, data: bytes, filename: str, period: dt.date, source: str = ""
) -> BotnetList:
    """Import a list for the month of ``period``: rows attributed and stored; a finding per
    (unit, address) matched by prefix and one clean-up task per unit for the period. Name
    matches are kept as proposals until confirmed (``confirm_name_match``)."""
    _require_department(actor)
    period = first_of_month(period)
    digest = hashlib.sha256(data).hexdigest()
    if BotnetList.objects.filter(sha256=digest, period=period).exists():
        raise ValidationError(
            f"Danh sách này (cùng nội dung tệp) đã được nhập cho kỳ {period:%m/%Y}; không nhập lại."
        )
    tz = _tz()
    window = engine.month_period(period.year, period.month, tz)
    try:
        botnet_list = engine.read_botnet_list(
            data,
            filename,
            period=window,
            tz=tz,
            allow_documentation=bool(getattr(settings, "LACHAN_ALLOW_DOCUMENTATION_IPS", False)),
        )
    except engine.BotnetFileError as exc:
        raise ValidationError(str(exc)) from exc
    index, matcher, networks = build_registry()
    result = engine.attribute(botnet_list, index=index, matcher=matcher, period=window)
    counts = result.counts()
    stored = BotnetList.objects.create(
        period=period,
        source=source[:255],
        filename=filename[:255],
        sha256=digest,
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        rows_read=botnet_list.rows_read,
        rows_rejected=len(botnet_list.rejected),
        duplicates=botnet_list.duplicates,
        **counts,
    )
    BotnetListRejection.objects.bulk_create(
        BotnetListRejection(botnet_list=stored, row=r.row, sheet=r.sheet[:120], reason=r.reason)
        for r in botnet_list.rejected
    )
    units = {u.code: u for u in Unit.objects.all()}
    by_key: dict[tuple[str, str], list[Network]] = defaultdict(list)
    for network in networks:
        by_key[(network.unit.code, network.prefix)].append(network)
    extra_by = {(r.sheet, r.row): r for r in botnet_list.rows}  # address and port
    rows = []
    for item in result:
        source_row = extra_by.get((item.sheet, item.row))
        unit = units.get(item.unit_code) if item.unit_code else None
        network = None
        if item.method == MatchMethod.PREFIX and unit is not None:
            network = _network_for(by_key.get((unit.code, item.prefix), []), item.seen_at, window)
        rows.append(
            BotnetListRow(
                botnet_list=stored,
                row=item.row,
                sheet=item.sheet[:120],
                ip=item.ip,
                seen_at=item.seen_at,
                malware=item.malware[:255],
                isp=item.isp[:255],
                subscriber=item.subscriber[:500],
                address=(source_row.address if source_row else "")[:500],
                port=(source_row.port if source_row else "")[:40],
                unit=unit,
                method=item.method,
                score=item.score,
                prefix=item.prefix or "",
                network=network,
                match_reason=item.reason[:500],
                confirmed=False,
            )
        )
    BotnetListRow.objects.bulk_create(rows, batch_size=1000)
    record(
        actor=actor,
        action="botnet.import",
        obj=stored,
        after=snapshot(stored, LIST_FIELDS),
        message=(
            f"{len(rows)} dòng: {counts['matched_prefix']} theo dải địa chỉ, "
            f"{counts['matched_name']} theo tên (chờ xác nhận), "
            f"{counts['unmatched']} chưa xác định, {stored.rows_rejected} bị loại"
        ),
    )
    attributed = BotnetListRow.objects.filter(botnet_list=stored, method=MatchMethod.PREFIX)
    _record_findings(actor, stored, list(attributed.select_related("unit")))
    close_loop(actor=actor, period=period)
    return stored


def _record_findings(actor, botnet_list: BotnetList, rows: list[BotnetListRow]) -> None:
    """A finding per row, then the clean-up task of each unit concerned.

    A unit already on an earlier period's list is re-infected (tái nhiễm): its rows are
    flagged, its findings are critical, and when it was on the previous list its earlier
    clean-up task is reopened (if already verified or closed) and takes the new addresses;
    otherwise the unit gets (or refreshes) its task for this period."""
    by_unit: dict[int, list[BotnetListRow]] = defaultdict(list)
    for row in rows:
        by_unit[row.unit_id].append(row)
    for unit_rows in by_unit.values():
        unit = unit_rows[0].unit
        earlier = _earlier_rows(unit, botnet_list.period)
        reinfected = bool(earlier)
        severity = Severity.CRITICAL if reinfected else Severity.HIGH
        for row in unit_rows:
            finding, _created = record_finding(
                actor=actor,
                source=SourceKind.BOTNET,
                unit=unit,
                dedupe_key=f"{botnet_list.period:%Y-%m}:{unit.code}:{row.ip}",
                title=f"Địa chỉ IP {row.ip} nghi nhiễm mã độc {row.malware}".strip(),
                severity=severity,
                evidence={**_evidence(botnet_list, row), "reinfected": reinfected},
                asset_ref=row.ip,
                seen_at=row.seen_at or _period_start(botnet_list.period),
            )
            row.finding = finding
            row.reinfected = reinfected
            row.save(update_fields=["finding", "reinfected"])
        refresh_task(actor=actor, unit=unit, period=botnet_list.period)


def _earlier_rows(unit: Unit, period: dt.date) -> list[BotnetListRow]:
    """The unit's attributed rows of the latest earlier period it was on (empty if none)."""
    earlier = (
        BotnetListRow.objects.filter(
            unit=unit, botnet_list__period__lt=period, finding__isnull=False
        )
        .order_by("-botnet_list__period")
        .values_list("botnet_list__period", flat=True)
        .first()
    )
    if earlier is None:
        return []
    return list(
        BotnetListRow.objects.filter(
            unit=unit, botnet_list__period=earlier, finding__isnull=False
        ).select_related("botnet_list")
    )


def _task_holding(rows: list[BotnetListRow]) -> Task | None:
    """The latest task holding the findings of ``rows``."""
    return (
        Task.objects.filter(findings__in=[r.finding_id for r in rows])
        .order_by("-created_at", "-pk")
        .first()
    )


def _period_start(period: dt.date) -> dt.datetime:
    return dt.datetime(period.year, period.month, 1, tzinfo=ZoneInfo(_tz()))


def _evidence(botnet_list: BotnetList, row: BotnetListRow) -> dict[str, Any]:
    return {
        "ip": row.ip,
        "malware": row.malware,
        "seen_at": row.seen_at.isoformat() if row.seen_at else None,
        "port": row.port,
        "isp": row.isp,
        "list_id": botnet_list.pk,
        "period": f"{botnet_list.period:%Y-%m}",
    }


def refresh_task(*, actor, unit: Unit, period: dt.date) -> Task:
    """Open or refresh the unit's clean-up task for the period, listing every address
    attributed to it (by prefix, or by a confirmed name match).

    When the unit was on the immediately previous list, the task of that list is the one
    that continues: reopened when it had been verified or closed, then refreshed with the
    new findings at critical severity. A unit back after a gap gets a new task, also
    critical."""
    rows = list(
        BotnetListRow.objects.filter(
            unit=unit, botnet_list__period=period, finding__isnull=False
        ).select_related("finding")
    )
    earlier = _earlier_rows(unit, period)
    label = period_label(period)
    problem_key = f"botnet:{period:%Y-%m}"
    severity = Severity.HIGH
    title_prefix = ""
    if earlier:
        severity = Severity.CRITICAL
        earlier_period = earlier[0].botnet_list.period
        title_prefix = "Tái nhiễm — "
        previous_task = _task_holding(earlier)
        if previous_task is not None and earlier_period == selectors.previous_period(period):
            problem_key = previous_task.problem_key
            if previous_task.status in (TaskStatus.VERIFIED, TaskStatus.CLOSED):
                again = sorted({r.ip for r in rows} & {r.ip for r in earlier})
                reason = (
                    f"Tái nhiễm: đơn vị tiếp tục có địa chỉ IP trong danh sách {label} "
                    f"(đã có trong danh sách {period_label(earlier_period)})"
                    + (f"; xuất hiện lại: {', '.join(again[:10])}" if again else "")
                    + "."
                )
                reopen_task(actor=None, task=previous_task, reason=reason)
    task_findings = Finding.objects.filter(
        pk__in=[r.finding_id for r in rows]
    ) | Finding.objects.filter(tasks__problem_key=problem_key, tasks__unit=unit)
    all_rows = list(
        BotnetListRow.objects.filter(finding__in=task_findings.distinct(), unit=unit)
        .select_related("botnet_list")
        .order_by("botnet_list__period", "seen_at", "ip", "pk")
    )
    sightings: dict[tuple[str, str, Any], Sighting] = {}
    zone = ZoneInfo(_tz())
    for row in all_rows:
        moment = row.seen_at.astimezone(zone) if row.seen_at else None
        sightings.setdefault((row.ip, row.malware, moment), Sighting(row.ip, row.malware, moment))
    addresses = len({r.ip for r in rows})
    task, _created = open_or_refresh_task(
        actor=actor,
        unit=unit,
        problem_key=problem_key,
        title=(
            f"{title_prefix}Rà soát, xử lý {addresses} địa chỉ IP nghi nhiễm mã độc "
            f"(danh sách {label})"
        ),
        guidance=guidance_for(sightings.values(), label),
        severity=severity,
        findings=[r.finding for r in rows],
        source=SourceKind.BOTNET,
    )
    return task


def close_loop(*, actor, period: dt.date) -> int:
    """Compare the previous period's list with this period's: each finding of the previous
    list records whether its (unit, address) appears again ("next_list": {"period", "seen"});
    an address absent is noted "không còn xuất hiện trong danh sách kỳ sau" in the audit
    log, and a unit none of whose addresses appear again gets a note on its task.
    Returns the number of findings whose record changed."""
    previous = selectors.previous_period(period)
    if previous is None:
        return 0
    current = set(
        BotnetListRow.objects.filter(botnet_list__period=period, finding__isnull=False).values_list(
            "unit_id", "ip"
        )
    )
    earlier = list(
        BotnetListRow.objects.filter(botnet_list__period=previous, finding__isnull=False)
        .select_related("finding", "unit")
        .order_by("unit_id", "ip", "pk")
    )
    changed = 0
    units_absent: dict[int, list[BotnetListRow]] = defaultdict(list)
    units_seen: set[int] = {unit_id for unit_id, _ip in current}
    done: set[int] = set()
    for row in earlier:
        finding = row.finding
        if finding.pk in done:
            continue
        done.add(finding.pk)
        seen = (row.unit_id, row.ip) in current
        mark = {"period": f"{period:%Y-%m}", "seen": seen}
        if row.unit_id not in units_seen:
            units_absent[row.unit_id].append(row)
        if finding.evidence.get("next_list") == mark:
            continue
        finding.evidence = {**finding.evidence, "next_list": mark}
        finding.save(update_fields=["evidence"])
        changed += 1
        record(
            actor=actor,
            action="finding.next_list",
            obj=finding,
            unit=row.unit,
            after={"next_list": mark},
            message=(
                f"{row.ip} xuất hiện lại trong danh sách {period_label(period)}"
                if seen
                else f"{row.ip} không còn xuất hiện trong danh sách {period_label(period)}"
            ),
        )
    for unit_rows in units_absent.values():
        task = _task_holding(unit_rows)
        if task is None:
            continue
        note = (
            f"Không còn địa chỉ IP nào của đơn vị trong danh sách {period_label(period)} "
            f"(đã có {len({r.ip for r in unit_rows})} địa chỉ trong danh sách "
            f"{period_label(previous)})."
        )
        if not task.comments.filter(body=note).exists():
            TaskComment.objects.create(task=task, author=None, body=note)
    return changed


@transaction.atomic
def confirm_name_match(*, actor, row: BotnetListRow) -> BotnetListRow:
    """A Department officer confirms a name match: the subscriber name becomes an alias of
    the unit (so next month it matches by itself), the finding is recorded and the unit's
    task refreshed."""
    _require_department(actor)
    row = (
        BotnetListRow.objects.select_for_update(of=("self",))
        .select_related("unit", "botnet_list")
        .get(pk=row.pk)
    )
    if row.method != MatchMethod.NAME or row.unit is None:
        raise ValidationError("Dòng này không được đối chiếu theo tên thuê bao.")
    if row.confirmed:
        return row
    row.confirmed = True
    row.save(update_fields=["confirmed"])
    record(
        actor=actor,
        action="botnet.confirm_name",
        obj=row,
        unit=row.unit,
        after={"ip": row.ip, "subscriber": row.subscriber, "unit": row.unit.code},
        message=f"Xác nhận {row.ip} (“{row.subscriber}”) thuộc {row.unit.code}",
    )
    if row.subscriber.strip():
        # The confirmation is the Department's decision; the alias follows from it (as the
        # system: adding aliases by hand stays with Department administrators).
        add_unit_alias(actor=None, unit=row.unit, alias=row.subscriber)
    _record_findings(actor, row.botnet_list, [row])
    close_loop(actor=actor, period=row.botnet_list.period)
    row.refresh_from_db()
    return row


def imported_at_local(botnet_list: BotnetList) -> dt.datetime:
    return timezone.localtime(botnet_list.imported_at)

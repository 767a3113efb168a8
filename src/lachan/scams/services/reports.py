"""Writes of scam reports: send (anyone), approve or reject (the Department), start a case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lachan.audit.services import record, snapshot
from lachan.notifications.services import notify
from lachan.org.models import Role, Unit
from lachan.org.selectors import primary_unit
from lachan.remediation.models import Severity, SourceKind
from lachan.remediation.services import TransitionError, open_or_refresh_task, record_finding

from ..models import (
    BlocklistEntry,
    Channel,
    ReportStatus,
    ScamReport,
    ScamReportImage,
    SourceOrigin,
)
from ..uploads import check_images
from .blocklists import (
    LABEL_MAX,
    REPORTS_SOURCE_NAME,
    _recount,
    normalise_indicator,
    require_department,
    system_source,
)

REPORT_FIELDS = [
    "reference",
    "channel",
    "happened_on",
    "description",
    "phones",
    "accounts",
    "links",
    "amount_lost",
    "unit",
    "status",
    "review_note",
    "approved_indicators",
    "finding",
    "task",
]
DESCRIPTION_MAX = 5000
ITEM_MAX = 500
ITEMS_MAX = 50
TEXT_MAX = 5000
RISK_SEVERITY = {"high": Severity.HIGH, "medium": Severity.MEDIUM, "low": Severity.LOW}
CASE_GUIDANCE = gettext_lazy(
    "1. Liên hệ người báo cáo (nếu có thông tin liên hệ) để nắm rõ sự việc; không yêu cầu họ "
    "gửi mật khẩu hay mã OTP.\n"
    "2. Nếu có thiệt hại: hướng dẫn gọi ngay tổng đài ngân hàng (số in trên thẻ) để phong toả "
    "giao dịch và trình báo công an nơi gần nhất (hoặc gọi 113).\n"
    "3. Cảnh báo thủ đoạn này tới giáo viên, học sinh và phụ huynh của đơn vị (nhóm Zalo lớp, "
    "bảng tin, buổi chào cờ), kèm các số điện thoại, tài khoản, đường link đã xác minh.\n"
    "4. Báo cáo kết quả: đã liên hệ ai, đã cảnh báo những lớp nào, thiệt hại (nếu có)."
)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _clean_items(values: Iterable[str], field: str, label: str) -> list[str]:
    items: list[str] = []
    for raw in values or ():
        text = " ".join(str(raw).split())
        if not text:
            continue
        if len(text) > ITEM_MAX:
            raise ValidationError(
                {
                    field: _("%(label)s: mục “%(v)s…” dài quá %(n)d ký tự.")
                    % {"label": label, "v": text[:40], "n": ITEM_MAX}
                }
            )
        if text not in items:
            items.append(text)
    if len(items) > ITEMS_MAX:
        raise ValidationError(
            {field: _("%(label)s: tối đa %(n)d mục.") % {"label": label, "n": ITEMS_MAX}}
        )
    return items


def next_reference(year: int) -> str:
    """``BC-<year>-<5 digits>``, one more than the year's last."""
    prefix = f"BC-{year}-"
    last = (
        ScamReport.objects.filter(reference__startswith=prefix)
        .annotate(n=Length("reference"))
        .order_by("-n", "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _department_emails() -> list[str]:
    users = get_user_model().objects.filter(
        is_active=True,
        role_assignments__role=Role.DEPT_SECURITY,
        role_assignments__unit__parent__isnull=True,
    )
    return sorted({u.email for u in users if u.email})


@transaction.atomic
def create_report(
    *,
    actor,
    description: str,
    channel: str = Channel.OTHER,
    happened_on: dt.date | None = None,
    phones: Iterable[str] = (),
    accounts: Iterable[str] = (),
    links: Iterable[str] = (),
    amount_lost: int | None = None,
    reporter_contact: str = "",
    checked_text: str = "",
    images: Iterable[Any] = (),
) -> ScamReport:
    """Store a report from anyone (``actor`` None or anonymous: a visitor of the public page).

    The checker's answer at this moment is kept with it; a logged-in person's report records
    their unit, so the unit's IT officer and head see it too."""
    from ..checking import check

    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not description:
        errors["description"] = [_("Hãy kể lại sự việc: ai liên hệ, nói gì, yêu cầu gì.")]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("Tối đa %(n)d ký tự.") % {"n": DESCRIPTION_MAX}]
    if channel not in Channel.values:
        errors["channel"] = [_("Kênh không hợp lệ: “%(c)s”.") % {"c": channel}]
    if happened_on is not None and happened_on > timezone.localdate():
        errors["happened_on"] = [_("Ngày xảy ra không thể ở tương lai.")]
    if amount_lost is not None and amount_lost < 0:
        errors["amount_lost"] = [_("Số tiền không thể âm.")]
    checked_text = (checked_text or "").strip()
    if len(checked_text) > TEXT_MAX:
        errors["checked_text"] = [_("Tối đa %(n)d ký tự.") % {"n": TEXT_MAX}]
    if errors:
        raise ValidationError(errors)
    phones = _clean_items(phones, "phones", _("Số điện thoại"))
    accounts = _clean_items(accounts, "accounts", _("Số tài khoản"))
    links = _clean_items(links, "links", _("Đường link"))
    try:
        checked_images = check_images(images)
    except ValidationError as exc:
        raise ValidationError({"images": exc.messages}) from exc

    subject = checked_text or "\n".join([description, *phones, *accounts, *links])
    result = check(subject[:TEXT_MAX])
    user = _user(actor)
    report = ScamReport(
        channel=channel,
        happened_on=happened_on,
        description=description,
        phones=phones,
        accounts=accounts,
        links=links,
        checked_text=checked_text,
        amount_lost=amount_lost,
        reporter_contact=" ".join((reporter_contact or "").split())[:255],
        reporter=user,
        unit=primary_unit(user) if user is not None else None,
        check_result=result.to_dict(),
    )
    year = timezone.localdate().year
    for attempt in range(10):
        report.reference = next_reference(year)
        try:
            with transaction.atomic():
                report.save()
            break
        except IntegrityError:  # a concurrent report took the number
            if attempt == 9:
                raise
    for image in checked_images:
        stored = ScamReportImage(
            report=report,
            original_name=image.name,
            content_type=image.content_type,
            sha256=image.sha256,
            size=len(image.data),
        )
        stored.file.save(image.filename, ContentFile(image.data), save=False)
        stored.save()
    record(
        actor=actor,
        action="scams.report_create",
        obj=report,
        unit=report.unit,
        after=snapshot(report, REPORT_FIELDS),
        message=_("%(n)d ảnh") % {"n": len(checked_images)},
    )
    emails = _department_emails()
    if emails:
        url = settings.LACHAN_BASE_URL.rstrip("/") + reverse("scam_report_detail", args=[report.pk])
        notify(
            event="scam_report.new",
            recipients=emails,
            subject=_("Báo cáo lừa đảo mới %(ref)s") % {"ref": report.reference},
            body=_(
                "Có báo cáo lừa đảo mới %(ref)s (kênh: %(channel)s) chờ xem xét.\n"
                "Mở báo cáo: %(url)s"
            )
            % {"ref": report.reference, "channel": report.get_channel_display(), "url": url},
            obj=report,
        )
    return report


def _locked(report: ScamReport) -> ScamReport:
    return ScamReport.objects.select_for_update().get(pk=report.pk)


def _require_new(report: ScamReport) -> None:
    if report.status != ReportStatus.NEW:
        raise TransitionError(
            _("Báo cáo %(ref)s đã được xem xét (%(status)s).")
            % {"ref": report.reference, "status": report.get_status_display()}
        )


def _indicator_pairs(indicators: Iterable[Any]) -> list[tuple[str, str]]:
    pairs = []
    for item in indicators:
        if isinstance(item, dict):
            pairs.append((str(item.get("kind", "")), str(item.get("value", ""))))
        else:
            kind, value = item
            pairs.append((str(kind), str(value)))
    return pairs


@transaction.atomic
def approve_report(
    *, actor, report: ScamReport, indicators: Iterable[Any] = (), note: str = ""
) -> ScamReport:
    """Confirm a report: its chosen indicators (kind, value) — normalised — go into the list
    "Báo cáo lừa đảo đã xác minh", which the checker uses from the next check on."""
    require_department(actor)
    report = _locked(report)
    _require_new(report)
    normalised = []
    errors = []
    for n, (kind, value) in enumerate(_indicator_pairs(indicators), start=1):
        try:
            normalised.append(normalise_indicator(kind, value))
        except ValidationError as exc:
            errors.append(_("Dấu hiệu %(n)d: %(e)s") % {"n": n, "e": " ".join(exc.messages)})
    if errors:
        raise ValidationError({"indicators": errors})
    before = snapshot(report, REPORT_FIELDS)
    source = system_source(REPORTS_SOURCE_NAME, SourceOrigin.REPORTS)
    approved: list[dict[str, str]] = []
    for item in normalised:
        pair = {"kind": item.kind, "value": item.value}
        if pair in approved:
            continue
        approved.append(pair)
        entry, created = BlocklistEntry.objects.get_or_create(
            source=source,
            kind=item.kind,
            value=item.value,
            defaults={
                "label": report.reference[:LABEL_MAX],
                "report": report,
                "added_by": _user(actor),
            },
        )
        if not created and not entry.is_active:
            entry.is_active = True
            entry.save(update_fields=["is_active"])
    _recount(source)
    report.status = ReportStatus.APPROVED
    report.reviewed_by = _user(actor)
    report.reviewed_at = timezone.now()
    report.review_note = (note or "").strip()
    report.approved_indicators = approved
    report.save()
    record(
        actor=actor,
        action="scams.report_approve",
        obj=report,
        unit=report.unit,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
        message=_("%(n)d dấu hiệu vào danh sách chặn") % {"n": len(approved)},
    )
    return report


@transaction.atomic
def reject_report(*, actor, report: ScamReport, reason: str) -> ScamReport:
    require_department(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do không xác nhận báo cáo.")})
    report = _locked(report)
    _require_new(report)
    before = snapshot(report, REPORT_FIELDS)
    report.status = ReportStatus.REJECTED
    report.reviewed_by = _user(actor)
    report.reviewed_at = timezone.now()
    report.review_note = reason
    report.save()
    record(
        actor=actor,
        action="scams.report_reject",
        obj=report,
        unit=report.unit,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
        message=reason,
    )
    return report


def department_unit() -> Unit | None:
    """The Department's own unit: the root of the tree (of type Sở when there are several)."""
    roots = Unit.objects.filter(parent__isnull=True, is_active=True).order_by("path")
    return roots.filter(type="so").first() or roots.first()


def case_title(report: ScamReport) -> str:
    return _("Báo cáo lừa đảo %(ref)s qua %(channel)s") % {
        "ref": report.reference,
        "channel": report.get_channel_display().lower(),
    }


@transaction.atomic
def start_case(*, actor, report: ScamReport, unit: Unit | None = None) -> ScamReport:
    """Start a case on the remediation spine: a finding (source "scam_report", the report's
    number as its key, severity from the checker's risk) and a task for ``unit`` — by default
    the reporter's unit, else the Department's own."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    require_department(actor)
    report = _locked(report)
    if report.status == ReportStatus.REJECTED:
        raise TransitionError(_("Báo cáo đã bị từ chối, không thể tạo vụ việc."))
    if report.finding_id is not None or report.task_id is not None:
        raise TransitionError(_("Báo cáo %(ref)s đã có vụ việc.") % {"ref": report.reference})
    unit = unit or report.unit or department_unit()
    if unit is None:
        raise ValidationError({"unit": _("Chưa có đơn vị nào để giao việc.")})
    before = snapshot(report, REPORT_FIELDS)
    result = report.check_result or {}
    severity = RISK_SEVERITY.get(str(result.get("risk", "")), Severity.MEDIUM)
    title = case_title(report)
    finding, _created = record_finding(
        actor=actor,
        source=SourceKind.SCAM_REPORT,
        unit=unit,
        dedupe_key=report.reference,
        title=title,
        severity=severity,
        evidence={
            "report": report.reference,
            "channel": report.channel,
            "happened_on": report.happened_on.isoformat() if report.happened_on else None,
            "phones": report.phones,
            "accounts": report.accounts,
            "links": report.links,
            "risk": result.get("risk"),
            "score": result.get("score"),
            "approved_indicators": report.approved_indicators,
        },
        asset_ref=report.reference,
    )
    task, _created = open_or_refresh_task(
        actor=actor,
        unit=unit,
        problem_key=f"scam_report:{report.reference}",
        title=title,
        guidance=str(CASE_GUIDANCE),
        severity=severity,
        findings=[finding],
        source=SourceKind.SCAM_REPORT,
    )
    report.finding = finding
    report.task = task
    report.save(update_fields=["finding", "task"])
    record(
        actor=actor,
        action="scams.report_case",
        obj=report,
        unit=unit,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
        message=_("Giao việc cho %(unit)s") % {"unit": unit.name},
    )
    return report

"""Writes of phishing drills: templates, the approval workflow, sending, tracking, reporting.

Every officer action is keyword-only, runs in one transaction, checks that the actor is a
Department officer and records the audit log. The safeguards of a drill live here:

- recipients are only accounts registered in the platform that hold a role at the selected
  units, with an e-mail address (in ``LACHAN_DRILL_ALLOWED_DOMAINS`` when it is set); everyone
  else is refused with the reason, and the list is frozen when the drill is approved;
- a second officer approves: the creator never approves their own drill;
- nothing typed into a lure page is ever read, stored or logged; only the moment someone
  *would have submitted* is recorded.

Tracking events (open, click, would-have-submitted, "I understand") come from anonymous
people holding a token; they are measurements, not decisions, so they are not audited one by
one — the officers' actions on the drill are.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.audit.services import record, snapshot
from lachan.notifications.models import NotificationStatus
from lachan.notifications.services import notify
from lachan.org.models import Unit
from lachan.org.selectors import is_department_staff

from .builtin import BUILTIN_TEMPLATES
from .models import FLAG_PARTS, Drill, DrillRecipient, DrillStatus, DrillTemplate
from .rendering import PLACEHOLDERS, render_mail, unknown_placeholders

logger = logging.getLogger(__name__)

DRILL_EVENT = "drill.email"
DRILL_FIELDS = [
    "name",
    "template",
    "include_subunits",
    "follow_up_lesson",
    "starts_at",
    "send_until",
    "ends_at",
    "rate_per_minute",
    "status",
    "return_reason",
    "approved_by",
]
TEMPLATE_FIELDS = [
    "key",
    "name",
    "subject",
    "sender_name",
    "sender_local_part",
    "body_text",
    "body_html",
    "link_label",
    "has_login_form",
    "lure_title",
    "red_flags",
    "tips",
    "is_active",
]
DEFAULT_MAX_PER_RUN = 300
TOKEN_RE = re.compile(r"/dt/(?:o|c|l)/([A-Za-z0-9_-]{20,64})")
LOCAL_PART_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")


class DrillStateError(ValidationError):
    """The drill's status does not allow the action."""


def _require_officer(actor) -> None:
    if actor is None or not is_department_staff(actor):
        raise PermissionDenied


def _state(drill: Drill, allowed: Iterable[str], action: str) -> None:
    if drill.status not in tuple(allowed):
        raise DrillStateError(
            _("Không thể %(action)s khi đợt diễn tập đang ở trạng thái “%(status)s”.")
            % {"action": action, "status": drill.get_status_display()}
        )


def _locked(drill: Drill) -> Drill:
    return Drill.objects.select_for_update().select_related("template").get(pk=drill.pk)


def _snapshot(drill: Drill) -> dict[str, Any]:
    data = snapshot(drill, DRILL_FIELDS) or {}
    if drill.pk:
        data["units"] = sorted(drill.units.values_list("code", flat=True))
    return data


def max_per_run() -> int:
    return int(getattr(settings, "LACHAN_DRILL_MAX_PER_RUN", DEFAULT_MAX_PER_RUN))


def allowed_domains() -> list[str]:
    return [d.lower().lstrip("@") for d in getattr(settings, "LACHAN_DRILL_ALLOWED_DOMAINS", [])]


# --- templates --------------------------------------------------------------------------------


def ensure_builtin_templates() -> int:
    """Create the built-in templates that are missing (an officer's edits are kept)."""
    created = 0
    for data in BUILTIN_TEMPLATES:
        _obj, was_created = DrillTemplate.objects.get_or_create(
            key=data["key"], defaults={**data, "builtin": True}
        )
        created += was_created
    return created


def _clean_flags(flags: Any) -> list[dict[str, str]]:
    if not isinstance(flags, list):
        raise ValidationError({"red_flags": _("Dấu hiệu nhận biết phải là một danh sách.")})
    out = []
    for i, flag in enumerate(flags, start=1):
        if not isinstance(flag, dict) or not str(flag.get("text", "")).strip():
            raise ValidationError(
                {"red_flags": _("Dấu hiệu thứ %(n)d chưa có nội dung.") % {"n": i}}
            )
        part = str(flag.get("part", "body"))
        if part not in FLAG_PARTS:
            raise ValidationError(
                {
                    "red_flags": _(
                        "Dấu hiệu thứ %(n)d chỉ vào “%(part)s”; chỉ dùng được: %(parts)s."
                    )
                    % {"n": i, "part": part, "parts": ", ".join(FLAG_PARTS)}
                }
            )
        item = {"part": part, "text": str(flag["text"]).strip()}
        if str(flag.get("quote", "")).strip():
            item["quote"] = str(flag["quote"]).strip()
        out.append(item)
    return out


def _validate_template(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    for name in ("subject", "body_text", "body_html"):
        unknown = unknown_placeholders(data.get(name, ""))
        if unknown:
            errors[name].append(
                _("Không có ô thay thế %(names)s; chỉ dùng được: %(known)s.")
                % {
                    "names": ", ".join("{" + u + "}" for u in unknown),
                    "known": ", ".join("{" + p + "}" for p in PLACEHOLDERS),
                }
            )
    if "{duong_link}" not in (data.get("body_text") or ""):
        errors["body_text"].append(_("Nội dung thư phải có ô {duong_link} (đường link diễn tập)."))
    html = data.get("body_html") or ""
    if html.strip() and "{duong_link}" not in html:
        errors["body_html"].append(_("Nội dung HTML phải có ô {duong_link}."))
    if re.search(r"<\s*(script|form|iframe|object|embed)\b", html, re.IGNORECASE):
        errors["body_html"].append(
            _("Nội dung HTML không được chứa script, form, iframe, object hay embed.")
        )
    local = (data.get("sender_local_part") or "").strip().lower()
    if not LOCAL_PART_RE.match(local):
        errors["sender_local_part"].append(
            _("Chỉ dùng chữ thường không dấu, số, dấu chấm, gạch ngang (ví dụ: thu-hoc-phi).")
        )
    if errors:
        raise ValidationError(dict(errors))


@transaction.atomic
def save_template(*, actor, template: DrillTemplate | None = None, **data: Any) -> DrillTemplate:
    """Create or edit a template (Department officers)."""
    _require_officer(actor)
    unknown = set(data) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown template fields: {sorted(unknown)}")
    data["red_flags"] = _clean_flags(data.get("red_flags", []))
    data["tips"] = [str(t).strip() for t in data.get("tips", []) if str(t).strip()]
    if "sender_local_part" in data:
        data["sender_local_part"] = data["sender_local_part"].strip().lower()
    current = {f: getattr(template, f) for f in TEMPLATE_FIELDS} if template else {}
    _validate_template({**current, **data})
    before = snapshot(template, TEMPLATE_FIELDS) if template else None
    if template is None:
        if DrillTemplate.objects.filter(key=data.get("key", "")).exists():
            raise ValidationError({"key": _("Mã mẫu “%(k)s” đã có.") % {"k": data.get("key")}})
        template = DrillTemplate(**data)
    else:
        if (
            "key" in data
            and DrillTemplate.objects.filter(key=data["key"]).exclude(pk=template.pk).exists()
        ):
            raise ValidationError({"key": _("Mã mẫu “%(k)s” đã có.") % {"k": data["key"]}})
        for name, value in data.items():
            setattr(template, name, value)
    template.full_clean()
    template.save()
    record(
        actor=actor,
        action="drill_template.create" if before is None else "drill_template.update",
        obj=template,
        before=before,
        after=snapshot(template, TEMPLATE_FIELDS),
    )
    return template


# --- recipients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedRecipient:
    user: Any
    unit: Unit
    email: str


@dataclass(frozen=True)
class Refusal:
    label: str  # the person (full name or username) and their unit
    email: str
    reason: str


@dataclass
class RecipientPlan:
    accepted: list[PlannedRecipient] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def counts_by_unit(self) -> list[dict[str, Any]]:
        counts: dict[int, dict[str, Any]] = {}
        for r in self.accepted:
            row = counts.setdefault(r.unit.pk, {"unit": r.unit, "count": 0})
            row["count"] += 1
        return sorted(counts.values(), key=lambda row: row["unit"].path)


def selected_units(units: Iterable[Unit], include_subunits: bool) -> list[Unit]:
    units = list(units)
    if not include_subunits:
        return units
    q = Q(pk__in=[u.pk for u in units])
    for u in units:
        q |= Q(path__startswith=u.path)
    return list(Unit.objects.filter(q).filter(is_active=True).order_by("path"))


def plan_recipients(*, units: Iterable[Unit], include_subunits: bool) -> RecipientPlan:
    """Who a drill to these units would reach, and who is refused and why.

    Only accounts registered here that hold a role at one of the units; one message per
    person (at the deepest of their units) and per address.
    """
    from lachan.org.models import RoleAssignment

    scope = selected_units(units, include_subunits)
    assignments = (
        RoleAssignment.objects.filter(unit__in=scope)
        .select_related("user", "unit")
        .order_by("user_id", "-unit__depth", "unit__path")
    )
    by_user: dict[int, tuple[Any, Unit]] = {}
    for a in assignments:
        by_user.setdefault(a.user_id, (a.user, a.unit))
    domains = allowed_domains()
    plan = RecipientPlan()
    seen_emails: dict[str, str] = {}
    for user, unit in sorted(
        by_user.values(), key=lambda pair: (pair[1].path, pair[0].email.lower(), pair[0].pk)
    ):
        label = f"{user.get_full_name() or user.get_username()} ({unit.short_name or unit.name})"
        email = (user.email or "").strip()
        reason = ""
        if not user.is_active:
            reason = _("tài khoản đã bị khoá")
        elif not email:
            reason = _("tài khoản chưa có địa chỉ thư điện tử")
        elif domains and email.rsplit("@", 1)[-1].lower() not in domains:
            reason = _("tên miền “%(d)s” không nằm trong danh sách được phép (%(allowed)s)") % {
                "d": email.rsplit("@", 1)[-1],
                "allowed": ", ".join(domains),
            }
        elif email.lower() in seen_emails:
            reason = _("trùng địa chỉ với %(other)s") % {"other": seen_emails[email.lower()]}
        if reason:
            plan.refused.append(Refusal(label=label, email=email, reason=reason))
            continue
        seen_emails[email.lower()] = label
        plan.accepted.append(PlannedRecipient(user=user, unit=unit, email=email))
    return plan


def plan_for(drill: Drill) -> RecipientPlan:
    return plan_recipients(units=drill.units.all(), include_subunits=drill.include_subunits)


# --- the drill workflow -----------------------------------------------------------------------


def _validate_drill(data: dict[str, Any], units: list[Unit]) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    if not (data.get("name") or "").strip():
        errors["name"].append(_("Hãy đặt tên cho đợt diễn tập."))
    if not units:
        errors["units"].append(_("Hãy chọn ít nhất một đơn vị."))
    rate = data.get("rate_per_minute")
    if rate is None or not 1 <= int(rate) <= 120:
        errors["rate_per_minute"].append(_("Số thư mỗi phút phải từ 1 đến 120."))
    starts = data.get("starts_at")
    if starts is None:
        errors["starts_at"].append(_("Hãy chọn thời điểm bắt đầu gửi."))
    for name, label in (("send_until", _("ngừng gửi")), ("ends_at", _("kết thúc"))):
        value = data.get(name)
        if value is not None and starts is not None and value <= starts:
            errors[name].append(
                _("Thời điểm %(what)s phải sau thời điểm bắt đầu gửi.") % {"what": label}
            )
    template = data.get("template")
    if template is None:
        errors["template"].append(_("Hãy chọn mẫu thư."))
    elif not template.is_active:
        errors["template"].append(_("Mẫu thư này đã ngừng sử dụng."))
    if errors:
        raise ValidationError(dict(errors))


@transaction.atomic
def create_drill(
    *,
    actor,
    name: str,
    template: DrillTemplate,
    units: Iterable[Unit],
    include_subunits: bool = True,
    follow_up_lesson=None,
    starts_at: dt.datetime,
    send_until: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    rate_per_minute: int = 20,
) -> Drill:
    """A new drill, as a draft."""
    _require_officer(actor)
    units = list(units)
    data = {
        "name": name.strip(),
        "template": template,
        "include_subunits": include_subunits,
        "follow_up_lesson": follow_up_lesson,
        "starts_at": starts_at,
        "send_until": send_until,
        "ends_at": ends_at,
        "rate_per_minute": rate_per_minute,
    }
    _validate_drill(data, units)
    drill = Drill.objects.create(**data, created_by=actor)
    drill.units.set(units)
    record(actor=actor, action="drill.create", obj=drill, after=_snapshot(drill))
    return drill


@transaction.atomic
def update_drill(*, actor, drill: Drill, units: Iterable[Unit] | None = None, **data: Any) -> Drill:
    """Edit a draft."""
    _require_officer(actor)
    drill = _locked(drill)
    _state(drill, (DrillStatus.DRAFT,), _("sửa"))
    allowed = {
        "name",
        "template",
        "include_subunits",
        "follow_up_lesson",
        "starts_at",
        "send_until",
        "ends_at",
        "rate_per_minute",
    }
    if set(data) - allowed:
        raise TypeError(f"unknown drill fields: {sorted(set(data) - allowed)}")
    before = _snapshot(drill)
    new_units = list(units) if units is not None else list(drill.units.all())
    current = {name: getattr(drill, name) for name in allowed}
    merged = {**current, **data}
    if "name" in data:
        merged["name"] = data["name"].strip()
    _validate_drill(merged, new_units)
    for name, value in merged.items():
        setattr(drill, name, value)
    drill.save()
    drill.units.set(new_units)
    record(actor=actor, action="drill.update", obj=drill, before=before, after=_snapshot(drill))
    return drill


@transaction.atomic
def submit_drill(*, actor, drill: Drill) -> Drill:
    """Send a draft to a second officer for approval."""
    _require_officer(actor)
    drill = _locked(drill)
    _state(drill, (DrillStatus.DRAFT,), _("trình duyệt"))
    plan = plan_for(drill)
    if not plan.accepted:
        raise ValidationError(
            _("Không có người nhận hợp lệ nào trong các đơn vị đã chọn; không thể trình duyệt.")
        )
    before = _snapshot(drill)
    drill.status = DrillStatus.AWAITING_APPROVAL
    drill.submitted_at = timezone.now()
    drill.return_reason = ""
    drill.save()
    record(
        actor=actor,
        action="drill.submit",
        obj=drill,
        before=before,
        after={**_snapshot(drill), "recipients": len(plan.accepted), "refused": len(plan.refused)},
    )
    return drill


@transaction.atomic
def approve_drill(*, actor, drill: Drill) -> Drill:
    """A second officer approves: the recipient list is frozen from this moment."""
    _require_officer(actor)
    drill = _locked(drill)
    _state(drill, (DrillStatus.AWAITING_APPROVAL,), _("phê duyệt"))
    if drill.created_by_id is not None and drill.created_by_id == actor.pk:
        raise ValidationError(
            _("Người tạo không được tự phê duyệt đợt diễn tập; cần một cán bộ khác của Sở duyệt.")
        )
    plan = plan_for(drill)
    if not plan.accepted:
        raise ValidationError(_("Không có người nhận hợp lệ nào; không thể phê duyệt."))
    before = _snapshot(drill)
    DrillRecipient.objects.bulk_create(
        [
            DrillRecipient(drill=drill, user=r.user, unit=r.unit, email=r.email)
            for r in plan.accepted
        ]
    )
    drill.status = DrillStatus.APPROVED
    drill.approved_by = actor
    drill.approved_at = timezone.now()
    drill.save()
    record(
        actor=actor,
        action="drill.approve",
        obj=drill,
        before=before,
        after={**_snapshot(drill), "recipients": len(plan.accepted), "refused": len(plan.refused)},
    )
    return drill


@transaction.atomic
def return_drill(*, actor, drill: Drill, reason: str) -> Drill:
    """The approver sends the drill back to draft with a reason."""
    _require_officer(actor)
    drill = _locked(drill)
    _state(drill, (DrillStatus.AWAITING_APPROVAL,), _("trả lại"))
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do trả lại.")})
    before = _snapshot(drill)
    drill.status = DrillStatus.DRAFT
    drill.return_reason = reason.strip()
    drill.save()
    record(actor=actor, action="drill.return", obj=drill, before=before, after=_snapshot(drill))
    return drill


def _start(drill: Drill, now: dt.datetime) -> None:
    drill.status = DrillStatus.SENDING
    drill.started_at = now
    if drill.starts_at > now:
        drill.starts_at = now


@transaction.atomic
def start_drill(*, actor, drill: Drill, now: dt.datetime | None = None) -> Drill:
    """Start sending an approved drill now (before its scheduled time if need be)."""
    _require_officer(actor)
    drill = _locked(drill)
    _state(drill, (DrillStatus.APPROVED,), _("bắt đầu"))
    before = _snapshot(drill)
    _start(drill, now or timezone.now())
    drill.save()
    record(actor=actor, action="drill.start", obj=drill, before=before, after=_snapshot(drill))
    return drill


@transaction.atomic
def cancel_drill(*, actor, drill: Drill, reason: str = "") -> Drill:
    """Cancel a drill that has not finished; nothing more is sent and nothing more counts."""
    _require_officer(actor)
    drill = _locked(drill)
    _state(
        drill,
        (
            DrillStatus.DRAFT,
            DrillStatus.AWAITING_APPROVAL,
            DrillStatus.APPROVED,
            DrillStatus.SENDING,
        ),
        _("huỷ"),
    )
    before = _snapshot(drill)
    drill.status = DrillStatus.CANCELLED
    drill.cancelled_at = timezone.now()
    drill.save()
    record(
        actor=actor,
        action="drill.cancel",
        obj=drill,
        before=before,
        after=_snapshot(drill),
        message=reason.strip()[:500],
    )
    return drill


def _finish(drill: Drill, actor, now: dt.datetime, message: str = "") -> Drill:
    before = _snapshot(drill)
    drill.status = DrillStatus.FINISHED
    drill.finished_at = now
    drill.save()
    record(
        actor=actor,
        action="drill.finish",
        obj=drill,
        before=before,
        after=_snapshot(drill),
        message=message,
    )
    return drill


@transaction.atomic
def finish_drill(*, actor, drill: Drill, now: dt.datetime | None = None) -> Drill:
    """End a running drill: units may now see their results, the e-mails appear in listings."""
    _require_officer(actor)
    drill = _locked(drill)
    _state(drill, (DrillStatus.SENDING,), _("kết thúc"))
    return _finish(drill, actor, now or timezone.now())


# --- sending ----------------------------------------------------------------------------------


def base_url() -> str:
    return settings.LACHAN_BASE_URL.rstrip("/")


def tracking_urls(token: str) -> dict[str, str]:
    base = base_url()
    return {
        "pixel": base + reverse("drill_open", kwargs={"token": token}),
        "link": base + reverse("drill_click", kwargs={"token": token}),
    }


def mail_for(recipient: DrillRecipient, *, when: dt.datetime):
    """The rendered e-mail of one recipient."""
    urls = tracking_urls(recipient.token)
    user = recipient.user
    values = {
        "ho_ten": user.get_full_name() or user.get_username(),
        "don_vi": recipient.unit.name,
        "duong_link": urls["link"],
        "ngay": f"{timezone.localtime(when):%d/%m/%Y}",
    }
    return render_mail(recipient.drill.template, values, pixel_url=urls["pixel"])


def _queue(recipient: DrillRecipient, now: dt.datetime) -> None:
    mail = mail_for(recipient, when=now)
    rows = notify(
        event=DRILL_EVENT,
        recipients=[recipient.email],
        subject=mail.subject,
        body=mail.text,
        html_body=mail.html,
        from_email=mail.from_email,
        headers={"X-Lachan-Drill": str(recipient.drill_id)},
        unit=recipient.unit,
        obj=recipient,
    )
    recipient.notification = rows[0] if rows else None
    recipient.queued_at = now
    recipient.save(update_fields=["notification", "queued_at"])


def sync_delivery(*, drill_ids: Iterable[int] | None = None) -> int:
    """Copy the outbox's delivery state (sent time, attempts, last error) onto recipients."""
    qs = DrillRecipient.objects.filter(queued_at__isnull=False, notification__isnull=False).filter(
        Q(sent_at__isnull=True)
    )
    if drill_ids is not None:
        qs = qs.filter(drill_id__in=list(drill_ids))
    changed = 0
    for r in qs.select_related("notification"):
        n = r.notification
        fields = {
            "send_attempts": n.attempts,
            "last_error": n.error if n.status != NotificationStatus.SENT else "",
            "sent_at": n.sent_at if n.status == NotificationStatus.SENT else None,
        }
        if any(getattr(r, k) != v for k, v in fields.items()):
            DrillRecipient.objects.filter(pk=r.pk).update(**fields)
            changed += 1
    return changed


def send_due_drill_emails(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The every-minute job: start due drills, send each running drill's next batch.

    At most ``rate_per_minute`` e-mails per drill per run and ``LACHAN_DRILL_MAX_PER_RUN`` over
    all drills; nothing after a drill's ``send_until``; a drill past its ``ends_at`` finishes.
    Each drill's batch commits on its own, so the messages go out after each commit.
    """
    now = now or timezone.now()
    budget = max_per_run()
    counts = {"started": 0, "queued": 0, "finished": 0, "drills": 0}
    for drill_id in Drill.objects.filter(
        status=DrillStatus.APPROVED, starts_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            drill = Drill.objects.select_for_update().get(pk=drill_id)
            if drill.status != DrillStatus.APPROVED:
                continue
            before = _snapshot(drill)
            _start(drill, now)
            drill.save()
            record(
                actor=None, action="drill.start", obj=drill, before=before, after=_snapshot(drill)
            )
            counts["started"] += 1
    running = list(
        Drill.objects.filter(status=DrillStatus.SENDING, starts_at__lte=now)
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
    for drill_id in running:
        with transaction.atomic():
            drill = Drill.objects.select_for_update().select_related("template").get(pk=drill_id)
            if drill.status != DrillStatus.SENDING:
                continue
            if drill.ends_at is not None and now >= drill.ends_at:
                _finish(drill, None, now, message=_("Hết thời gian diễn tập."))
                counts["finished"] += 1
                continue
            if budget <= 0 or (drill.send_until is not None and now >= drill.send_until):
                continue
            batch = list(
                drill.recipients.filter(queued_at__isnull=True)
                .select_related("user", "unit", "drill__template")
                .order_by("pk")[: min(drill.rate_per_minute, budget)]
            )
            for recipient in batch:
                _queue(recipient, now)
            budget -= len(batch)
            counts["queued"] += len(batch)
            counts["drills"] += bool(batch)
    if running:
        sync_delivery(drill_ids=running)
    return counts


# --- tracking (public, by token) --------------------------------------------------------------


def recipient_by_token(token: str) -> DrillRecipient:
    """The recipient of a token; DoesNotExist for unknown tokens and unsent messages."""
    return DrillRecipient.objects.select_related("drill__template", "drill__follow_up_lesson").get(
        token=token, queued_at__isnull=False
    )


def _counts(recipient: DrillRecipient) -> bool:
    return recipient.drill.status == DrillStatus.SENDING


def _first_time(recipient: DrillRecipient, now: dt.datetime, *names: str) -> None:
    """Set each timestamp that is still empty (the first event is kept)."""
    for name in names:
        if getattr(recipient, name) is None:
            updated = DrillRecipient.objects.filter(pk=recipient.pk, **{f"{name}__isnull": True})
            if updated.update(**{name: now}):
                setattr(recipient, name, now)


def record_open(*, recipient: DrillRecipient, now: dt.datetime | None = None) -> DrillRecipient:
    if _counts(recipient):
        _first_time(recipient, now or timezone.now(), "opened_at")
    return recipient


def record_click(*, recipient: DrillRecipient, now: dt.datetime | None = None) -> DrillRecipient:
    """A click also means the message was opened (images are often blocked)."""
    if _counts(recipient):
        _first_time(recipient, now or timezone.now(), "opened_at", "clicked_at")
    return recipient


def record_would_submit(
    *, recipient: DrillRecipient, now: dt.datetime | None = None
) -> DrillRecipient:
    """Someone pressed "log in" on the lure page. Only the moment is kept, never what was typed."""
    if _counts(recipient):
        _first_time(recipient, now or timezone.now(), "opened_at", "clicked_at", "submitted_at")
    return recipient


def record_acknowledged(
    *, recipient: DrillRecipient, now: dt.datetime | None = None
) -> DrillRecipient:
    if recipient.drill.status in (DrillStatus.SENDING, DrillStatus.FINISHED):
        _first_time(recipient, now or timezone.now(), "acknowledged_at")
    return recipient


# --- reporting and the follow-up lesson -------------------------------------------------------


@dataclass(frozen=True)
class ReportOutcome:
    is_drill: bool
    recipients: tuple[DrillRecipient, ...] = ()
    already_reported: bool = False


def tokens_in(text: str) -> list[str]:
    return list(dict.fromkeys(TOKEN_RE.findall(text or "")))


@transaction.atomic
def report_message(*, actor, text: str, now: dt.datetime | None = None) -> ReportOutcome:
    """A staff member reports a suspicious message. When it holds the token of a drill e-mail
    sent to them, the report counts (the first time). The text itself is never stored."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    if not (text or "").strip():
        raise ValidationError({"message": _("Hãy dán nội dung thư hoặc đường link đáng ngờ.")})
    tokens = tokens_in(text)
    if not tokens:
        return ReportOutcome(is_drill=False)
    matches = list(
        DrillRecipient.objects.select_related("drill")
        .filter(
            token__in=tokens,
            user=actor,
            queued_at__isnull=False,
            drill__status__in=[DrillStatus.SENDING, DrillStatus.FINISHED],
        )
        .order_by("pk")
    )
    if not matches:
        return ReportOutcome(is_drill=False)
    now = now or timezone.now()
    fresh = [r for r in matches if r.reported_at is None]
    for r in fresh:
        if r.drill.status == DrillStatus.SENDING:
            _first_time(r, now, "reported_at")
            record(
                actor=actor,
                action="drill.report",
                obj=r.drill,
                unit=r.unit,
                object_repr=str(r.drill)[:255],
                message=_("Báo cáo đúng thư diễn tập."),
            )
    return ReportOutcome(is_drill=True, recipients=tuple(matches), already_reported=not fresh)


def record_lesson_completed(
    *, learner, lesson, now: dt.datetime | None = None
) -> list[DrillRecipient]:
    """A staff learner passed a follow-up lesson: count it on their drills that name it."""
    user_id = getattr(learner, "user_id", None)
    if user_id is None or lesson is None:
        return []
    now = now or timezone.now()
    recipients = list(
        DrillRecipient.objects.filter(
            user_id=user_id,
            drill__follow_up_lesson=lesson,
            drill__status__in=[DrillStatus.SENDING, DrillStatus.FINISHED],
            queued_at__isnull=False,
            lesson_completed_at__isnull=True,
        )
    )
    for r in recipients:
        _first_time(r, now, "lesson_completed_at")
    return recipients


def on_lesson_passed(sender, *, learner=None, lesson=None, **kwargs) -> None:
    """Receiver of ``awareness.signals.lesson_passed``."""
    record_lesson_completed(learner=learner, lesson=lesson)

"""Writes of campaigns, class groups, student joins and certificates.

Every function is keyword-only, runs in one transaction, checks the actor's right and records
the audit log. ``actor=None`` is the system (the demo, jobs, the CLI acting as the system).

- Campaigns belong to the Department (administrators and security officers): a draft is
  edited freely, activated once it has a lesson and a unit, closed, reopened.
- A class group is created by the unit's IT officer or head (or the Department) for one of the
  campaign's units; its join code (8 characters of ``JOIN_ALPHABET``, shown ``K7QM-4RTX``) is
  all a student needs.
- A student joins with the code and their name only; the browser keeps the secret.
- A certificate is issued when a learner has passed every lesson of a campaign.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.audit.services import record, snapshot
from lachan.org.models import DEPARTMENT_ROLES, Role, Unit
from lachan.org.selectors import has_role_over, is_department_staff

from ..models import (
    Audience,
    Campaign,
    CampaignLesson,
    CampaignStatus,
    Certificate,
    ClassGroup,
    Learner,
    LearnerKind,
    Lesson,
    Progress,
)
from .learners import new_student_secret

# No 0/O, 1/I/L: a code read aloud or copied from the board is typed right.
JOIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 8
CLASS_ROLES = frozenset({Role.UNIT_IT, Role.UNIT_HEAD, *DEPARTMENT_ROLES})
CAMPAIGN_AUDIENCES = (Audience.STAFF, Audience.STUDENTS)
NAME_MAX = 120
MAX_REMINDER_DAYS = 60
CERTIFICATE_PREFIX = "LC"
CAMPAIGN_FIELDS = [
    "title",
    "description",
    "audiences",
    "include_subunits",
    "starts_on",
    "deadline",
    "status",
    "reminder_days",
]
CLASS_FIELDS = ["campaign", "unit", "name", "join_code", "is_open", "expected_students"]
_URLISH = re.compile(r"(://|www\.|\b[\w-]+\.(com|net|org|vn|info|xyz|io|me|top)\b|@)", re.I)


# --- helpers ----------------------------------------------------------------------------------


def _require_department(actor) -> None:
    if actor is not None and not is_department_staff(actor):
        raise PermissionDenied


def _locked_campaign(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _campaign_after(campaign: Campaign) -> dict:
    return {
        **snapshot(campaign, CAMPAIGN_FIELDS),
        "lessons": list(campaign.campaign_lessons.values_list("lesson__slug", flat=True)),
        "units": sorted(campaign.units.values_list("code", flat=True)),
    }


def format_join_code(code: str) -> str:
    """``"K7QM4RTX"`` → ``"K7QM-4RTX"``."""
    return f"{code[:4]}-{code[4:]}" if len(code) == JOIN_CODE_LENGTH else code


def normalize_join_code(text: str) -> str:
    """What a person typed (spaces, dashes, lower case) as a stored code; "" when malformed."""
    code = re.sub(r"[\s\-–—._]+", "", (text or "")).upper()
    if len(code) != JOIN_CODE_LENGTH or any(c not in JOIN_ALPHABET for c in code):
        return ""
    return code


def new_join_code() -> str:
    """A fresh code no class uses."""
    for _attempt in range(20):
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not ClassGroup.objects.filter(join_code=code).exists():
            return code
    raise RuntimeError("could not find a free join code")  # pragma: no cover - 31^8 codes


def clean_student_name(text: str) -> str:
    """A student's "Họ và tên": trimmed, single spaces; ValidationError when it is not a name."""
    name = " ".join(unicodedata.normalize("NFC", text or "").split())
    if not name:
        raise ValidationError({"name": _("Hãy nhập họ và tên của em.")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("Họ và tên dài quá %(n)d ký tự; hãy viết ngắn lại.") % {"n": NAME_MAX}}
        )
    if _URLISH.search(name):
        raise ValidationError(
            {"name": _("Họ và tên không được chứa địa chỉ trang web hay thư điện tử.")}
        )
    if not any(ch.isalpha() for ch in name):
        raise ValidationError({"name": _("Họ và tên phải có chữ cái, không chỉ gồm chữ số.")})
    if any(not (ch.isalpha() or ch in " .'-") for ch in name):
        raise ValidationError({"name": _("Họ và tên chỉ gồm chữ cái, dấu cách và các dấu . ' -")})
    return name


def target_units(campaign: Campaign):
    """The campaign's units, with the units below them when ``include_subunits``."""
    from django.db.models import Q

    chosen = list(campaign.units.all())
    if not chosen:
        return Unit.objects.none()
    if not campaign.include_subunits:
        return Unit.objects.filter(pk__in=[u.pk for u in chosen])
    q = Q()
    for u in chosen:
        q |= Q(path__startswith=u.path)
    return Unit.objects.filter(q)


def unit_is_targeted(campaign: Campaign, unit: Unit) -> bool:
    for target in campaign.units.all():
        if target.pk == unit.pk or (
            campaign.include_subunits and unit.path.startswith(target.path)
        ):
            return True
    return False


# --- campaigns --------------------------------------------------------------------------------


def _validate_campaign(
    *,
    title: str,
    audiences: Sequence[str],
    starts_on: dt.date | None,
    deadline: dt.date | None,
    reminder_days: int,
    lessons: Sequence[Lesson],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Hãy đặt tên cho đợt học.")]
    if not audiences:
        errors["audiences"] = [
            _("Hãy chọn ít nhất một đối tượng: cán bộ, giáo viên hoặc học sinh.")
        ]
    elif any(a not in CAMPAIGN_AUDIENCES for a in audiences):
        errors["audiences"] = [_("Đối tượng không hợp lệ.")]
    if starts_on is None:
        errors["starts_on"] = [_("Hãy nhập ngày bắt đầu.")]
    if deadline is None:
        errors["deadline"] = [_("Hãy nhập hạn hoàn thành.")]
    elif starts_on is not None and deadline < starts_on:
        errors["deadline"] = [_("Hạn hoàn thành không được trước ngày bắt đầu.")]
    if not 0 <= reminder_days <= MAX_REMINDER_DAYS:
        errors["reminder_days"] = [
            _("Số ngày nhắc trước hạn phải từ 0 đến %(n)d.") % {"n": MAX_REMINDER_DAYS}
        ]
    if len({lesson.pk for lesson in lessons}) != len(lessons):
        errors["lessons"] = [_("Một bài học chỉ được chọn một lần.")]
    elif any(not lesson.is_active or not lesson.current_version_id for lesson in lessons):
        errors["lessons"] = [_("Chỉ chọn được bài học đang sử dụng và đã có nội dung.")]
    return errors


def _set_lessons(campaign: Campaign, lessons: Sequence[Lesson]) -> None:
    campaign.campaign_lessons.all().delete()
    CampaignLesson.objects.bulk_create(
        CampaignLesson(campaign=campaign, lesson=lesson, position=i)
        for i, lesson in enumerate(lessons, start=1)
    )


@transaction.atomic
def save_campaign(
    *,
    actor,
    campaign: Campaign | None = None,
    title: str,
    description: str = "",
    lessons: Sequence[Lesson] = (),
    units: Iterable[Unit] = (),
    include_subunits: bool = True,
    audiences: Sequence[str] = (Audience.STAFF, Audience.STUDENTS),
    starts_on: dt.date,
    deadline: dt.date,
    reminder_days: int = 3,
) -> Campaign:
    """Create a draft (``campaign=None``) or edit one. The lessons of an active campaign stay
    as they are (learners are already working on them); a closed campaign is reopened first."""
    _require_department(actor)
    lessons = list(lessons)
    units = list(units)
    audiences = [a for a in CAMPAIGN_AUDIENCES if a in set(audiences)] or list(audiences)
    errors = _validate_campaign(
        title=title,
        audiences=audiences,
        starts_on=starts_on,
        deadline=deadline,
        reminder_days=reminder_days,
        lessons=lessons,
    )
    before = None
    if campaign is not None:
        campaign = _locked_campaign(campaign)
        before = _campaign_after(campaign)
        if campaign.status == CampaignStatus.CLOSED:
            raise ValidationError(_("Đợt học đã kết thúc; hãy mở lại trước khi sửa."))
        current = list(campaign.campaign_lessons.values_list("lesson_id", flat=True))
        if campaign.status == CampaignStatus.ACTIVE:
            if [lesson.pk for lesson in lessons] != current:
                errors.setdefault("lessons", []).append(
                    _("Không thay đổi được bài học của đợt học đang triển khai.")
                )
            if not units:
                errors.setdefault("units", []).append(
                    _("Đợt học đang triển khai cần ít nhất một đơn vị.")
                )
    if errors:
        raise ValidationError(errors)
    created = campaign is None
    if created:
        campaign = Campaign(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    campaign.title = " ".join(title.split())[:200]
    campaign.description = description.strip()
    campaign.audiences = list(audiences)
    campaign.include_subunits = include_subunits
    campaign.starts_on = starts_on
    campaign.deadline = deadline
    campaign.reminder_days = reminder_days
    campaign.save()
    campaign.units.set(units)
    if created or campaign.status == CampaignStatus.DRAFT:
        _set_lessons(campaign, lessons)
    record(
        actor=actor,
        action="awareness.campaign.create" if created else "awareness.campaign.update",
        obj=campaign,
        object_type="awareness.campaign",
        before=before,
        after=_campaign_after(campaign),
    )
    return campaign


def _transition(actor, campaign: Campaign, allowed: tuple[str, ...], to: str, action: str):
    _require_department(actor)
    campaign = _locked_campaign(campaign)
    if campaign.status not in allowed:
        raise ValidationError(
            _("Không thể chuyển đợt học từ trạng thái “%(s)s”.")
            % {"s": campaign.get_status_display()}
        )
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    campaign.status = to
    campaign.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action=action,
        obj=campaign,
        object_type="awareness.campaign",
        before=before,
        after=snapshot(campaign, CAMPAIGN_FIELDS),
    )
    return campaign


@transaction.atomic
def activate_campaign(*, actor, campaign: Campaign) -> Campaign:
    """Start a draft: it needs at least one lesson and one unit."""
    errors = {}
    if not campaign.campaign_lessons.exists():
        errors["lessons"] = [_("Đợt học cần ít nhất một bài học.")]
    if not campaign.units.exists():
        errors["units"] = [_("Đợt học cần ít nhất một đơn vị tham gia.")]
    if errors:
        _require_department(actor)
        raise ValidationError(errors)
    return _transition(
        actor,
        campaign,
        (CampaignStatus.DRAFT,),
        CampaignStatus.ACTIVE,
        "awareness.campaign.activate",
    )


@transaction.atomic
def close_campaign(*, actor, campaign: Campaign) -> Campaign:
    return _transition(
        actor,
        campaign,
        (CampaignStatus.ACTIVE,),
        CampaignStatus.CLOSED,
        "awareness.campaign.close",
    )


@transaction.atomic
def reopen_campaign(*, actor, campaign: Campaign) -> Campaign:
    return _transition(
        actor,
        campaign,
        (CampaignStatus.CLOSED,),
        CampaignStatus.ACTIVE,
        "awareness.campaign.reopen",
    )


def claim_reminder_day(*, campaign: Campaign, on: dt.date) -> bool:
    """Take the day's reminder of a campaign (call inside the job's transaction); False when
    another run already took it."""
    return bool(
        Campaign.objects.filter(pk=campaign.pk)
        .exclude(last_reminded_on=on)
        .update(last_reminded_on=on)
    )


def record_reminders(*, campaign: Campaign, on: dt.date, sent: int) -> None:
    record(
        actor=None,
        action="awareness.campaign.remind",
        obj=campaign,
        object_type="awareness.campaign",
        after={"on": on, "messages": sent},
    )


# --- class groups -----------------------------------------------------------------------------


def _require_class_manager(actor, unit: Unit) -> None:
    if actor is not None and not has_role_over(actor, unit, CLASS_ROLES):
        raise PermissionDenied


@transaction.atomic
def create_class_group(
    *,
    actor,
    campaign: Campaign,
    unit: Unit,
    name: str,
    expected_students: int | None = None,
) -> ClassGroup:
    """A class of ``unit`` in an active campaign that includes students, with a new join code."""
    _require_class_manager(actor, unit)
    campaign = Campaign.objects.get(pk=campaign.pk)
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if campaign.status != CampaignStatus.ACTIVE:
        errors["campaign"] = [_("Chỉ tạo được lớp trong đợt học đang triển khai.")]
    elif Audience.STUDENTS not in (campaign.audiences or []):
        errors["campaign"] = [_("Đợt học này không dành cho học sinh.")]
    if not unit_is_targeted(campaign, unit):
        errors["unit"] = [_("Đơn vị không tham gia đợt học này.")]
    if not name:
        errors["name"] = [_("Hãy nhập tên lớp, ví dụ 10A1.")]
    elif len(name) > 40:
        errors["name"] = [_("Tên lớp dài quá 40 ký tự.")]
    if expected_students is not None and not 1 <= expected_students <= 200:
        errors["expected_students"] = [_("Sĩ số phải từ 1 đến 200.")]
    if not errors and ClassGroup.objects.filter(campaign=campaign, unit=unit, name=name).exists():
        errors["name"] = [_("Đơn vị đã có lớp “%(name)s” trong đợt học này.") % {"name": name}]
    if errors:
        raise ValidationError(errors)
    group = ClassGroup.objects.create(
        campaign=campaign,
        unit=unit,
        name=name,
        join_code=new_join_code(),
        expected_students=expected_students,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        actor=actor,
        action="awareness.class.create",
        obj=group,
        unit=unit,
        object_type="awareness.classgroup",
        after=snapshot(group, CLASS_FIELDS),
    )
    return group


def _locked_class(group: ClassGroup) -> ClassGroup:
    return (
        ClassGroup.objects.select_for_update().select_related("unit", "campaign").get(pk=group.pk)
    )


def _change_class(actor, group: ClassGroup, action: str, **changes) -> ClassGroup:
    """Set ``changes`` on a locked class and audit it (before/after)."""
    before = snapshot(group, CLASS_FIELDS)
    for name, value in changes.items():
        setattr(group, name, value)
    group.save(update_fields=list(changes))
    record(
        actor=actor,
        action=action,
        obj=group,
        unit=group.unit,
        object_type="awareness.classgroup",
        before=before,
        after=snapshot(group, CLASS_FIELDS),
    )
    return group


@transaction.atomic
def update_class_group(
    *, actor, class_group: ClassGroup, expected_students: int | None
) -> ClassGroup:
    """Change the class size (the denominator of the class's completion rate)."""
    group = _locked_class(class_group)
    _require_class_manager(actor, group.unit)
    if expected_students is not None and not 1 <= expected_students <= 200:
        raise ValidationError({"expected_students": [_("Sĩ số phải từ 1 đến 200.")]})
    return _change_class(
        actor, group, "awareness.class.update", expected_students=expected_students
    )


@transaction.atomic
def regenerate_join_code(*, actor, class_group: ClassGroup) -> ClassGroup:
    """A new code (the old one stops working); students who joined keep their place."""
    group = _locked_class(class_group)
    _require_class_manager(actor, group.unit)
    return _change_class(actor, group, "awareness.class.regenerate_code", join_code=new_join_code())


@transaction.atomic
def set_class_open(*, actor, class_group: ClassGroup, is_open: bool) -> ClassGroup:
    """Stop (or resume) taking new students; those who joined go on learning."""
    group = _locked_class(class_group)
    _require_class_manager(actor, group.unit)
    if group.is_open == is_open:
        return group
    action = "awareness.class.open" if is_open else "awareness.class.close"
    return _change_class(actor, group, action, is_open=is_open)


# --- students ---------------------------------------------------------------------------------


def class_for_code(text: str) -> ClassGroup:
    """The open class of an active student campaign behind a typed code; ValidationError else."""
    code = normalize_join_code(text)
    if not code:
        raise ValidationError({"code": [_("Mã tham gia gồm 8 ký tự chữ và số, ví dụ K7QM-4RTX.")]})
    group = ClassGroup.objects.select_related("campaign", "unit").filter(join_code=code).first()
    if group is None:
        raise ValidationError({"code": [_("Không có lớp nào với mã tham gia này.")]})
    campaign = group.campaign
    if campaign.status != CampaignStatus.ACTIVE or Audience.STUDENTS not in campaign.audiences:
        raise ValidationError({"code": [_("Đợt học của lớp này chưa mở hoặc đã kết thúc.")]})
    if not group.is_open:
        raise ValidationError(
            {"code": [_("Lớp này đã ngừng nhận học sinh; em hãy hỏi thầy cô phụ trách.")]}
        )
    return group


@transaction.atomic
def join_class(
    *, code: str, name: str, returning: Learner | None = None
) -> tuple[Learner, str | None]:
    """A student joins a class by its code. Returns (learner, secret to keep in the browser).

    ``returning`` is the student this browser already is: joining the same class again gives
    the same learner back (and no new secret, ``None``), with the name as typed now.
    """
    group = class_for_code(code)
    name = clean_student_name(name)
    if (
        returning is not None
        and returning.kind == LearnerKind.STUDENT
        and returning.class_group_id == group.pk
    ):
        if returning.name != name:
            before = {"name": returning.name}
            returning.name = name
            returning.save(update_fields=["name"])
            record(
                actor=None,
                action="awareness.learner.rename",
                obj=returning,
                unit=group.unit,
                object_type="awareness.learner",
                object_repr=f"{name} ({group.name})",
                before=before,
                after={"name": name},
            )
        return returning, None
    secret, secret_hash = new_student_secret()
    learner = Learner.objects.create(
        kind=LearnerKind.STUDENT,
        unit=group.unit,
        class_group=group,
        name=name,
        secret_hash=secret_hash,
    )
    record(
        actor=None,
        action="awareness.learner.join",
        obj=learner,
        unit=group.unit,
        object_type="awareness.learner",
        object_repr=f"{name} ({group.name})",
        after={"class_group": group.pk, "campaign": group.campaign_id, "name": name},
    )
    return learner, secret


# --- certificates -----------------------------------------------------------------------------


def has_completed(learner: Learner, campaign: Campaign) -> bool:
    """Passed every lesson of the campaign (within the campaign)."""
    lesson_ids = set(campaign.campaign_lessons.values_list("lesson_id", flat=True))
    if not lesson_ids:
        return False
    passed = set(
        Progress.objects.filter(
            learner=learner, campaign=campaign, lesson_id__in=lesson_ids, passed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )
    return passed == lesson_ids


def _next_number(year: int) -> str:
    prefix = f"{CERTIFICATE_PREFIX}-{year}-"
    last = (
        Certificate.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{n:06d}"


@transaction.atomic
def issue_certificate_if_complete(*, learner: Learner, campaign: Campaign) -> Certificate | None:
    """The learner's certificate for the campaign, issued now if every lesson is passed."""
    existing = Certificate.objects.filter(learner=learner, campaign=campaign).first()
    if existing is not None:
        return existing
    if campaign.status == CampaignStatus.DRAFT or not has_completed(learner, campaign):
        return None
    year = timezone.localdate().year
    for _attempt in range(10):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    learner=learner, campaign=campaign, number=_next_number(year)
                )
        except IntegrityError:
            existing = Certificate.objects.filter(learner=learner, campaign=campaign).first()
            if existing is not None:  # issued by a concurrent request
                return existing
            continue  # the number was taken meanwhile: take the next one
        record(
            actor=None,
            action="awareness.certificate.issue",
            obj=certificate,
            unit=learner.unit,
            object_type="awareness.certificate",
            object_repr=f"{certificate.number} — {learner.name}",
            after={"number": certificate.number, "learner": learner.pk, "campaign": campaign.pk},
        )
        return certificate
    raise RuntimeError("could not number the certificate")  # pragma: no cover


def on_lesson_passed(sender, *, learner: Learner, campaign: Campaign | None = None, **kwargs):
    """``lesson_passed`` receiver: a student's pass counts for their class's campaign."""
    if campaign is None and learner.kind == LearnerKind.STUDENT and learner.class_group_id:
        campaign = learner.class_group.campaign
    if campaign is not None:
        issue_certificate_if_complete(learner=learner, campaign=campaign)

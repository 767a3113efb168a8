"""Reads of campaigns, classes, learners' progress and certificates, scoped by unit.

- The Department (administrators, security officers) sees every campaign, class and number.
- A unit's IT officer or head sees the campaigns that target one of its units (never drafts)
  and, inside them, only its own units' classes, learners and numbers.
- Learners (staff accounts or students in a class) see their own learning only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from lachan.org.models import DATA_ROLES, Role, RoleAssignment, Unit
from lachan.org.selectors import (
    _assignments,
    is_department_staff,
    visible_unit_ids,
    visible_units,
)

from ..models import (
    Attempt,
    Audience,
    Campaign,
    CampaignStatus,
    Certificate,
    ClassGroup,
    Learner,
    LearnerKind,
    Progress,
)
from ..services.campaigns import CLASS_ROLES, target_units, unit_is_targeted

MANAGER_ROLES = frozenset({Role.UNIT_IT, Role.UNIT_HEAD})


# --- campaigns --------------------------------------------------------------------------------


def sees_dashboards(user) -> bool:
    """The Department, and units' IT officers and heads (not plain learners)."""
    return is_department_staff(user) or bool(_assignments(user, DATA_ROLES))


def visible_campaigns(user) -> QuerySet[Campaign]:
    """Every campaign for the Department; for a unit's officers, the non-draft campaigns that
    target one of their units (directly, or through a unit above when it includes sub-units)."""
    if is_department_staff(user):
        return Campaign.objects.all()
    assignments = _assignments(user, DATA_ROLES)
    if not assignments:
        return Campaign.objects.none()
    above: set[int] = set()
    for a in assignments:
        above.update(a.unit.ancestor_ids())
    return (
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .filter(Q(units__in=visible_unit_ids(user)) | Q(include_subunits=True, units__in=above))
        .distinct()
    )


def get_campaign(user, pk: int) -> Campaign:
    """One campaign the user may see; Campaign.DoesNotExist otherwise (a 404)."""
    return visible_campaigns(user).get(pk=pk)


def campaign_lessons(campaign: Campaign) -> list:
    """The campaign's lessons in order (each with ``current_version``)."""
    return [
        cl.lesson
        for cl in campaign.campaign_lessons.select_related(
            "lesson", "lesson__current_version"
        ).order_by("position", "pk")
    ]


def units_in_scope(user, campaign: Campaign) -> QuerySet[Unit]:
    """The campaign's units (with sub-units when it says so) that the user may see."""
    units = target_units(campaign).filter(is_active=True)
    if user is not None and not is_department_staff(user):
        units = units.filter(pk__in=visible_unit_ids(user))
    return units.order_by("path")


def class_units(user, campaign: Campaign) -> QuerySet[Unit]:
    """Units the user may create classes for in this campaign (IT officer, head, Department)."""
    return units_in_scope(user, campaign).filter(pk__in=visible_unit_ids(user, CLASS_ROLES))


def can_manage_classes(user, campaign: Campaign) -> bool:
    return (
        campaign.status == CampaignStatus.ACTIVE
        and Audience.STUDENTS in (campaign.audiences or [])
        and class_units(user, campaign).exists()
    )


# --- classes ----------------------------------------------------------------------------------


def class_groups(user, campaign: Campaign) -> QuerySet[ClassGroup]:
    qs = ClassGroup.objects.filter(campaign=campaign).select_related("unit", "campaign")
    if user is not None and not is_department_staff(user):
        qs = qs.filter(unit__in=visible_unit_ids(user))
    return qs.order_by("unit__path", "name")


def get_class_group(user, pk: int) -> ClassGroup:
    """A class of a unit the user may see; ClassGroup.DoesNotExist otherwise (a 404)."""
    return ClassGroup.objects.select_related("unit", "campaign").get(
        pk=pk, unit__in=visible_unit_ids(user)
    )


def class_learners(class_group: ClassGroup) -> QuerySet[Learner]:
    return Learner.objects.filter(class_group=class_group).order_by("name", "pk")


# --- a learner's own learning -----------------------------------------------------------------


def campaigns_for_learner(learner: Learner | None) -> list[Campaign]:
    """Active campaigns a learner takes part in: a student's class campaign; for a staff
    account, the campaigns for staff that target its unit."""
    if learner is None:
        return []
    if learner.kind == LearnerKind.STUDENT:
        group = learner.class_group
        if group is None or group.campaign.status == CampaignStatus.DRAFT:
            return []
        return [group.campaign]
    unit = learner.unit
    candidates = (
        Campaign.objects.filter(status=CampaignStatus.ACTIVE)
        .filter(Q(units=unit) | Q(include_subunits=True, units__in=unit.ancestor_ids()))
        .distinct()
        .prefetch_related("units")
        .order_by("deadline", "pk")
    )
    return [
        c for c in candidates if Audience.STAFF in (c.audiences or []) and unit_is_targeted(c, unit)
    ]


def campaign_for_learner(learner: Learner | None, campaign_id) -> Campaign | None:
    """The campaign a lesson page or quiz should count for: a student's class campaign
    (whatever the URL says), or one of a staff member's active campaigns by id; else None."""
    if learner is None:
        return None
    campaigns = campaigns_for_learner(learner)
    if learner.kind == LearnerKind.STUDENT:
        return campaigns[0] if campaigns and campaigns[0].status == CampaignStatus.ACTIVE else None
    try:
        wanted = int(campaign_id)
    except (TypeError, ValueError):
        return None
    return next((c for c in campaigns if c.pk == wanted), None)


@dataclass
class LessonStatus:
    lesson: object
    position: int
    status: str  # "new" | "read" | "passed"
    best_score: int
    attempts: int
    passed_at: dt.datetime | None


@dataclass
class LearningCard:
    campaign: Campaign
    lessons: list[LessonStatus]
    certificate: Certificate | None
    passed: int = 0
    total: int = 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.passed == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0


def learning_card(learner: Learner, campaign: Campaign) -> LearningCard:
    lessons = campaign_lessons(campaign)
    progress = {
        p.lesson_id: p
        for p in Progress.objects.filter(
            learner=learner, campaign=campaign, lesson__in=[x.pk for x in lessons]
        )
    }
    rows = []
    for i, lesson in enumerate(lessons, start=1):
        p = progress.get(lesson.pk)
        status = "new"
        if p is not None and p.passed_at:
            status = "passed"
        elif p is not None and (p.read_at or p.attempts):
            status = "read"
        rows.append(
            LessonStatus(
                lesson=lesson,
                position=i,
                status=status,
                best_score=p.best_score if p else 0,
                attempts=p.attempts if p else 0,
                passed_at=p.passed_at if p else None,
            )
        )
    passed = sum(1 for r in rows if r.status == "passed")
    certificate = Certificate.objects.filter(learner=learner, campaign=campaign).first()
    return LearningCard(campaign, rows, certificate, passed=passed, total=len(rows))


def learning_for(learner: Learner | None) -> list[LearningCard]:
    return [learning_card(learner, c) for c in campaigns_for_learner(learner)]


# --- certificates -----------------------------------------------------------------------------


def certificate_for_request(user, learner: Learner | None, pk: int) -> Certificate:
    """A certificate its learner may download (the student's browser, the staff account) or an
    officer who can see the learner's unit; Certificate.DoesNotExist otherwise."""
    cert = Certificate.objects.select_related(
        "learner", "learner__unit", "learner__class_group", "campaign"
    ).get(pk=pk)
    if learner is not None and cert.learner_id == learner.pk:
        return cert
    if getattr(user, "is_authenticated", False):
        if cert.learner.user_id and cert.learner.user_id == user.pk:
            return cert
        if is_department_staff(user):
            return cert
        if visible_units(user).filter(pk=cert.learner.unit_id).exists():
            return cert
    raise Certificate.DoesNotExist


# --- progress report --------------------------------------------------------------------------


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class Counts:
    expected: int = 0
    joined: int = 0
    started: int = 0
    completed: int = 0
    attempts: int = 0
    passed_attempts: int = 0

    @property
    def completion_rate(self) -> int | None:
        return _rate(self.completed, self.expected)

    @property
    def pass_rate(self) -> int | None:
        return _rate(self.passed_attempts, self.attempts)

    def add(self, other: Counts) -> None:
        for name in ("expected", "joined", "started", "completed", "attempts", "passed_attempts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class UnitRow:
    unit: Unit
    staff: Counts = field(default_factory=Counts)
    students: Counts = field(default_factory=Counts)
    classes: int = 0

    @property
    def total(self) -> Counts:
        c = Counts()
        c.add(self.staff)
        c.add(self.students)
        return c


@dataclass
class ClassRow:
    group: ClassGroup
    counts: Counts


@dataclass
class LessonRow:
    lesson: object
    position: int
    read: int = 0
    passed: int = 0
    attempts: int = 0
    passed_attempts: int = 0
    best_scores: list[int] = field(default_factory=list)

    @property
    def average_best(self) -> int | None:
        return round(sum(self.best_scores) / len(self.best_scores)) if self.best_scores else None

    @property
    def pass_rate(self) -> int | None:
        return _rate(self.passed_attempts, self.attempts)


@dataclass
class LearnerRow:
    learner: Learner
    passed: int
    started: bool
    complete: bool
    best_scores: dict[int, int]
    certificate: str


@dataclass
class ProgressReport:
    campaign: Campaign
    lessons: list
    units: list[UnitRow]
    classes: list[ClassRow]
    lesson_rows: list[LessonRow]
    learners: list[LearnerRow]
    total: Counts
    staff_total: Counts
    students_total: Counts


def progress_report(user, campaign: Campaign, *, unit: Unit | None = None) -> ProgressReport:
    """Completion and pass rates of a campaign per unit, class and lesson, and its learners,
    restricted to the units the user may see (``user=None``: the system, every unit), or to
    ``unit`` alone (the unit page).

    Expected staff of a unit: active accounts holding any role at that unit (each unit row
    counts its own people; the units below have rows of their own). Expected students of a
    class: its stated size, else the number who joined.
    """
    lessons = campaign_lessons(campaign)
    lesson_ids = [x.pk for x in lessons]
    n_lessons = len(lesson_ids)
    audiences = set(campaign.audiences or [])
    scope = units_in_scope(user, campaign)
    units = list(scope.filter(pk=unit.pk) if unit is not None else scope)
    unit_ids = [u.pk for u in units]
    rows = {u.pk: UnitRow(unit=u) for u in units}

    if Audience.STAFF in audiences:
        staff_pairs = set(
            RoleAssignment.objects.filter(unit__in=unit_ids, user__is_active=True).values_list(
                "unit_id", "user_id"
            )
        )
        for unit_id, _user_id in staff_pairs:
            rows[unit_id].staff.expected += 1

    learner_q = Q(kind=LearnerKind.STUDENT, class_group__campaign=campaign)
    if Audience.STAFF in audiences:
        learner_q |= Q(kind=LearnerKind.STAFF)
    learner_qs = Learner.objects.filter(learner_q, unit__in=unit_ids)
    learners = list(
        learner_qs.select_related("unit", "class_group").order_by(
            "unit__path", "kind", "name", "pk"
        )
    )
    # A subquery, not a list of ids: a province's campaign has more learners than SQLite
    # accepts as query parameters.
    learner_ids = learner_qs.values("pk")

    progress: dict[int, dict[int, Any]] = defaultdict(dict)
    # Rows as named tuples, not model instances: a province has hundreds of thousands.
    for p in (
        Progress.objects.filter(campaign=campaign, learner__in=learner_ids, lesson__in=lesson_ids)
        .annotate(
            # Only whether, not when: no datetime to convert per row.
            was_read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField()),
            was_passed=ExpressionWrapper(Q(passed_at__isnull=False), output_field=BooleanField()),
        )
        .values_list(
            "learner_id",
            "lesson_id",
            "was_read",
            "was_passed",
            "attempts",
            "best_score",
            named=True,
        )
    ):
        progress[p.learner_id][p.lesson_id] = p
    attempts: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for learner_id, lesson_id, passed in Attempt.objects.filter(
        campaign=campaign,
        learner__in=learner_ids,
        lesson__in=lesson_ids,
        submitted_at__isnull=False,
    ).values_list("learner_id", "lesson_id", "passed"):
        attempts[learner_id].append((lesson_id, passed))
    certificates = dict(
        Certificate.objects.filter(campaign=campaign, learner__in=learner_ids).values_list(
            "learner_id", "number"
        )
    )

    groups = list(class_groups(user, campaign).filter(unit__in=unit_ids))
    class_counts = {g.pk: Counts() for g in groups}
    lesson_rows = {
        lesson.pk: LessonRow(lesson=lesson, position=i) for i, lesson in enumerate(lessons, 1)
    }
    learner_rows = []
    for learner in learners:
        mine = progress.get(learner.pk, {})
        tries = attempts.get(learner.pk, [])
        passed_lessons = sum(1 for p in mine.values() if p.was_passed)
        started = bool(tries) or any(p.was_read or p.attempts for p in mine.values())
        complete = n_lessons > 0 and passed_lessons == n_lessons
        c = Counts(
            joined=1,
            started=int(started),
            completed=int(complete),
            attempts=len(tries),
            passed_attempts=sum(1 for _lesson, ok in tries if ok),
        )
        if learner.kind == LearnerKind.STUDENT:
            rows[learner.unit_id].students.add(c)
            if learner.class_group_id in class_counts:
                class_counts[learner.class_group_id].add(c)
        else:
            c.expected = 0
            rows[learner.unit_id].staff.add(c)
        for lesson_id, p in mine.items():
            lr = lesson_rows[lesson_id]
            lr.read += int(bool(p.was_read or p.attempts))
            lr.passed += int(bool(p.was_passed))
            if p.attempts:
                lr.best_scores.append(p.best_score)
        for lesson_id, ok in tries:
            lesson_rows[lesson_id].attempts += 1
            lesson_rows[lesson_id].passed_attempts += int(ok)
        learner_rows.append(
            LearnerRow(
                learner=learner,
                passed=passed_lessons,
                started=started,
                complete=complete,
                best_scores={lid: p.best_score for lid, p in mine.items() if p.attempts},
                certificate=certificates.get(learner.pk, ""),
            )
        )

    class_rows = []
    for g in groups:
        counts = class_counts[g.pk]
        counts.expected = g.expected_students or counts.joined
        rows[g.unit_id].students.expected += counts.expected
        rows[g.unit_id].classes += 1
        class_rows.append(ClassRow(group=g, counts=counts))
    for row in rows.values():
        # Staff who learned but hold no role at the unit (moved, revoked) still count once.
        row.staff.expected = max(row.staff.expected, row.staff.joined)

    unit_rows = [rows[u.pk] for u in units]
    staff_total, students_total, total = Counts(), Counts(), Counts()
    for row in unit_rows:
        staff_total.add(row.staff)
        students_total.add(row.students)
    total.add(staff_total)
    total.add(students_total)
    return ProgressReport(
        campaign=campaign,
        lessons=lessons,
        units=unit_rows,
        classes=class_rows,
        lesson_rows=list(lesson_rows.values()),
        learners=learner_rows,
        total=total,
        staff_total=staff_total,
        students_total=students_total,
    )


def unit_awareness(user, unit: Unit) -> list[tuple[Campaign, UnitRow]]:
    """The unit's row in each campaign the user may see that targets it (for the unit page)."""
    out = []
    for campaign in visible_campaigns(user).exclude(status=CampaignStatus.DRAFT):
        if unit_is_targeted(campaign, unit):
            # Only this unit's row: the rest of the province is not read.
            report = progress_report(user, campaign, unit=unit)
            row = next((r for r in report.units if r.unit.pk == unit.pk), None)
            if row is not None:
                out.append((campaign, row))
    return out


@dataclass
class CampaignGlance:
    """An active campaign at a glance (for the overview page): cheap counts, no full report."""

    campaign: Campaign
    learners: int
    completed: int


def active_campaigns_at_a_glance(user, limit: int = 3) -> list[CampaignGlance]:
    """The user's active campaigns, soonest deadline first, with how many learners of the
    user's units have started and how many have finished (a certificate) — two counts each."""
    out = []
    campaigns = visible_campaigns(user).filter(status=CampaignStatus.ACTIVE).order_by("deadline")
    for campaign in campaigns[:limit]:
        scope = units_in_scope(user, campaign).values("pk")
        learners = (
            Progress.objects.filter(campaign=campaign, learner__unit__in=scope)
            .values("learner")
            .distinct()
            .count()
        )
        completed = Certificate.objects.filter(campaign=campaign, learner__unit__in=scope).count()
        out.append(CampaignGlance(campaign=campaign, learners=learners, completed=completed))
    return out

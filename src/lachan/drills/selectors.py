"""Reads of phishing drills, scoped to what the user may see.

Department officers see every drill, its recipients and its results. A unit's IT officer or
head sees a drill only once it has finished, and only the aggregated results of the units
they may see — never who did what, never while it runs, never another unit. Learners
(teachers, staff) see no drill results.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from lachan.org.models import Unit
from lachan.org.selectors import is_department_staff, visible_unit_ids

from .models import Drill, DrillRecipient, DrillStatus, DrillTemplate

STAGES = (
    ("recipients", None),
    ("sent", "sent_at"),
    ("opened", "opened_at"),
    ("clicked", "clicked_at"),
    ("submitted", "submitted_at"),
    ("reported", "reported_at"),
    ("completed", "lesson_completed_at"),
)


def can_manage(user) -> bool:
    return is_department_staff(user)


def drills_for(user) -> QuerySet[Drill]:
    """Drills the user may see: all for Department officers; for unit roles, finished drills
    that reached one of their units."""
    qs = Drill.objects.select_related("template", "created_by", "approved_by")
    if is_department_staff(user):
        return qs
    reached = DrillRecipient.objects.filter(drill=OuterRef("pk"), unit__in=visible_unit_ids(user))
    return qs.filter(status=DrillStatus.FINISHED).filter(Exists(reached))


def get_drill(user, pk: int) -> Drill:
    """One drill the user may see; Drill.DoesNotExist otherwise (a 404)."""
    return drills_for(user).get(pk=pk)


def get_managed_drill(user, pk: int) -> Drill:
    """One drill for the Department's management pages; DoesNotExist for anyone else."""
    if not is_department_staff(user):
        raise Drill.DoesNotExist
    return Drill.objects.select_related(
        "template", "created_by", "approved_by", "follow_up_lesson"
    ).get(pk=pk)


def templates_for(user) -> QuerySet[DrillTemplate]:
    if not is_department_staff(user):
        return DrillTemplate.objects.none()
    return DrillTemplate.objects.all()


def _stage_counts(qs: QuerySet[DrillRecipient], group: list[str] | None = None):
    aggregates = {
        name: (
            Count("pk") if column is None else Count("pk", filter=Q(**{f"{column}__isnull": False}))
        )
        for name, column in STAGES
    }
    if group:
        return qs.values(*group).annotate(**aggregates).order_by("unit__path")
    return qs.aggregate(**aggregates)


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    total = row.get("recipients") or 0
    sent = row.get("sent") or 0
    base = sent or total
    row["rates"] = {
        name: (round(100 * (row.get(name) or 0) / base, 1) if base else 0.0)
        for name, _column in STAGES
        if name not in ("recipients",)
    }
    row["rates"]["sent"] = round(100 * sent / total, 1) if total else 0.0
    return row


def _recipients_visible(user, drill: Drill) -> QuerySet[DrillRecipient]:
    qs = DrillRecipient.objects.filter(drill=drill)
    if is_department_staff(user):
        return qs
    if drill.status != DrillStatus.FINISHED:
        return qs.none()
    return qs.filter(unit__in=visible_unit_ids(user))


def results_by_unit(user, drill: Drill) -> list[dict[str, Any]]:
    """Per unit: recipients, sent, opened, clicked, would-have-submitted, reported, completed
    the follow-up lesson, with rates (of the e-mails sent)."""
    rows = _stage_counts(
        _recipients_visible(user, drill),
        ["unit_id", "unit__name", "unit__short_name", "unit__code", "unit__path"],
    )
    return [_with_rates(dict(r)) for r in rows]


def results_total(user, drill: Drill) -> dict[str, Any]:
    return _with_rates(dict(_stage_counts(_recipients_visible(user, drill))))


def recipients_of(user, drill: Drill) -> QuerySet[DrillRecipient]:
    """Who received what and what they did — Department officers only."""
    if not is_department_staff(user):
        return DrillRecipient.objects.none()
    return (
        DrillRecipient.objects.filter(drill=drill)
        .select_related("user", "unit")
        .order_by("unit__path", "email")
    )


def units_of(drill: Drill) -> QuerySet[Unit]:
    return drill.units.order_by("path")


def drill_counts(drill_ids: list[int]) -> dict[int, dict[str, int]]:
    """Recipients and sent e-mails per drill, for the Department's list."""
    rows = (
        DrillRecipient.objects.filter(drill_id__in=drill_ids)
        .values("drill_id")
        .annotate(
            recipients=Count("pk"),
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            reported=Count("pk", filter=Q(reported_at__isnull=False)),
        )
    )
    return {r["drill_id"]: r for r in rows}


def hide_unfinished_drill_mail(qs):
    """Keep a drill's e-mails out of the notification listings until the drill has finished
    (registered with ``notifications.selectors``): a unit officer browsing the outbox must
    not learn of a running drill."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from .services import DRILL_EVENT

    unfinished = (
        DrillRecipient.objects.exclude(drill__status=DrillStatus.FINISHED)
        .annotate(pk_text=Cast("pk", CharField()))
        .values("pk_text")
    )
    return qs.exclude(event=DRILL_EVENT, object_id__in=unfinished)

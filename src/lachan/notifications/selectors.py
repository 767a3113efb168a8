"""Reads of notifications, scoped like the objects they are about."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet

from lachan.org.selectors import can_see_unit, is_department_staff, visible_unit_ids

from .models import Notification
from .services import DEPARTMENT_EVENTS

# Filters other apps register to keep some messages out of every listing for a while (a
# phishing drill's e-mails until the drill has finished): each takes and returns a queryset.
LISTING_EXCLUSIONS: list[Callable[[QuerySet[Notification]], QuerySet[Notification]]] = []


def register_listing_exclusion(
    exclusion: Callable[[QuerySet[Notification]], QuerySet[Notification]],
) -> None:
    """Hide matching notifications from ``notifications_for``/``notifications_of`` (call it
    from an AppConfig.ready)."""
    if exclusion not in LISTING_EXCLUSIONS:
        LISTING_EXCLUSIONS.append(exclusion)


def _hide_department_mail(user, qs: QuerySet[Notification]) -> QuerySet[Notification]:
    """Unit users see what was sent to their unit, not the Department officers' mail."""
    for exclusion in LISTING_EXCLUSIONS:
        qs = exclusion(qs)
    if is_department_staff(user):
        return qs
    return qs.exclude(event__in=DEPARTMENT_EVENTS)


def notifications_for(
    user, *, unit_id: int | None = None, status: str = "", event: str = ""
) -> QuerySet[Notification]:
    """Notifications about the units the user may see, newest first."""
    qs = Notification.objects.filter(unit__in=visible_unit_ids(user)).select_related("unit")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if status:
        qs = qs.filter(status=status)
    if event:
        qs = qs.filter(event=event)
    return _hide_department_mail(user, qs)


def notifications_of(user, obj: Model) -> QuerySet[Notification]:
    """Notifications about one object (e.g. a task), or none when the user may not see it.

    The object is visible when its unit (``obj.unit``) is; an object without a unit is
    visible to Department officers only.
    """
    unit = getattr(obj, "unit", None)
    allowed = can_see_unit(user, unit) if unit is not None else is_department_staff(user)
    if not allowed:
        return Notification.objects.none()
    qs = Notification.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return _hide_department_mail(user, qs)

from __future__ import annotations

from django.db.models import QuerySet

from lachan.org.selectors import is_department_admin

from .models import AuditLog


def audit_log_for(
    user,
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    unit_id: int | None = None,
    date_from=None,
    date_to=None,
    q: str = "",
) -> QuerySet[AuditLog]:
    """Audit records a user may browse: all of them for Department administrators, none otherwise."""
    if not is_department_admin(user):
        return AuditLog.objects.none()
    qs = AuditLog.objects.select_related("unit")
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    if q:
        qs = qs.filter(object_repr__icontains=q)
    return qs


def history_of(obj) -> QuerySet[AuditLog]:
    """Audit records of one object, oldest first (a timeline). Callers check access to obj."""
    return AuditLog.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("at", "id")


def audit_filter_choices(user) -> dict[str, list[str]]:
    """The distinct actions and object types present, for the filter drop-downs."""
    if not is_department_admin(user):
        return {"actions": [], "object_types": []}
    base = AuditLog.objects.order_by()
    return {
        "actions": sorted(set(base.values_list("action", flat=True).distinct())),
        "object_types": sorted(
            t for t in set(base.values_list("object_type", flat=True).distinct()) if t
        ),
    }


def actions_by(user, target_user, *, limit: int = 20) -> QuerySet[AuditLog]:
    """The latest audit records made by ``target_user``; Department administrators only."""
    if not is_department_admin(user):
        return AuditLog.objects.none()
    return AuditLog.objects.filter(actor_id=target_user.pk).select_related("unit")[:limit]


def unit_history(user, unit, *, limit: int = 20) -> QuerySet[AuditLog]:
    """The latest audit records about a unit's own record; Department administrators only."""
    if not is_department_admin(user):
        return AuditLog.objects.none()
    return AuditLog.objects.filter(object_type="org.unit", object_id=str(unit.pk))[:limit]

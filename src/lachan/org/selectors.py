"""Reads of units and people, always scoped to what the user may see.

Every other app's selectors build on ``visible_units`` / ``visible_unit_ids``: this is
the single place that decides unit isolation.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .models import DATA_ROLES, DEPARTMENT_ROLES, Role, RoleAssignment, Unit


def _assignments(user, roles) -> list[RoleAssignment]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = getattr(user, "_lachan_assignments", None)
    if cache is None:
        cache = list(RoleAssignment.objects.filter(user=user).select_related("unit"))
        user._lachan_assignments = cache
    return [a for a in cache if a.role in roles]


def _paths(user, roles) -> list[str]:
    return [a.unit.path for a in _assignments(user, roles)]


def visible_units(user, roles=DATA_ROLES) -> QuerySet[Unit]:
    """Units whose data the user may read: the subtrees of their role assignments."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Unit.objects.all()
    paths = _paths(user, roles)
    if not paths:
        return Unit.objects.none()
    return Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))


def visible_unit_ids(user, roles=DATA_ROLES) -> QuerySet:
    return visible_units(user, roles).values("pk")


def can_see_unit(user, unit: Unit, roles=DATA_ROLES) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(unit.path.startswith(p) for p in _paths(user, roles))


def has_role_over(user, unit: Unit, roles) -> bool:
    """True when the user holds one of ``roles`` on ``unit`` or an ancestor of it."""
    return can_see_unit(user, unit, roles)


def is_department_admin(user) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(a.unit.parent_id is None for a in _assignments(user, {Role.DEPT_ADMIN}))


def is_department_staff(user) -> bool:
    """Department administrators and security officers (roles that verify and dispatch)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(_assignments(user, DEPARTMENT_ROLES))


def roles_of(user) -> set[str]:
    return {a.role for a in _assignments(user, set(Role.values))}


def unit_tree(user) -> list[Unit]:
    """Visible units in tree order (by path), each with ``tree_depth`` relative to the top shown."""
    units = list(visible_units(user).order_by("path"))
    if not units:
        return []
    min_depth = min(u.depth for u in units)
    for u in units:
        u.tree_depth = u.depth - min_depth
    return units


def get_unit(user, *, pk: int | None = None, code: str | None = None) -> Unit:
    """One unit the user may see; raises Unit.DoesNotExist otherwise (a 404, never a 403 leak)."""
    qs = visible_units(user)
    return qs.get(pk=pk) if pk is not None else qs.get(code=code)


def search_units(
    user, q: str = "", *, unit_type: str = "", active: bool | None = None
) -> QuerySet[Unit]:
    qs = visible_units(user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(short_name__icontains=q))
    if unit_type:
        qs = qs.filter(type=unit_type)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("path")


def visible_users(user) -> QuerySet:
    """People the user may see: those holding a role inside the user's visible units."""
    User = get_user_model()
    if getattr(user, "is_superuser", False) and user.is_active:
        return User.objects.all().order_by("username")
    ids = visible_unit_ids(user)
    return (
        User.objects.filter(Q(role_assignments__unit__in=ids) | Q(pk=user.pk))
        .distinct()
        .order_by("username")
    )


def assignments_of(user, target_user) -> QuerySet[RoleAssignment]:
    """Role assignments of ``target_user`` that ``user`` may see."""
    return RoleAssignment.objects.filter(
        user=target_user, unit__in=visible_unit_ids(user)
    ).select_related("unit")


def primary_unit(user) -> Unit | None:
    """The highest unit the user is assigned to, for defaults in forms and the header."""
    assignments = _assignments(user, set(Role.values))
    if not assignments:
        return None
    return min((a.unit for a in assignments), key=lambda u: u.depth)


def api_tokens_of(user) -> QuerySet:
    """The user's own API tokens (nobody sees another person's tokens here)."""
    from .models import ApiToken

    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def assignments_at_unit(user, unit: Unit) -> QuerySet[RoleAssignment]:
    """Role assignments held at ``unit`` itself, if the user may see that unit."""
    return (
        RoleAssignment.objects.filter(unit=unit, unit__in=visible_unit_ids(user))
        .select_related("user", "unit")
        .order_by("role", "user__username")
    )


def get_assignment(user, pk: int) -> RoleAssignment:
    """One role assignment at a unit the user may see; RoleAssignment.DoesNotExist otherwise."""
    return RoleAssignment.objects.select_related("user", "unit").get(
        pk=pk, unit__in=visible_unit_ids(user)
    )


def _people_base(user) -> QuerySet:
    """visible_users, plus — for Department administrators — people holding no role yet
    (just created, or every role revoked): only the Department can manage them."""
    qs = visible_users(user)
    if is_department_admin(user) and not getattr(user, "is_superuser", False):
        User = get_user_model()
        qs = (
            User.objects.filter(Q(pk__in=qs.values("pk")) | Q(role_assignments__isnull=True))
            .distinct()
            .order_by("username")
        )
    return qs


def get_person(user, pk: int):
    """One person the user may see (see ``people_for``); User.DoesNotExist otherwise."""
    return _people_base(user).get(pk=pk)


def people_for(
    user,
    *,
    q: str = "",
    unit: Unit | None = None,
    role: str = "",
    active: bool | None = None,
) -> QuerySet:
    """``visible_users`` filtered, each with ``visible_roles``: only the assignments the user may see."""
    from django.db.models import Prefetch

    visible_ids = visible_unit_ids(user)
    qs = _people_base(user)
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if unit is not None or role:
        held = RoleAssignment.objects.filter(unit__in=visible_ids)
        if unit is not None:
            held = held.filter(unit__path__startswith=unit.path)
        if role:
            held = held.filter(role=role)
        qs = qs.filter(pk__in=held.values("user"))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.filter(unit__in=visible_ids)
            .select_related("unit")
            .order_by("unit__path", "role"),
            to_attr="visible_roles",
        )
    )


def manageable_users(user) -> QuerySet:
    """User accounts a Department administrator manages: every account, including those that
    hold no role yet (so one can be given); nobody else manages accounts."""
    if not is_department_admin(user):
        return get_user_model().objects.none()
    return get_user_model().objects.all().order_by("username")

from __future__ import annotations


def navigation(request):
    """Who is logged in and what they may reach, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from lachan.org.selectors import (
        is_department_admin,
        is_department_staff,
        primary_unit,
        roles_of,
    )

    return {
        "nav_is_department_admin": is_department_admin(user),
        "nav_is_department_staff": is_department_staff(user),
        "nav_roles": roles_of(user),
        "nav_unit": primary_unit(user),
    }

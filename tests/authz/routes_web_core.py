"""Routes of the web shell (sign-in, account, dashboard), the unit and people pages and the audit log."""

from __future__ import annotations

from .spec import RouteSpec

ROUTES: dict[str, RouteSpec] = {
    # --- web shell ---------------------------------------------------------------------------
    "healthz": RouteSpec("public", note="plain 'ok' plus a database check"),
    "login": RouteSpec("public"),
    "set_language": RouteSpec(
        "public", method="POST", data=lambda w: {"language": "vi", "next": "/"}
    ),
    "logout": RouteSpec("own", method="POST", data=lambda w: {}),
    "dashboard": RouteSpec(
        "authenticated", note="counts, chart and table over the user's visible units only"
    ),
    "account": RouteSpec("own"),
    "password_change": RouteSpec(
        "own", method="POST", data=lambda w: {}, note="empty form: re-rendered with errors"
    ),
    "api_token_issue": RouteSpec("own", method="POST", data=lambda w: {"name": "ma-tran-web"}),
    "api_token_revoke": RouteSpec(
        "own",
        method="POST",
        kwargs=lambda w: {"pk": w.b.token.pk},
        data=lambda w: {},
        note="school B's token: 404 for everyone but its owner (tokens are never shared)",
    ),
    "two_factor_verify": RouteSpec("own"),
    "two_factor_setup": RouteSpec("own"),
    "two_factor_remove": RouteSpec("own", method="POST", data=lambda w: {"code": "000000"}),
    # --- units ------------------------------------------------------------------------------
    "unit_list": RouteSpec("authenticated", note="tree and search over visible units"),
    "unit_detail": RouteSpec("object", kwargs=lambda w: {"pk": w.b.unit.pk}),
    "unit_create": RouteSpec("department_admin"),
    "unit_edit": RouteSpec("department_admin", kwargs=lambda w: {"pk": w.b.unit.pk}),
    "unit_retire": RouteSpec(
        "department_admin",
        method="POST",
        kwargs=lambda w: {"pk": w.b.unit.pk},
        data=lambda w: {"valid_to": "31/12/2025"},
    ),
    "unit_import": RouteSpec("department_admin"),
    "unit_export": RouteSpec("authenticated", note="CSV by default; scoped to visible units"),
    # --- people -----------------------------------------------------------------------------
    "user_list": RouteSpec("authenticated", note="people holding roles in visible units"),
    "user_detail": RouteSpec("object", kwargs=lambda w: {"pk": w.b.user.pk}),
    "user_create": RouteSpec("department_admin"),
    "role_assign": RouteSpec(
        "department_admin",
        method="POST",
        kwargs=lambda w: {"pk": w.b.user.pk},
        data=lambda w: {"unit": w.b.unit.pk, "role": "unit_head"},
    ),
    "role_revoke": RouteSpec(
        "department_admin",
        method="POST",
        kwargs=lambda w: {"pk": w.b.assignment.pk},
        data=lambda w: {},
    ),
    "user_deactivate": RouteSpec(
        "department_admin", method="POST", kwargs=lambda w: {"pk": w.b.user.pk}, data=lambda w: {}
    ),
    "user_activate": RouteSpec(
        "department_admin", method="POST", kwargs=lambda w: {"pk": w.b.user.pk}, data=lambda w: {}
    ),
    "user_reset_2fa": RouteSpec(
        "department_admin", method="POST", kwargs=lambda w: {"pk": w.b.user.pk}, data=lambda w: {}
    ),
    # --- audit log --------------------------------------------------------------------------
    "audit_log": RouteSpec("department_admin"),
    "audit_export": RouteSpec("department_admin", leak_check=False, note="streamed CSV"),
}

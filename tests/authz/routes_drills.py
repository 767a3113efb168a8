"""Routes of phishing drills.

Management pages and actions are the Department's. School B's finished drill (sent only to
B) is the object of the results routes: a school-A user gets a 404, as for a drill that does
not exist. The tracking routes are public (the token is the key) and point at B's recipient;
they show the e-mail with neutral placeholders, so no school-B name. Actions on B's finished
drill answer the Department with a redirect and an error message (its state allows nothing).
"""

from __future__ import annotations

from .spec import RouteSpec


def _drill(w):
    return {"pk": w.b.drill.pk}


def _template(w):
    return {"pk": w.b.drill_template.pk}


def _token(w):
    return {"token": w.b.drill_recipient.token}


def _post(kind="department", data=None):
    return RouteSpec(kind, method="POST", kwargs=_drill, data=data or (lambda w: {}))


ROUTES: dict[str, RouteSpec] = {
    "drill_list": RouteSpec(
        "authenticated", note="Department: all; unit roles: finished drills of their units"
    ),
    "drill_create": RouteSpec("department"),
    "drill_template_preview": RouteSpec("department", note="HTMX fragment; ?template=<id>"),
    "drill_detail": RouteSpec("department", kwargs=_drill),
    "drill_edit": RouteSpec("department", kwargs=_drill, note="a finished drill: redirect"),
    "drill_recipients": RouteSpec("department", kwargs=_drill),
    "drill_submit": _post(),
    "drill_approve": _post(),
    "drill_return": _post(data=lambda w: {"reason": "Ma trận phân quyền"}),
    "drill_start": _post(),
    "drill_cancel": _post(),
    "drill_finish": _post(),
    "drill_results": RouteSpec("object", kwargs=_drill, note="units: own rows, once finished"),
    "drill_export": RouteSpec("object", kwargs=_drill, leak_check=False, note="XLSX (binary)"),
    "drill_template_list": RouteSpec("department"),
    "drill_template_create": RouteSpec("department"),
    "drill_template_detail": RouteSpec("department", kwargs=_template),
    "drill_template_edit": RouteSpec("department", kwargs=_template),
    "drill_open": RouteSpec("public", kwargs=_token, note="1×1 GIF"),
    "drill_click": RouteSpec("public", kwargs=_token, note="the lure page"),
    "drill_learn": RouteSpec("public", kwargs=_token, note="the teaching page"),
    "drill_report": RouteSpec("authenticated"),
    "api:drills_list": RouteSpec("authenticated"),
    "api:drills_results": RouteSpec("object", kwargs=lambda w: {"drill_id": w.b.drill.pk}),
    "api:drills_report": RouteSpec(
        "authenticated",
        method="POST",
        data=lambda w: {"message": f"http://127.0.0.1:8000/dt/c/{w.b.drill_recipient.token}/"},
        note="B's token counts for nobody else: school A is told it is not a drill",
    ),
}

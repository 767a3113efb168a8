"""Routes of awareness campaigns, classes, the student join page and certificates (spec.py).

The world has one active campaign for every unit (staff and students), a class at school A
and one at school B whose student passed and holds a certificate. School A sees the campaign
with its own units, classes and numbers only — never B's class, code, student or certificate;
a plain learner sees no campaign page. Creating and changing campaigns is the Department's.
The join page, "my learning" and leaving are public (students have no account).
"""

from __future__ import annotations

from .spec import RouteSpec

NO_LEARNER = {"denied_roles": {"learner"}}


def _campaign(w):
    return {"pk": w.a.campaign.pk}


def _b_class(w):
    return {"pk": w.b.class_group.pk}


ROUTES: dict[str, RouteSpec] = {
    "awareness_campaign_list": RouteSpec("authenticated", extra=NO_LEARNER),
    "awareness_campaign_create": RouteSpec("department"),
    "awareness_campaign_detail": RouteSpec(
        "authenticated", kwargs=_campaign, extra=NO_LEARNER, note="A sees its own units only"
    ),
    "awareness_campaign_edit": RouteSpec("department", kwargs=_campaign),
    "awareness_campaign_transition": RouteSpec(
        "department",
        method="POST",
        kwargs=lambda w: {"pk": w.a.campaign.pk, "action": "close"},
        data=lambda w: {},
    ),
    "awareness_campaign_dashboard": RouteSpec(
        "authenticated", kwargs=_campaign, extra=NO_LEARNER, note="numbers of A's units only"
    ),
    "awareness_campaign_export": RouteSpec(
        "authenticated",
        kwargs=_campaign,
        extra=NO_LEARNER,
        note="XLSX (zipped: the text check is blind there; tests/awareness parse it)",
    ),
    "awareness_class_create": RouteSpec(
        "authenticated", kwargs=_campaign, extra=NO_LEARNER, note="A's units in the unit list"
    ),
    "awareness_class_detail": RouteSpec("object", kwargs=_b_class),
    "awareness_class_regenerate": RouteSpec(
        "object", method="POST", kwargs=_b_class, data=lambda w: {}
    ),
    "awareness_class_toggle": RouteSpec(
        "object", method="POST", kwargs=_b_class, data=lambda w: {"open": "0"}
    ),
    "awareness_class_update": RouteSpec(
        "object", method="POST", kwargs=_b_class, data=lambda w: {"expected_students": "31"}
    ),
    "awareness_class_sheet": RouteSpec("object", kwargs=_b_class),
    "awareness_join": RouteSpec("public", extra={"queries": [{"ma": "ABCD-EFGH"}]}),
    "awareness_my_learning": RouteSpec("public", note="anonymous: to the join page"),
    "awareness_leave": RouteSpec("public", method="POST", data=lambda w: {}),
    "awareness_certificate": RouteSpec(
        "object", kwargs=lambda w: {"pk": w.b.certificate.pk}, note="B's student's PDF"
    ),
    "api:awareness_campaigns_list": RouteSpec("authenticated", extra=NO_LEARNER),
    "api:awareness_campaign_detail": RouteSpec(
        "authenticated", kwargs=lambda w: {"campaign_id": w.a.campaign.pk}, extra=NO_LEARNER
    ),
    "api:awareness_campaign_progress": RouteSpec(
        "authenticated", kwargs=lambda w: {"campaign_id": w.a.campaign.pk}, extra=NO_LEARNER
    ),
    "api:awareness_class_groups_create": RouteSpec(
        "authenticated",
        method="POST",
        kwargs=lambda w: {"campaign_id": w.a.campaign.pk},
        data=lambda w: {"unit_id": w.a.unit.pk, "name": "10A-Moi"},
        extra=NO_LEARNER,
    ),
}

"""Routes of the botnet IP lists (intel): pages, exports and documents, see spec.py.

The world has two lists of October 2026: school B's (B's address by B's prefix, a name
proposal for B, a rejected row; its file name, addresses and subscriber are school-B names)
and school A's own. School A sees its list, the month and its own counts — never B's list,
rows, units, notice or counts. Importing, reviewing and confirming name matches and the
province summary are the Department's; a learner sees no list and no month.
"""

from __future__ import annotations

from .conftest import BOTNET_PERIOD
from .spec import RouteSpec

NO_LEARNER = {"denied_roles": {"learner"}}


def _period(w):
    return {"period": BOTNET_PERIOD}


ROUTES: dict[str, RouteSpec] = {
    "botnet_list_index": RouteSpec(
        "authenticated",
        note="lists with the user's rows, grouped by month; a unit's own counts",
        extra={"queries": [{"period": "2026-10"}, {"period": "2026-13"}]},
    ),
    "botnet_import": RouteSpec("department"),
    "botnet_list_detail": RouteSpec("object", kwargs=lambda w: {"pk": w.b.botnet_list.pk}),
    "botnet_name_review": RouteSpec("department"),
    "botnet_confirm_name": RouteSpec(
        "department",
        method="POST",
        kwargs=lambda w: {"pk": w.b.botnet_name_row.pk},
        data=lambda w: {},
        note="a name proposal for school B",
    ),
    "botnet_period": RouteSpec(
        "authenticated",
        kwargs=_period,
        note="the month of both lists: A sees its own units, lists and counts",
        extra=NO_LEARNER,
    ),
    "botnet_period_export": RouteSpec(
        "authenticated",
        kwargs=_period,
        extra={**NO_LEARNER, "queries": [{"format": "json"}, {"format": "csv"}]},
    ),
    "botnet_unit_notice": RouteSpec(
        "object",
        kwargs=lambda w: {"period": BOTNET_PERIOD, "unit_pk": w.b.unit.pk, "fmt": "docx"},
    ),
    "botnet_summary": RouteSpec(
        "department",
        kwargs=lambda w: {"period": BOTNET_PERIOD, "fmt": "xlsx"},
    ),
}

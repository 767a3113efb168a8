"""API routes of the botnet IP lists (``/api/v1/intel/``), see spec.py and routes_intel.py.

School A sees its own list, rows, month and history — never B's list (404), B's rows,
units, counts or history (404). Importing, the review queue and confirming a name match are
the Department's (403 for everyone else).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from .spec import RouteSpec

PERIOD = "2026-10"


def _upload(w):
    text = "Địa chỉ IP,Tên mã độc\r\n198.51.100.99,Mirai\r\n"
    return {
        "file": SimpleUploadedFile("ds-thu.csv", text.encode(), content_type="text/csv"),
        "period": "2026-09",
    }


ROUTES: dict[str, RouteSpec] = {
    "api:intel_botnet_lists": RouteSpec(
        "authenticated", extra={"queries": [{"period": PERIOD}, {"period": "2026-13"}]}
    ),
    "api:intel_botnet_list_detail": RouteSpec(
        "object", kwargs=lambda w: {"list_id": w.b.botnet_list.pk}
    ),
    "api:intel_botnet_import": RouteSpec(
        "department", method="POST", data=_upload, extra={"multipart": True}
    ),
    "api:intel_botnet_period_matches": RouteSpec(
        "authenticated", kwargs=lambda w: {"period": PERIOD}, note="A's own rows only"
    ),
    "api:intel_botnet_period_units": RouteSpec(
        "authenticated", kwargs=lambda w: {"period": PERIOD}, note="A's own units only"
    ),
    "api:intel_botnet_review": RouteSpec("department"),
    "api:intel_botnet_confirm": RouteSpec(
        "department",
        method="POST",
        kwargs=lambda w: {"row_id": w.b.botnet_name_row.pk},
        data=lambda w: {},
    ),
    "api:intel_botnet_unit_history": RouteSpec("object", kwargs=lambda w: {"unit_id": w.b.unit.pk}),
}

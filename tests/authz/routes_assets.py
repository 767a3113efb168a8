"""Routes of the network registry (assets): pages and API, see spec.py.

Object routes point at school B's network (``w.b.network``, subscriber "Thuê bao Quasar-B7",
prefix 198.51.100.0/24 — both count as school-B names). Creating and importing networks is
for those who may write some unit's networks: the Department's roles and the unit IT
officer; a unit head (read only) and a learner get 403. A school-A IT officer creating a
network for school B's unit code gets 422 (no such unit in their scope), B unchanged.
"""

from __future__ import annotations

from .spec import RouteSpec

READ_ONLY = {"denied_roles": {"unit_head", "learner"}}


def _network(w):
    return {"pk": w.b.network.pk}


def _api_network(w):
    return {"network_id": w.b.network.pk}


ROUTES: dict[str, RouteSpec] = {
    # --- pages --------------------------------------------------------------------------------
    "network_list": RouteSpec(
        "authenticated",
        note="visible networks, filters, overlap warnings among visible networks only",
        extra={
            "queries": [
                {"address": "198.51.100.7"},
                {"address": "198.51.100.9/24", "line_type": "other"},
                {"active_on": "01/01/2026", "isp": ""},
                {"q": "198.51.100"},
            ]
        },
    ),
    "network_export": RouteSpec(
        "authenticated",
        note="CSV by default; the list's filters",
        extra={
            "queries": [
                {"format": "csv", "q": "Quasar"},
                {"format": "json", "address": "198.51.100.7"},
                {"format": "json"},
            ]
        },
    ),
    "network_create": RouteSpec("authenticated", extra=READ_ONLY),
    "network_import": RouteSpec("authenticated", extra=READ_ONLY),
    "network_edit": RouteSpec("object", kwargs=_network),
    "network_delete": RouteSpec("object", method="POST", kwargs=_network, data=lambda w: {}),
    # --- API ----------------------------------------------------------------------------------
    "api:assets_networks_list": RouteSpec(
        "authenticated",
        extra={
            "queries": [
                {"address": "198.51.100.7"},
                {"q": "198.51.100", "include_subtree": "false"},
                {"active_on": "2026-01-01"},
            ]
        },
    ),
    "api:assets_networks_overlaps": RouteSpec("authenticated"),
    "api:assets_networks_detail": RouteSpec("object", kwargs=_api_network),
    "api:assets_networks_create": RouteSpec(
        "authenticated",
        method="POST",
        data=lambda w: {"unit_code": w.b.unit.code, "prefix": "192.0.2.0/28", "isp": "VNPT"},
        extra=READ_ONLY,
    ),
    "api:assets_networks_update": RouteSpec(
        "object",
        method="PATCH",
        kwargs=_api_network,
        data=lambda w: {"note": "Sửa thử từ ma trận phân quyền"},
    ),
    "api:assets_networks_delete": RouteSpec("object", method="DELETE", kwargs=_api_network),
}

"""/api/v1/assets/networks/: list with filters, detail, create, update, delete, overlaps."""

from __future__ import annotations

import pytest

from api.conftest import ApiClient
from lachan.assets.models import Network
from lachan.audit.models import AuditLog

from .conftest import A_PREFIX, B_PREFIX

pytestmark = pytest.mark.django_db
BASE = "assets/networks/"


@pytest.fixture
def api_as(db):
    from lachan.org.services import issue_api_token

    def _make(user) -> ApiClient:
        if user is None:
            return ApiClient(None)
        _token, key = issue_api_token(actor=None, user=user, name="kiem-thu")
        return ApiClient(key)

    return _make


def test_list_is_scoped_paginated_and_filtered(api_as, tree, networks, dept_officer, it_a):
    api = api_as(dept_officer)
    data = api.get(BASE).json()
    assert data["count"] == 3 and len(data["items"]) == 3
    item = next(i for i in data["items"] if i["prefix"] == B_PREFIX)
    assert item["unit"] == {"id": tree.b.pk, "code": "THPT-B", "name": "Trường THPT Nguyễn Trãi"}
    assert item["line_type"] == "leased" and item["line_type_label"] == "Kênh thuê riêng"
    assert item["valid_from"] == "2025-01-01" and item["public"] is True
    assert [i["prefix"] for i in api.get(BASE, {"address": "14.160.20.1"}).json()["items"]] == [
        B_PREFIX
    ]
    assert api.get(BASE, {"unit_id": tree.cum.pk}).json()["count"] == 1
    assert api.get(BASE, {"unit_id": tree.cum.pk, "include_subtree": "false"}).json()["count"] == 0
    assert api.get(BASE, {"line_type": "mobile"}).json()["count"] == 1
    assert api.get(BASE, {"active_on": "2024-06-01"}).json()["count"] == 2
    assert api.get(BASE, {"isp": "vnpt"}).json()["count"] == 1

    mine = api_as(it_a).get(BASE, {"unit_id": tree.b.pk}).json()
    assert mine == {"items": [], "count": 0}
    mine = api_as(it_a).get(BASE).json()
    assert [i["prefix"] for i in mine["items"]] == [A_PREFIX] and mine["count"] == 1


def test_detail_is_404_outside_the_scope(api_as, networks, it_a):
    api = api_as(it_a)
    assert api.get(f"{BASE}{networks['a'].pk}/").json()["prefix"] == A_PREFIX
    response = api.get(f"{BASE}{networks['b'].pk}/")
    assert response.status_code == 404 and "Nguyễn Trãi" not in response.content.decode()


def test_create_by_unit_code_with_canonical_prefix_and_audit(api_as, tree, it_a):
    response = api_as(it_a).post(
        BASE, {"unit_code": "THPT-A", "prefix": "14.160.10.9", "isp": "VNPT", "line_type": "ftth"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["prefix"] == "14.160.10.9/32" and body["version"] == 4 and body["is_static"]
    assert AuditLog.objects.get(action="network.create").actor.username == "it_a"


def test_create_errors(api_as, tree, it_a, head_a):
    api = api_as(it_a)
    response = api.post(BASE, {"unit_code": "THPT-A", "prefix": "14.160.10.9/24"})
    assert response.status_code == 422
    assert "14.160.10.0/24" in response.json()["errors"]["prefix"][0]
    response = api.post(BASE, {"unit_code": "THPT-B", "prefix": "14.160.10.0/24"})
    assert response.status_code == 422 and response.json()["errors"] == {
        "unit_code": ["Không tìm thấy đơn vị."]
    }
    response = api.post(BASE, {"unit_code": "THPT-A", "prefix": "14.160.10.0/24", "colour": "x"})
    assert response.status_code == 422 and "colour" in response.json()["errors"]
    assert (
        api_as(head_a).post(BASE, {"unit_code": "THPT-A", "prefix": "14.160.10.0/24"}).status_code
        == 403
    )
    assert (
        api_as(None).post(BASE, {"unit_code": "THPT-A", "prefix": "14.160.10.0/24"}).status_code
        == 401
    )
    assert not Network.objects.exists()


def test_update_move_and_delete(api_as, tree, networks, it_a, dept_officer):
    a = networks["a"]
    api = api_as(it_a)
    response = api.patch(f"{BASE}{a.pk}/", {"valid_to": "2025-06-30", "note": "Hết hợp đồng"})
    assert response.status_code == 200 and response.json()["valid_to"] == "2025-06-30"
    assert response.json()["isp"] == "VNPT"  # absent fields stay
    assert api.patch(f"{BASE}{a.pk}/", {"prefix": None}).status_code == 422
    # Moving to a unit outside the IT officer's scope: 422 (no such unit for them).
    assert api.patch(f"{BASE}{a.pk}/", {"unit_code": "THPT-B"}).status_code == 422
    # The Department may move it.
    response = api_as(dept_officer).patch(f"{BASE}{a.pk}/", {"unit_code": "THPT-B"})
    assert response.status_code == 200 and response.json()["unit"]["code"] == "THPT-B"
    # Now it is B's: A's IT officer no longer sees it.
    assert api.delete(f"{BASE}{a.pk}/").status_code == 404
    assert api_as(dept_officer).delete(f"{BASE}{a.pk}/").status_code == 204
    assert not Network.objects.filter(pk=a.pk).exists()


def test_unit_head_reads_but_may_not_write(api_as, networks, head_a):
    api = api_as(head_a)
    a = networks["a"]
    assert api.get(f"{BASE}{a.pk}/").status_code == 200
    assert api.patch(f"{BASE}{a.pk}/", {"note": "x"}).status_code == 403
    assert api.delete(f"{BASE}{a.pk}/").status_code == 403


def test_overlaps(api_as, tree, networks, net, dept_officer, it_a):
    inner = net(tree.a, "14.160.20.128/25")
    overlaps = api_as(dept_officer).get(f"{BASE}overlaps/").json()
    assert len(overlaps) == 1
    assert overlaps[0]["winner_id"] == inner.pk and overlaps[0]["same_prefix"] is False
    assert overlaps[0]["outer"]["prefix"] == B_PREFIX
    assert "dải cụ thể hơn" in overlaps[0]["message"]
    assert api_as(it_a).get(f"{BASE}overlaps/").json() == []

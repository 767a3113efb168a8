"""The campaign API: lists and progress scoped by unit, class creation with its checks."""

from __future__ import annotations

import pytest

from lachan.awareness.models import ClassGroup
from lachan.awareness.services import campaigns as svc
from lachan.org.models import Role
from lachan.org.services import issue_api_token

from .campaign_support import join_student, load_fixture_lessons, make_campaign, take_quiz

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    _token, secret = issue_api_token(actor=None, user=user, name="thu")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(tree, it_a, it_b):
    lessons = load_fixture_lessons()
    campaign = make_campaign(lessons=lessons, units=[tree.so])
    only_b = make_campaign(
        lessons=lessons, units=[tree.b], include_subunits=False, title="Riêng trường B"
    )
    group_b = svc.create_class_group(actor=it_b, campaign=campaign, unit=tree.b, name="11B2")
    student = join_student(group_b, "Phạm Quốc Bảo")
    for lesson in lessons:
        take_quiz(student, lesson, campaign)
    return campaign, only_b


def test_lists_and_progress_are_scoped(client, world, it_a, dept_officer, tree, make_user):
    campaign, only_b = world
    data = client.get("/api/v1/awareness/campaigns/", headers=_auth(it_a)).json()
    assert [c["title"] for c in data["items"]] == ["Tháng an toàn thông tin 2026"]
    assert data["count"] == 1
    assert (
        client.get(f"/api/v1/awareness/campaigns/{only_b.pk}/", headers=_auth(it_a)).status_code
        == 404
    )
    detail = client.get(f"/api/v1/awareness/campaigns/{campaign.pk}/", headers=_auth(it_a)).json()
    assert [x["slug"] for x in detail["lessons"]] == ["mat-khau-an-toan", "tin-nhan-trung-thuong"]
    rows = client.get(
        f"/api/v1/awareness/campaigns/{campaign.pk}/progress/", headers=_auth(it_a)
    ).json()
    assert [r["unit"]["code"] for r in rows] == ["THPT-A"]
    rows = client.get(
        f"/api/v1/awareness/campaigns/{campaign.pk}/progress/", headers=_auth(dept_officer)
    ).json()
    b = next(r for r in rows if r["unit"]["code"] == "THPT-B")
    assert b["students"]["completed"] == 1 and b["total"]["completion_rate"] is not None
    learner = make_user(Role.LEARNER, tree.a)
    assert client.get("/api/v1/awareness/campaigns/", headers=_auth(learner)).status_code == 403


def test_class_creation(client, world, it_a, tree):
    campaign, _only_b = world
    url = f"/api/v1/awareness/campaigns/{campaign.pk}/classes/"
    response = client.post(
        url,
        {"unit_id": tree.a.pk, "name": "10A1", "expected_students": 40},
        content_type="application/json",
        headers=_auth(it_a),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    group = ClassGroup.objects.get(name="10A1")
    assert body["join_code"] == svc.format_join_code(group.join_code)
    again = client.post(
        url,
        {"unit_id": tree.a.pk, "name": "10A1"},
        content_type="application/json",
        headers=_auth(it_a),
    )
    assert again.status_code == 422 and "name" in again.json()["errors"]
    other = client.post(
        url,
        {"unit_id": tree.b.pk, "name": "10B9"},
        content_type="application/json",
        headers=_auth(it_a),
    )
    assert other.status_code == 422 and "unit_id" in other.json()["errors"]
    unknown = client.post(
        url,
        {"unit_id": tree.a.pk, "name": "10A2", "teacher": "x"},
        content_type="application/json",
        headers=_auth(it_a),
    )
    assert unknown.status_code == 422

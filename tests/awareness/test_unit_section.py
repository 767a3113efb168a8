"""The "Nâng cao nhận thức" section of the unit page: the unit's campaigns and its numbers,
seen only by those who may see the unit."""

import pytest
from django.urls import reverse

from lachan.awareness.services import campaigns as svc

from .campaign_support import join_student, load_fixture_lessons, make_campaign, take_quiz


@pytest.fixture
def campaign(tree, dept_officer):
    lessons = load_fixture_lessons()
    campaign = make_campaign(lessons=lessons, units=[tree.so], actor=dept_officer)
    group = svc.create_class_group(
        actor=dept_officer, campaign=campaign, unit=tree.a, name="10A1", expected_students=30
    )
    student = join_student(group, "Lê Thu Trang")
    for lesson in lessons:
        take_quiz(student, lesson, campaign)
    return campaign


def test_unit_page_shows_its_campaign_and_completion(client, tree, it_a, campaign):
    client.force_login(it_a)
    page = client.get(reverse("unit_detail", args=[tree.a.pk])).content.decode()
    assert 'id="unit-awareness"' in page
    assert campaign.title in page
    assert "1/30" in page  # one of the class's 30 students has finished
    assert reverse("awareness_campaign_dashboard", args=[campaign.pk]) in page


def test_another_school_sees_neither_the_page_nor_the_numbers(client, tree, it_b, campaign):
    client.force_login(it_b)
    assert client.get(reverse("unit_detail", args=[tree.a.pk])).status_code in {403, 404}
    own = client.get(reverse("unit_detail", args=[tree.b.pk])).content.decode()
    assert campaign.title in own  # school B is targeted too (the whole Department)
    assert "1/30" not in own

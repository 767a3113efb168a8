"""Students join a class with its code and their name only: codes, names, the same browser
coming back, closed classes, and the limit on wrong codes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from lachan.awareness.models import Learner
from lachan.awareness.services import campaigns as svc

from .campaign_support import load_fixture_lessons, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def group(tree, it_a):
    campaign = make_campaign(lessons=load_fixture_lessons(), units=[tree.so])
    return svc.create_class_group(actor=it_a, campaign=campaign, unit=tree.a, name="10A1")


def test_codes_are_read_as_people_type_them():
    assert svc.normalize_join_code(" k7qm-4rtx ") == "K7QM4RTX"
    assert svc.normalize_join_code("K7QM 4RTX") == "K7QM4RTX"
    assert svc.format_join_code("K7QM4RTX") == "K7QM-4RTX"
    assert svc.normalize_join_code("K7QM-4RT0") == ""  # 0 is not in the alphabet
    assert svc.normalize_join_code("K7QM") == ""


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Hãy nhập họ và tên"),
        ("12345", "không chỉ gồm chữ số"),
        ("Xem https://vi-du.invalid", "địa chỉ trang web"),
        ("Nguyễn An www.vi-du.test", "địa chỉ trang web"),
        ("an@example.com", "địa chỉ trang web"),
        ("A" * 121, "dài quá 120"),
        ("<b>Hà</b>", "chỉ gồm chữ cái"),
    ],
)
def test_names_that_are_not_names_are_refused(name, message):
    with pytest.raises(ValidationError) as exc:
        svc.clean_student_name(name)
    assert message in exc.value.message_dict["name"][0]


def test_names_are_tidied():
    assert svc.clean_student_name("  Nguyễn   Thị  Mai ") == "Nguyễn Thị Mai"
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed with combining marks
    assert svc.clean_student_name(decomposed) == "Nguyễn"


def test_join_page_creates_the_student_and_the_same_browser_comes_back(client, group):
    page = client.get(reverse("awareness_join"), {"ma": svc.format_join_code(group.join_code)})
    assert page.status_code == 200
    assert svc.format_join_code(group.join_code) in page.content.decode()
    response = client.post(
        reverse("awareness_join"),
        {"code": group.join_code.lower(), "name": " Trần  Minh Khoa "},
    )
    assert response.status_code == 302 and response["Location"] == reverse("awareness_my_learning")
    learner = Learner.objects.get()
    assert (learner.name, learner.class_group, learner.unit) == (
        "Trần Minh Khoa",
        group,
        group.unit,
    )
    assert learner.user is None and len(learner.secret_hash) == 64
    home = client.get(reverse("awareness_my_learning")).content.decode()
    assert "Trần Minh Khoa" in home and "Mật khẩu an toàn cho tài khoản học tập" in home
    lesson_page = reverse("lesson_detail", kwargs={"slug": "mat-khau-an-toan"})
    assert f"{lesson_page}?campaign={group.campaign_id}" in home

    client.post(reverse("awareness_join"), {"code": group.join_code, "name": "Trần Minh Khoa"})
    assert Learner.objects.count() == 1

    other = type(client)()
    other.post(reverse("awareness_join"), {"code": group.join_code, "name": "Trần Minh Khoa"})
    assert Learner.objects.count() == 2  # another browser is another student

    client.post(reverse("awareness_leave"))
    assert client.get(reverse("awareness_my_learning"))["Location"] == reverse("awareness_join")


def test_wrong_or_closed_codes_say_why(client, group, it_a):
    response = client.post(reverse("awareness_join"), {"code": "ABCD-EFGH", "name": "Lan"})
    assert "Không có lớp nào với mã tham gia này." in response.content.decode()
    response = client.post(reverse("awareness_join"), {"code": "ABC", "name": "Lan"})
    assert "gồm 8 ký tự" in response.content.decode()
    svc.set_class_open(actor=it_a, class_group=group, is_open=False)
    response = client.post(reverse("awareness_join"), {"code": group.join_code, "name": "Lan"})
    assert "đã ngừng nhận học sinh" in response.content.decode()
    response = client.post(reverse("awareness_join"), {"code": group.join_code, "name": "123"})
    assert not Learner.objects.exists()


def test_too_many_wrong_codes_are_stopped(client, group):
    for _ in range(svc_limit()):
        client.post(reverse("awareness_join"), {"code": "ABCD-EFGH", "name": "Lan"})
    response = client.post(reverse("awareness_join"), {"code": group.join_code, "name": "Lan"})
    assert response.status_code == 429
    assert "sai mã quá nhiều lần" in response.content.decode()
    assert not Learner.objects.exists()


def svc_limit() -> int:
    from lachan.awareness.campaign_views import JOIN_FAILURES_PER_SESSION

    return JOIN_FAILURES_PER_SESSION


def test_a_logged_in_officer_does_not_join_as_a_student(client, group, it_a):
    client.force_login(it_a)
    response = client.post(reverse("awareness_join"), {"code": group.join_code, "name": "Thử"})
    assert "tài khoản cán bộ" in response.content.decode()
    assert not Learner.objects.filter(kind="student").exists()

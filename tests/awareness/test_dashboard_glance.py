"""The overview page's anti-fraud glance: active campaigns with started/finished counts for the
user's own units, scam reports waiting, the last drill."""

from django.urls import reverse

from lachan.awareness.selectors.campaigns import active_campaigns_at_a_glance
from lachan.awareness.services import campaigns as svc
from lachan.scams.services import create_report

from .campaign_support import join_student, load_fixture_lessons, make_campaign, take_quiz


def _campaign_with_a_finished_student_at(tree, officer):
    lessons = load_fixture_lessons()
    campaign = make_campaign(lessons=lessons, units=[tree.so], actor=officer)
    group = svc.create_class_group(actor=officer, campaign=campaign, unit=tree.a, name="10A1")
    student = join_student(group, "Võ Hải Yến")
    for lesson in lessons:
        take_quiz(student, lesson, campaign)
    return campaign


def test_counts_are_scoped_to_the_users_units(tree, dept_officer, it_a, it_b):
    campaign = _campaign_with_a_finished_student_at(tree, dept_officer)
    (dept,) = active_campaigns_at_a_glance(dept_officer)
    assert (dept.campaign, dept.learners, dept.completed) == (campaign, 1, 1)
    (school_a,) = active_campaigns_at_a_glance(it_a)
    assert (school_a.learners, school_a.completed) == (1, 1)
    (school_b,) = active_campaigns_at_a_glance(it_b)
    assert (school_b.learners, school_b.completed) == (0, 0)


def test_overview_page_shows_the_glance(client, tree, dept_officer):
    campaign = _campaign_with_a_finished_student_at(tree, dept_officer)
    create_report(
        actor=None,
        description="Có người gọi xưng công an yêu cầu chuyển tiền vào tài khoản lạ.",
        channel="phone",
        phones=["0912345678"],
    )
    client.force_login(dept_officer)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="anti-fraud"' in page
    assert campaign.title in page
    assert "1 người hoàn thành" in page
    assert f'{reverse("scam_report_list")}?status=new">1<' in page

"""The drills' demo data on the test tree."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lachan.drills.demo import seed_drills_demo
from lachan.drills.models import Drill, DrillStatus
from lachan.drills.selectors import results_by_unit, results_total
from lachan.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_demo_drills_have_results_and_send_nothing(tree, staff, mailoutbox):
    counts = seed_drills_demo(
        today=timezone.localdate(), actor=staff.creator, approver=staff.approver
    )
    assert counts["drills"] == 2
    finished = Drill.objects.get(status=DrillStatus.FINISHED)
    assert Drill.objects.filter(status=DrillStatus.AWAITING_APPROVAL).count() == 1
    assert finished.approved_by == staff.approver
    rows = results_by_unit(staff.creator, finished)
    assert {r["unit__code"] for r in rows} == {"THPT-A", "THPT-B", "THCS-C"}
    assert all(r["recipients"] == 8 and r["sent"] == 8 for r in rows)
    total = results_total(staff.creator, finished)
    assert 0 < total["clicked"] < total["recipients"]
    assert total["reported"] > 0 and total["submitted"] > 0
    assert not Notification.objects.exists() and mailoutbox == []
    assert seed_drills_demo(
        today=timezone.localdate(), actor=staff.creator, approver=staff.approver
    ) == {"drills": 0}

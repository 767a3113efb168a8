"""The demo's blocklists and reports, through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from lachan.org.models import Role
from lachan.scams import checking
from lachan.scams.demo import seed_scams_demo
from lachan.scams.models import BlocklistSource, ReportStatus, ScamReport

pytestmark = pytest.mark.django_db


def test_seed_scams_demo(tree, dept_officer, make_user):
    make_user(Role.LEARNER, tree.a, username="giaovien-demo")
    counts = seed_scams_demo(today=dt.date(2026, 11, 20), actor=dept_officer)
    assert counts["entries"] == 16 and counts["cases"] == 1
    by_status = {s: ScamReport.objects.filter(status=s).count() for s in ReportStatus.values}
    assert by_status == {"new": 5, "approved": 5, "rejected": 5}
    assert ScamReport.objects.filter(unit=tree.a).exists()
    assert ScamReport.objects.filter(task__isnull=False).count() == 1
    assert BlocklistSource.objects.filter(origin="reports").get().entry_count > 0
    assert checking.check("https://vcb-digibank-khoa.vip/login").risk == "high"

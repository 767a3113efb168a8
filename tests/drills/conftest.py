"""Shared pieces of the drill tests: staff at schools A, B and C, and a drill through services."""

from __future__ import annotations

import datetime as dt
import types

import pytest
from django.utils import timezone

from lachan.drills import services
from lachan.drills.models import DrillTemplate
from lachan.org.models import Role


@pytest.fixture
def staff(tree, make_user, dept_admin, dept_officer):
    """Two officers of the Department and a few staff accounts per school."""
    ns = types.SimpleNamespace(creator=dept_officer, approver=dept_admin)
    ns.a = [
        make_user(Role.LEARNER, tree.a, username="gv_a1", first_name="Lan", last_name="Anh"),
        make_user(Role.LEARNER, tree.a, username="gv_a2"),
        make_user(Role.UNIT_IT, tree.a, username="it_a"),
    ]
    ns.b = [
        make_user(Role.LEARNER, tree.b, username="gv_b1"),
        make_user(Role.UNIT_IT, tree.b, username="it_b"),
    ]
    ns.c = [make_user(Role.UNIT_HEAD, tree.c, username="head_c")]
    return ns


def template(key: str = "mat-khau-het-han") -> DrillTemplate:
    services.ensure_builtin_templates()
    return DrillTemplate.objects.get(key=key)


def make_drill(
    staff,
    units,
    *,
    key: str = "mat-khau-het-han",
    rate: int = 20,
    starts_at: dt.datetime | None = None,
    lesson=None,
    approve: bool = True,
    **extra,
):
    drill = services.create_drill(
        actor=staff.creator,
        name="Diễn tập tháng 11",
        template=template(key),
        units=units,
        starts_at=starts_at or timezone.now() - dt.timedelta(minutes=1),
        rate_per_minute=rate,
        follow_up_lesson=lesson,
        **extra,
    )
    if approve:
        services.submit_drill(actor=staff.creator, drill=drill)
        drill = services.approve_drill(actor=staff.approver, drill=drill)
    return drill


def run_drill(staff, units, **kw):
    """An approved drill, started and with every e-mail queued (delivered by locmem)."""
    drill = make_drill(staff, units, **kw)
    services.start_drill(actor=staff.creator, drill=drill)
    services.send_due_drill_emails()
    drill.refresh_from_db()
    return drill

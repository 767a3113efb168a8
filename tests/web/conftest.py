from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def tasks(tree, dept_officer):
    """A few tasks: school A has one overdue and one submitted, school B one open, C one verified."""
    from lachan.remediation import services

    today = timezone.localdate()
    a_late = services.create_task(
        actor=dept_officer,
        unit=tree.a,
        title="Gỡ mã độc máy trạm phòng tin học A1",
        severity="high",
        due_date=today - dt.timedelta(days=3),
    )
    a_sub = services.create_task(
        actor=dept_officer, unit=tree.a, title="Đổi mật khẩu camera IP cổng trường", severity="low"
    )
    services.submit_task(actor=None, task=a_sub, answer_text="Đã đổi mật khẩu.")
    b_open = services.create_task(
        actor=dept_officer,
        unit=tree.b,
        title="Vá máy chủ thư viện trường Nguyễn Trãi",
        severity="critical",
    )
    c_done = services.create_task(
        actor=dept_officer, unit=tree.c, title="Tắt RDP mở ra Internet", severity="medium"
    )
    services.submit_task(actor=None, task=c_done, answer_text="Đã tắt.")
    services.verify_task(actor=dept_officer, task=c_done)
    return {"a_late": a_late, "a_sub": a_sub, "b_open": b_open, "c_done": c_done}

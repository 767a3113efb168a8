"""Helpers for the remediation tests: findings and tasks in a given state, uploads."""

from __future__ import annotations

import pytest

from lachan.remediation import services
from lachan.remediation.models import TaskStatus

from .util import upload


@pytest.fixture
def finding_at(tree):
    """finding_at(unit, key="...", **kw) -> a botnet finding recorded by the system."""

    def _make(unit, key: str = "203.0.113.7", **kw):
        kw.setdefault("title", f"Địa chỉ {key} có trong danh sách IP botnet")
        kw.setdefault("severity", "high")
        kw.setdefault("evidence", {"ip": key, "malware": "Mirai"})
        finding, _created = services.record_finding(
            actor=None, source=kw.pop("source", "botnet"), unit=unit, dedupe_key=key, **kw
        )
        return finding

    return _make


@pytest.fixture
def task_at(tree, dept_officer):
    """task_at(unit, status="open", **kw) -> a task moved to ``status`` through the services."""

    def _make(unit, status: str = TaskStatus.OPEN, **kw):
        kw.setdefault("title", "Rà soát và gỡ mã độc trên máy trạm")
        kw.setdefault("guidance", "Bước 1: quét toàn bộ máy.\nBước 2: gửi biên bản.")
        task = services.create_task(actor=None, unit=unit, **kw)
        if status == TaskStatus.OPEN:
            return task
        if status == TaskStatus.IN_PROGRESS:
            return services.start_task(actor=None, task=task)
        task = services.submit_task(
            actor=None, task=task, answer_text="Đã quét và gỡ mã độc.", files=[upload()]
        )
        if status == TaskStatus.SUBMITTED:
            return task
        if status == TaskStatus.RETURNED:
            return services.return_task(actor=dept_officer, task=task, reason="Thiếu biên bản.")
        task = services.verify_task(actor=dept_officer, task=task)
        if status == TaskStatus.VERIFIED:
            return task
        return services.close_task(actor=dept_officer, task=task)

    return _make

"""Test vocabulary for the REST API: ``api_as(user)`` → a client sending that user's token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lachan.org.models import Role


class ApiClient:
    """A Django test client that speaks JSON to /api/v1/ with a bearer token."""

    def __init__(self, key: str | None, client: Client | None = None) -> None:
        self.key = key
        self.client = client or Client()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def url(self, path: str) -> str:
        return "/api/v1/" + path.lstrip("/")

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(self.url(path), params or {}, headers=self._headers())

    def _send(self, method: str, path: str, body: Any = None):
        data = json.dumps(body if body is not None else {})
        return self.client.generic(
            method, self.url(path), data, content_type="application/json", headers=self._headers()
        )

    def post(self, path: str, body: Any = None):
        return self._send("POST", path, body)

    def patch(self, path: str, body: Any = None):
        return self._send("PATCH", path, body)

    def delete(self, path: str):
        return self._send("DELETE", path)

    def post_multipart(self, path: str, data: dict[str, Any]):
        return self.client.post(self.url(path), data, headers=self._headers())


@pytest.fixture
def api_as(db):
    """api_as(user) -> ApiClient authenticated with a fresh token of ``user``; api_as(None): anonymous."""
    from lachan.org.services import issue_api_token

    def _make(user) -> ApiClient:
        if user is None:
            return ApiClient(None)
        _token, key = issue_api_token(actor=None, user=user, name="kiem-thu")
        return ApiClient(key)

    return _make


@pytest.fixture
def unit_head_a(make_user, tree):
    return make_user(Role.UNIT_HEAD, tree.a, username="hieutruong_a")


@pytest.fixture
def learner_a(make_user, tree):
    return make_user(Role.LEARNER, tree.a, username="hocvien_a")


@pytest.fixture
def findings_and_tasks(tree, it_b):
    """A finding and its task at A, at B and at C (in the CUM-1 subtree)."""
    from lachan.remediation import services

    out = {}
    for key, unit, sev in (("a", tree.a, "high"), ("b", tree.b, "critical"), ("c", tree.c, "low")):
        finding, _ = services.record_finding(
            actor=None,
            source="botnet",
            unit=unit,
            dedupe_key=f"ip-{key}",
            title=f"Máy nhiễm botnet tại {unit.code}",
            severity=sev,
            asset_ref=f"10.0.0.{len(out) + 1}",
        )
        (task,) = services.open_tasks_from_findings(actor=None, findings=[finding])
        out[key] = (finding, task)
    return out

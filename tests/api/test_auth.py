"""Who may call the API: bearer tokens, the web session (with CSRF), and the error shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lachan.org.models import ApiToken
from lachan.org.services import issue_api_token, revoke_api_token

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_valid_token_authenticates_as_its_user(api_as, it_a):
    response = api_as(it_a).get("org/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "it_a"
    assert [r["role"] for r in body["roles"]] == ["unit_it"]
    assert body["is_department_staff"] is False


def test_missing_credentials_get_401_with_bearer_challenge(api_as, tree):
    response = api_as(None).get("org/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Cần đăng nhập hoặc mã truy cập API hợp lệ."}


@pytest.mark.parametrize(
    "header",
    ["Bearer lc_khong-ton-tai", "Bearer ", "Bearer lc_a b", "bearer lc_sai"],
)
def test_wrong_token_gets_401(client, it_a, header):
    response = client.get("/api/v1/org/me/", headers={"Authorization": header})
    assert response.status_code == 401
    assert "mã truy cập" in response.json()["detail"].lower() or response.json()["detail"]


def test_other_scheme_is_not_a_token(client, it_a):
    response = client.get("/api/v1/org/me/", headers={"Authorization": "Basic aXRfYTp4"})
    assert response.status_code == 401


def test_revoked_token_gets_401(it_a):
    token, key = issue_api_token(actor=None, user=it_a, name="t")
    assert ApiClient(key).get("org/me/").status_code == 200
    revoke_api_token(actor=it_a, token=token)
    response = ApiClient(key).get("org/me/")
    assert response.status_code == 401
    assert "thu hồi" in response.json()["detail"]


def test_expired_token_gets_401(it_a):
    _token, key = issue_api_token(
        actor=None, user=it_a, name="t", expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert ApiClient(key).get("org/me/").status_code == 401
    _token, key = issue_api_token(
        actor=None, user=it_a, name="t2", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    assert ApiClient(key).get("org/me/").status_code == 200


def test_token_of_inactive_user_gets_401(it_a):
    _token, key = issue_api_token(actor=None, user=it_a, name="t")
    it_a.is_active = False
    it_a.save(update_fields=["is_active"])
    assert ApiClient(key).get("org/me/").status_code == 401


def test_bad_token_is_refused_even_with_a_valid_session(client, it_a):
    client.force_login(it_a)
    assert client.get("/api/v1/org/me/").status_code == 200
    response = client.get("/api/v1/org/me/", headers={"Authorization": "Bearer lc_sai"})
    assert response.status_code == 401


def test_last_used_at_is_written_at_most_once_a_minute(it_a):
    token, key = issue_api_token(actor=None, user=it_a, name="t")
    assert token.last_used_at is None
    ApiClient(key).get("org/me/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    ApiClient(key).get("org/me/")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    ApiClient(key).get("org/me/")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_session_auth_reads_without_csrf_token(it_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(it_a)
    response = client.get("/api/v1/org/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "it_a"


def test_session_auth_writes_need_the_csrf_token(dept_officer, tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dept_officer)
    body = '{"unit_code": "THPT-A", "title": "Kiểm tra tường lửa"}'
    response = client.post("/api/v1/remediation/tasks/", body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]

    client.get("/api/v1/docs")  # the docs page sets the CSRF cookie, as any web page does
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/remediation/tasks/",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 201, response.content


def test_anonymous_write_is_401_not_a_csrf_error(tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/remediation/tasks/", "{}", content_type="application/json")
    assert response.status_code == 401


def test_token_writes_need_no_csrf(dept_officer, tree):
    _token, key = issue_api_token(actor=None, user=dept_officer, name="t")
    api = ApiClient(key, Client(enforce_csrf_checks=True))
    response = api.post("remediation/tasks/", {"unit_code": "THPT-A", "title": "Kiểm tra"})
    assert response.status_code == 201


def test_session_of_user_with_unverified_totp_device_is_refused(client, it_a):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=it_a, name="điện thoại", confirmed=True)
    client.force_login(it_a)
    response = client.get("/api/v1/org/me/")
    assert response.status_code == 401
    assert "hai bước" in response.json()["detail"]


def test_department_session_without_2fa_is_refused_when_required(client, dept_officer, settings):
    settings.LACHAN_REQUIRE_2FA_DEPARTMENT = True
    client.force_login(dept_officer)
    assert client.get("/api/v1/org/me/").status_code == 401
    # A token is its own factor: integrations are not asked for a TOTP code.
    _token, key = issue_api_token(actor=None, user=dept_officer, name="t")
    assert ApiClient(key).get("org/me/").status_code == 200


def test_unexpected_error_is_json_500_without_traceback(api_as, it_a, monkeypatch, settings):
    settings.DEBUG = True  # even in DEBUG, the API answers JSON, never a traceback page

    def boom(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr("lachan.org.selectors.search_units", boom)
    response = api_as(it_a).get("org/units/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Lỗi máy chủ. Sự cố đã được ghi lại."}
    assert b"Traceback" not in response.content

"""Sign-in, lockout, two-factor enrolment and verification, logout, the account page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachan.audit.models import AuditLog
from lachan.org.models import ApiToken, Role

PASSWORD = "Mat-khau-thu-nghiem-123"


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    """The code the authenticator app shows now (``offset`` steps away)."""
    device.refresh_from_db()
    key = device.bin_key
    return f"{totp(key, step=device.step, t0=device.t0 - offset * device.step, digits=device.digits, drift=device.drift):06d}"


def post_login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


# --- password sign-in ---------------------------------------------------------------------------


def test_login_page_is_public_and_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đăng nhập" in body and "Tên đăng nhập" in body and "Mật khẩu" in body


def test_pages_redirect_to_login(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_ok_is_audited_and_follows_next(client, it_a):
    response = post_login(client, "it_a", next=reverse("unit_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("unit_list")
    assert client.get(reverse("dashboard")).status_code == 200
    entry = AuditLog.objects.get(action="auth.login")
    assert entry.actor_id == it_a.pk and entry.object_repr == "it_a"


def test_login_ignores_offsite_next(client, it_a):
    response = post_login(client, "it_a", next="https://example.com/phish")
    assert response["Location"] == reverse("dashboard")


def test_bad_password_shows_error_and_is_audited(client, it_a):
    response = post_login(client, "it_a", password="sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    entry = AuditLog.objects.get(action="auth.login_failed")
    assert entry.object_repr == "it_a"
    assert client.get(reverse("dashboard")).status_code == 302


def test_unknown_user_is_audited_too(client, db):
    post_login(client, "khong-ton-tai", password="x")
    assert AuditLog.objects.filter(action="auth.login_failed", object_repr="khong-ton-tai").exists()


def test_lockout_after_five_failures(client, it_a, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [post_login(client, "it_a", password=f"sai-{i}").status_code for i in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    # Even the right password is refused while the lock holds, with the Vietnamese page.
    response = post_login(client, "it_a")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Tạm khoá đăng nhập" in body
    assert "phút" in body
    assert client.get(reverse("dashboard")).status_code == 302


def test_logout_is_post_only_and_audited(client, it_a):
    post_login(client, "it_a")
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert AuditLog.objects.filter(action="auth.logout", actor_id=it_a.pk).exists()
    assert client.get(reverse("dashboard")).status_code == 302


# --- two-factor ---------------------------------------------------------------------------------


@pytest.fixture
def no_otp_throttle(settings):
    """Let a right code follow a wrong one at once (throttling has its own test)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_two_factor_setup_and_verify_flow(client, it_a, no_otp_throttle):
    client.force_login(it_a)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "Khoá bí mật" in body
    device = TOTPDevice.objects.get(user=it_a, confirmed=False)
    # The secret shown is the device key in base32.
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] in body

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 200 and "Mã chưa đúng" in wrong.content.decode()

    response = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditLog.objects.filter(action="auth.2fa_enrol", actor_id=it_a.pk).exists()
    # Enrolment verifies the current session.
    assert client.get(reverse("dashboard")).status_code == 200

    # Next sign-in: password, then the code.
    client.post(reverse("logout"))
    response = post_login(client, "it_a")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    # Until the code is given, every page sends back to the verify page.
    blocked = client.get(reverse("unit_list"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(
        reverse("two_factor_verify")
    )
    # Setup cannot be used to enrol a second device and skip the code.
    sneaky = client.get(reverse("two_factor_setup"))
    assert sneaky.status_code == 302 and sneaky["Location"].startswith(reverse("two_factor_verify"))

    bad = client.post(reverse("two_factor_verify"), {"code": "123456"})
    assert bad.status_code == 200
    assert AuditLog.objects.filter(action="auth.2fa_failed").exists()

    good = client.post(reverse("two_factor_verify"), {"code": code_for(device, offset=1)})
    assert good.status_code == 302
    assert client.get(reverse("unit_list")).status_code == 200
    assert AuditLog.objects.filter(action="auth.login", actor_id=it_a.pk).count() == 1


def test_verify_page_has_vietnamese_form(client, it_a):
    TOTPDevice.objects.create(user=it_a, name="Lá Chắn", confirmed=True)
    client.force_login(it_a)
    response = client.get(reverse("two_factor_verify"))
    assert response.status_code == 200
    assert "Mã xác thực (6 chữ số)" in response.content.decode()


def test_wrong_codes_are_throttled(client, it_a):
    device = TOTPDevice.objects.create(user=it_a, name="Lá Chắn", confirmed=True)
    client.force_login(it_a)
    client.post(reverse("two_factor_verify"), {"code": "000000"})
    # Right after a wrong code even the right one waits: django-otp's growing delay.
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert response.status_code == 200
    assert "Nhập sai mã quá nhiều lần" in response.content.decode()


def test_department_user_must_enrol_when_required(client, settings, dept_officer):
    settings.LACHAN_REQUIRE_2FA_DEPARTMENT = True
    client.force_login(dept_officer)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_setup")
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    assert "Tài khoản cấp Sở phải bật xác thực hai lớp" in page.content.decode()
    device = TOTPDevice.objects.get(user=dept_officer)
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert client.get(reverse("dashboard")).status_code == 200


def test_school_user_is_not_forced_to_enrol(client, settings, it_a):
    settings.LACHAN_REQUIRE_2FA_DEPARTMENT = True
    client.force_login(it_a)
    assert client.get(reverse("dashboard")).status_code == 200


def test_remove_two_factor_needs_a_valid_code(client, it_a, no_otp_throttle):
    client.force_login(it_a)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=it_a)
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    refused = client.post(reverse("two_factor_remove"), {"code": "000000"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=it_a).exists()
    ok = client.post(reverse("two_factor_remove"), {"code": code_for(device, offset=1)})
    assert ok.status_code == 302
    assert not TOTPDevice.objects.filter(user=it_a).exists()
    assert AuditLog.objects.filter(action="auth.2fa_remove").exists()


# --- account ------------------------------------------------------------------------------------


def test_account_page(client, it_a):
    client.force_login(it_a)
    response = client.get(reverse("account"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đổi mật khẩu" in body and "Xác thực hai lớp" in body and "Mã truy cập API" in body
    assert "Cán bộ phụ trách CNTT đơn vị" in body


def test_change_password(client, it_a):
    client.force_login(it_a)
    bad = client.post(
        reverse("password_change"),
        {"current_password": "sai", "new_password": "x", "new_password2": "y"},
    )
    assert bad.status_code == 400
    assert "Mật khẩu hiện tại không đúng." in bad.content.decode()
    weak = client.post(
        reverse("password_change"),
        {"current_password": PASSWORD, "new_password": "12345", "new_password2": "12345"},
    )
    assert weak.status_code == 400
    new = "Mat-khau-moi-Hoa-Binh-2025"
    ok = client.post(
        reverse("password_change"),
        {"current_password": PASSWORD, "new_password": new, "new_password2": new},
    )
    assert ok.status_code == 302
    it_a.refresh_from_db()
    assert it_a.check_password(new)
    # The session survives the change.
    assert client.get(reverse("account")).status_code == 200
    assert AuditLog.objects.filter(action="user.password", actor_id=it_a.pk).exists()


def test_issue_and_revoke_api_token(client, it_a, it_b):
    client.force_login(it_a)
    response = client.post(
        reverse("api_token_issue"), {"name": "Tác tử phòng máy", "expires_in": "30"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=it_a)
    body = response.content.decode()
    key = body.split('id="new-token">')[1].split("<")[0]
    assert key.startswith("lc_") and ApiToken.hash_key(key) == token.key_hash
    assert token.expires_at is not None
    # Shown once: the next page load no longer has it.
    assert key not in client.get(reverse("account")).content.decode()

    from lachan.org.services import issue_api_token

    other, _key = issue_api_token(actor=None, user=it_b, name="của trường B")
    assert client.post(reverse("api_token_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None

    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("role", [Role.LEARNER, Role.UNIT_HEAD])
def test_account_for_every_role(client, tree, login_as, role):
    login_as(role, tree.a)
    assert client.get(reverse("account")).status_code == 200

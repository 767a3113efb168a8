"""Who is calling the API: a bearer token (integrations, agents) or the web session.

Bearer tokens are looked up by the SHA-256 of the secret (``org.ApiToken``); a revoked or
expired token, or one whose user is inactive, is refused with 401. The session path is for
the logged-in web user (HTMX, the docs page): it enforces CSRF on unsafe methods and the
same two-factor rule as ``web.middleware.TwoFactorMiddleware``, which does not cover /api/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from lachan.org.models import ApiToken

# last_used_at is bookkeeping, not an audited change: write it at most once a minute per token.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class InvalidToken(AuthenticationError):
    def __init__(self) -> None:
        super().__init__(401, _("Mã truy cập API không hợp lệ, đã bị thu hồi hoặc đã hết hạn."))


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer lc_…`` against ``org.ApiToken``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token:
            raise InvalidToken
        now = timezone.now()
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        # A header that names a bad token is an error, not "try the session next".
        if row is None or not row.user.is_active:
            raise InvalidToken
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        request.user = row.user
        request.api_token = row
        return row.user


class SessionAuth(APIKeyCookie):
    """The Django session of the web UI, with CSRF on unsafe methods and two-factor enforced."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            # No session: answer 401 (not a CSRF 403) so clients know to authenticate.
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request):
                raise HttpError(
                    403, _("Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF). Hãy tải lại trang.")
                )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        if not _two_factor_satisfied(request, user):
            raise AuthenticationError(
                401, _("Phiên đăng nhập chưa xác thực hai bước. Hãy xác thực trên giao diện web.")
            )
        return user


def _two_factor_satisfied(request: HttpRequest, user) -> bool:
    verified = getattr(user, "is_verified", None)
    if verified is None or verified():
        return True
    from django_otp import user_has_device

    if user_has_device(user, confirmed=True):
        return False
    if settings.LACHAN_REQUIRE_2FA_DEPARTMENT:
        from lachan.org.selectors import is_department_staff

        return not is_department_staff(user)
    return True


api_token_auth = ApiTokenAuth()
session_auth = SessionAuth()

"""Site-wide access rules: log in first; Department roles pass two-factor when required."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# URL prefixes reachable without a session (the API has its own token auth).
PUBLIC_PREFIXES = (
    "/login/",
    "/static/",
    "/api/",
    "/i18n/",
    "/healthz",
    "/favicon.ico",
    # A phishing drill's open pixel, link and teaching page: the token is the key.
    "/dt/o/",
    "/dt/c/",
    "/dt/l/",
)
TWO_FACTOR_PREFIXES = ("/account/2fa/", "/logout/")
# Pages open without a session too (the lesson library, for parents and students); unlike the
# prefixes above, a logged-in user still passes two-factor there, and the views themselves
# send anonymous visitors to the login page where an account is needed (management pages).
OPEN_PREFIXES = (
    "/bai-hoc/",
    # Students join a class by code, learn and download their certificate without an account.
    "/tham-gia/",
    "/hoc/",
    "/chung-nhan/",
    # The public scam checker and report form (lachan.scams).
    "/kiem-tra/",
)


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(
            PUBLIC_PREFIXES + OPEN_PREFIXES
        ):
            return redirect(f"{reverse('login')}?next={request.path}")
        return self.get_response(request)


class TwoFactorMiddleware:
    """A user with a TOTP device must verify it; a Department user must enrol one when required."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(PUBLIC_PREFIXES + TWO_FACTOR_PREFIXES)
            and not user.is_verified()
        ):
            from django_otp import user_has_device

            if user_has_device(user, confirmed=True):
                return redirect(f"{reverse('two_factor_verify')}?next={request.path}")
            if settings.LACHAN_REQUIRE_2FA_DEPARTMENT:
                from lachan.org.selectors import is_department_staff

                if is_department_staff(user):
                    return redirect("two_factor_setup")
        return self.get_response(request)


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the person chose another language (the language cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show English
    to a teacher whose browser happens to be set up in English; here only an explicit choice
    (the language switch in the header) changes the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response

"""Settings that matter for security and locale, read from the settings module itself."""

from __future__ import annotations

import importlib


def test_production_settings():
    module = importlib.import_module("lachan.web.settings")
    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert module.LANGUAGE_CODE == "vi"
    assert module.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert module.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert module.X_FRAME_OPTIONS == "DENY"


def test_dates_are_shown_dd_mm_yyyy():
    import datetime as dt

    from django.utils import formats, translation

    for language in ("vi", "en"):
        with translation.override(language):
            assert formats.date_format(dt.date(2026, 11, 28), "SHORT_DATE_FORMAT") == "28/11/2026"

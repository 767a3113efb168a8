"""Django settings for Lá Chắn, read from environment variables.

LACHAN_HOME        data directory (default ./var): SQLite database, uploads, secret key
DATABASE_URL       e.g. postgres://user@127.0.0.1:5432/lachan (default: SQLite in LACHAN_HOME)
LACHAN_BROKER_URL  Celery broker (e.g. redis://127.0.0.1:6379/0); empty = run jobs in-process
LACHAN_CACHE_URL   shared cache for rate limits (e.g. redis://127.0.0.1:6379/1); empty = per process
LACHAN_SECRET_KEY  secret key (default: generated once and stored in LACHAN_HOME/secret_key)
LACHAN_EMAIL_*     SMTP settings (HOST, PORT, USER, PASSWORD, USE_TLS, USE_SSL, FROM, BACKEND)
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


LACHAN_HOME = Path(os.environ.get("LACHAN_HOME", "./var")).resolve()
LACHAN_HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("LACHAN_SECRET_KEY")
    if key:
        return key
    path = LACHAN_HOME / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("LACHAN_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("LACHAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("LACHAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "js_lib_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_celery_beat",
    "lachan.web",
    "lachan.org",
    "lachan.audit",
    "lachan.remediation",
    "lachan.assets",
    "lachan.notifications",
    "lachan.api",
    "lachan.intel",
    "lachan.documents",
    "lachan.awareness",
    "lachan.scams",
    "lachan.drills",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lachan.web.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lachan.web.middleware.LoginRequiredMiddleware",
    "lachan.web.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lachan.web.urls"
WSGI_APPLICATION = "lachan.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lachan.web.context_processors.navigation",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{LACHAN_HOME / 'lachan.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_sqlite)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and background jobs read while one writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("LACHAN_TEST_SQLITE", "")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("LACHAN_DB_CONN_MAX_AGE", "60"))
EMBEDDED = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("LACHAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LACHAN_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor authentication: required for Department roles when this is on.
LACHAN_REQUIRE_2FA_DEPARTMENT = _env_bool("LACHAN_REQUIRE_2FA_DEPARTMENT", True)
# Accept the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32) in botnet lists: on for the demo, whose fictional province lives there.
LACHAN_ALLOW_DOCUMENTATION_IPS = _env_bool("LACHAN_ALLOW_DOCUMENTATION_IPS", False)
OTP_TOTP_ISSUER = "Lá Chắn"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["lachan.web.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = LACHAN_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from finders too; the folder must exist
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = LACHAN_HOME / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
LACHAN_EVIDENCE_MAX_BYTES = int(os.environ.get("LACHAN_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))

# E-mail. The demo uses the console backend; production sets LACHAN_EMAIL_HOST.
EMAIL_BACKEND = os.environ.get(
    "LACHAN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("LACHAN_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("LACHAN_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("LACHAN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("LACHAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LACHAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("LACHAN_EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_bool("LACHAN_EMAIL_USE_SSL")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("LACHAN_EMAIL_FROM", "Lá Chắn <lachan@localhost>")
LACHAN_BASE_URL = os.environ.get("LACHAN_BASE_URL", "http://127.0.0.1:8000")

# Phishing drills: the sender domain the platform controls (drill mail comes "from" it), the
# only recipient e-mail domains allowed (comma-separated; empty = any registered address) and
# the most drill e-mails one run of the every-minute job sends over all drills.
# The scam checker parses domains with the Public Suffix List bundled in `publicsuffixlist`;
# LACHAN_PSL_FILE points at a newer public_suffix_list.dat (read offline, from a file).
LACHAN_PSL_FILE = os.environ.get("LACHAN_PSL_FILE", "")
LACHAN_DRILL_SENDER_DOMAIN = os.environ.get("LACHAN_DRILL_SENDER_DOMAIN", "dien-tap.lachan.test")
LACHAN_DRILL_ALLOWED_DOMAINS = [
    d.strip().lower()
    for d in os.environ.get("LACHAN_DRILL_ALLOWED_DOMAINS", "").split(",")
    if d.strip()
]
LACHAN_DRILL_MAX_PER_RUN = int(os.environ.get("LACHAN_DRILL_MAX_PER_RUN", "300"))

# Shared cache (rate-limit counts of the public pages): Redis when several web processes run.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["LACHAN_CACHE_URL"],
        }
        if os.environ.get("LACHAN_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background jobs. Without a broker, jobs run in-process (embedded default).
CELERY_BROKER_URL = os.environ.get("LACHAN_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("LACHAN_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_IMPORTS = ("lachan.intel.tasks",)

# Vulnerability feeds to download on a schedule: {"records" | "kev" | "epss": URL or [URLs]},
# as JSON in LACHAN_FEED_URLS. Empty by default: feeds are imported from files
# (`lachan vuln import`) and nothing is downloaded. When set, beat downloads them daily.
LACHAN_FEED_URLS = json.loads(os.environ.get("LACHAN_FEED_URLS") or "{}")
LACHAN_FEED_HOUR = int(os.environ.get("LACHAN_FEED_HOUR", "5"))  # local time
LACHAN_FEED_BEAT_SCHEDULE = (
    {
        "download-vuln-feeds": {
            "task": "lachan.intel.download_feeds",
            "schedule": crontab(hour=LACHAN_FEED_HOUR, minute=30),
        }
    }
    if LACHAN_FEED_URLS
    else {}
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_SECURE = _env_bool("LACHAN_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LACHAN_LOG_LEVEL", "WARNING")},
}

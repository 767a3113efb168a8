"""A small fixed-window rate limit in Django's cache, for the public checker and report form.

Anonymous callers are counted by IP address (``REMOTE_ADDR``: behind a reverse proxy, set it
from the proxy's header there). A logged-in person is counted by account, so a school whose
teachers share one public IP does not exhaust the limit for everyone.
"""

from __future__ import annotations

import time

from django.conf import settings

from lachan.web.ratelimit import hit

# bucket → (requests, seconds); override with LACHAN_SCAM_RATE_LIMITS = {"check": [20, 60]…}
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "check": (30, 60),
    "check_user": (120, 60),
    "batch": (20, 60),
    "report": (10, 3600),
    "report_user": (30, 3600),
}


def limit_for(bucket: str) -> tuple[int, int]:
    custom = getattr(settings, "LACHAN_SCAM_RATE_LIMITS", None) or {}
    count, seconds = custom.get(bucket, DEFAULT_LIMITS[bucket])
    return int(count), int(seconds)


def client_key(request) -> tuple[str, str]:
    """("user", id) for a logged-in person, ("ip", address) otherwise."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return "user", str(user.pk)
    return "ip", request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request, bucket: str) -> bool:
    """Count one request; False when the caller is over the limit of ``bucket``."""
    who, ident = client_key(request)
    name = f"{bucket}_user" if who == "user" and f"{bucket}_user" in DEFAULT_LIMITS else bucket
    count, seconds = limit_for(name)
    window = int(time.time() // seconds)
    key = f"lachan:scams:rl:{name}:{who}:{ident}:{window}"
    return hit(key, seconds + 5) <= count

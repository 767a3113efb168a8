"""Counting requests in fixed windows in Django's cache — the one rate-limit counter.

The public scam checker and report form, and class join codes, count with it. With several
web processes, point ``LACHAN_CACHE_URL`` at Redis so they share the counts (the default
in-process cache counts per process).
"""

from __future__ import annotations

from django.core.cache import cache


def hit(key: str, seconds: int) -> int:
    """Count one event under ``key`` (kept ``seconds``); returns the count so far."""
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def count(key: str) -> int:
    """How many events ``key`` holds now."""
    return int(cache.get(key) or 0)

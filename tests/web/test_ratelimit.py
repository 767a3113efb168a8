"""The one rate-limit counter, in Django's cache — and on the real Redis."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from lachan.web import ratelimit


def test_counts_in_the_window_and_expires():
    assert ratelimit.count("t:a") == 0
    assert [ratelimit.hit("t:a", 60) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.count("t:a") == 3
    assert ratelimit.hit("t:b", 60) == 1


@pytest.mark.redis
def test_shared_counts_on_redis():
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
        }
    }
    with override_settings(CACHES=redis_cache):
        caches["default"].clear()
        try:
            assert ratelimit.hit("t:redis", 30) == 1
            assert ratelimit.hit("t:redis", 30) == 2
            assert ratelimit.count("t:redis") == 2
        finally:
            caches["default"].clear()

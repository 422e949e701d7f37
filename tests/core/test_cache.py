"""The Redis cache backend keeps one client per pool (apps.core.cache)."""

from __future__ import annotations

import pytest
from django.core.cache import caches


@pytest.mark.redis
def test_redis_cache__one_client_reused__values_round_trip(settings):
    cache = caches["default"]
    assert type(cache).__module__ == "apps.core.cache"

    cache.set("cache-test-key", {"n": 1}, 30)

    assert cache.get("cache-test-key") == {"n": 1}
    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)
    cache.delete("cache-test-key")
    assert cache.get("cache-test-key") is None

"""A shared cache that never takes the app down: Django's own RedisCache, but a Redis that
is away (stopped, restarting, unreachable) is a miss and a logged warning, never a 500.

``CACHE_URL`` (``redis://host:6379/0``) puts the page cache and the header fragments
here, so every app server shares one cache (settings.py). What is cached is always
rebuilt from the database on a miss, so losing Redis costs speed, not correctness;
``/readyz`` reports it (``ping``). ``clear()`` empties the Redis database the URL names:
give the app a database of its own.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("partnercenter.cache")

#: At most one "Redis is away" warning per process in this many seconds.
WARN_EVERY_SECONDS = 60


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose reads miss and whose writes are skipped while Redis is away."""

    _last_warning = 0.0

    def _away(self, operation: str, exc: Exception, default=None):
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= WARN_EVERY_SECONDS:
            ResilientRedisCache._last_warning = now
            logger.warning("Redis cache unavailable (%s: %s); serving without it", operation, exc)
        return default

    def ping(self) -> bool:
        """True when Redis answers; raises RedisError when it doesn't (for ``/readyz``)."""
        return self._cache.get_client(write=True).ping()

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            return self._away("get", exc, default)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            return self._away("get_many", exc, {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            return self._away("has_key", exc, False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except RedisError as exc:
            return self._away("set", exc)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            return self._away("add", exc, False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as exc:
            return self._away("set_many", exc, list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as exc:
            return self._away("touch", exc, False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as exc:
            return self._away("delete", exc, False)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except RedisError as exc:
            return self._away("delete_many", exc)

    def clear(self):
        try:
            return super().clear()
        except RedisError as exc:
            return self._away("clear", exc, False)

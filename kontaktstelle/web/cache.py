"""A Redis cache that fails open: when Redis is down, hung or answers garbage, it misses.

The cache only ever speeds things up (public pages, the search vocabulary), so its
failure must never fail a request or roll back a save. Every operation that cannot
reach Redis returns what a miss returns (``get`` the default, ``add``/``set`` False,
``incr`` None) and the error is swallowed. An entry that Redis returns but that cannot
be read (garbage) is a miss for that key alone.

A dead or frozen Redis would otherwise cost one timeout per request. A circuit breaker
per process stops that: after a failure the cache is not asked for
``KONTAKTSTELLE_CACHE_RETRY_SECONDS`` (every call misses at once), then one call
tries again. One warning is logged when an outage begins and one line when it ends.

The timeouts come from ``REDIS_CONNECT_TIMEOUT`` and ``REDIS_SOCKET_TIMEOUT``
(settings), tens of milliseconds: Redis on the same network answers in well under one.
"""

import functools
import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CircuitBreaker:
    """Open for ``retry_seconds`` after a failure; shared by all threads of a process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.open_until = 0.0
        self.down = False

    def allows(self):
        return time.monotonic() >= self.open_until

    def failed(self, error):
        with self._lock:
            self.open_until = time.monotonic() + settings.KONTAKTSTELLE_CACHE_RETRY_SECONDS
            if not self.down:
                self.down = True
                logger.warning(
                    "The cache cannot be reached (%s: %s); pages are served uncached and "
                    "it is tried again every %s s.",
                    type(error).__name__,
                    error,
                    settings.KONTAKTSTELLE_CACHE_RETRY_SECONDS,
                )

    def succeeded(self):
        if self.down:
            with self._lock:
                if self.down:
                    self.down = False
                    logger.warning("The cache can be reached again.")

    def reset(self):
        with self._lock:
            self.open_until = 0.0
            self.down = False


breaker = CircuitBreaker()


def _fails_open(miss):
    """Run the cache operation, or return ``miss(*args, **kwargs)`` if it cannot."""

    def decorate(method):
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            if not breaker.allows():
                return miss(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except UNREACHABLE as error:  # refused, timed out, connection lost
                breaker.failed(error)
                return miss(*args, **kwargs)
            # Redis answered, but not with a value of ours (a garbled or foreign entry):
            # a miss for this key only; the page rendered instead overwrites it.
            except Exception as error:
                logger.info("Unreadable cache entry ignored (%s).", type(error).__name__)
                return miss(*args, **kwargs)
            breaker.succeeded()
            return result

        return wrapped

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _false(*args, **kwargs):
    return False


def _none(*args, **kwargs):
    return None


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache whose every operation fails open (see the module)."""

    get = _fails_open(_default)(RedisCache.get)
    add = _fails_open(_false)(RedisCache.add)
    set = _fails_open(_false)(RedisCache.set)
    touch = _fails_open(_false)(RedisCache.touch)
    delete = _fails_open(_false)(RedisCache.delete)
    has_key = _fails_open(_false)(RedisCache.has_key)
    incr = _fails_open(_none)(RedisCache.incr)
    get_many = _fails_open(_empty)(RedisCache.get_many)
    set_many = _fails_open(_all_failed)(RedisCache.set_many)
    delete_many = _fails_open(_none)(RedisCache.delete_many)
    clear = _fails_open(_false)(RedisCache.clear)

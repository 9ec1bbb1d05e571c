"""One redis-py connection pool per process and URL.

Django keeps a cache object per async context, so under Daphne every request would build
its own redis-py pool and connection, and redis-py reads its package metadata for each
new connection: measured at 4-21 % of a worker's CPU on the reader API (bench/README.md).
CACHES uses this class as `pool_class`, so all of them share one pool."""

import threading

import redis


class SharedConnectionPool(redis.ConnectionPool):
    _shared: dict = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url, **kwargs):
        key = (url, tuple(sorted(kwargs.items())))
        with cls._lock:
            if key not in cls._shared:
                cls._shared[key] = super().from_url(url, **kwargs)
            return cls._shared[key]

"""Settings of the Daphne workers that bench/gateway_bench.py and the gateway load tests
(tests/cardgateway/test_gateway_*.py) start: production's (dev's with
GATEWAY_SETTINGS_BASE=dev, for tests whose terminals are encrypted with the dev key).
base.py holds what the benchmark found Daphne needs:

- CONN_MAX_AGE = 0. Under ASGI every request runs in a thread of its own, so a
  persistent connection (base.py's 60 s) is never reused: each request opens a new one
  and the old one stays open, idle, until the garbage collector finds it. Eight busy
  readers keep ~75 idle sessions open and 16 exhaust max_connections (100): "FATAL:
  sorry, too many clients already". With 0 each request closes its connection.
- DATABASE_POOL_SIZE=N (--db-pool): Django's psycopg pool of at most N connections per
  process instead: no connection set-up per request, and a bound on sessions.
- One Redis connection pool per process (portal/redis_pool.py)."""

import os

if os.environ.get("GATEWAY_SETTINGS_BASE", "production") == "dev":
    from portal.settings.dev import *  # noqa: F403
else:
    from portal.settings.production import *  # noqa: F403

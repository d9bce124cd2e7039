"""A circuit breaker in front of Redis, shared by the cache and the rate limiter of one process.

Redis is an accelerator: when it fails (refuses, times out, or accepts and never answers) the process stops
asking it for ``REDIS_BREAKER_SECONDS`` and serves from memory at once, instead of paying a socket timeout on
every request. When that time is up, one connection probes Redis; if it answers, Redis is used again, else the
breaker stays open for another period. It works at the connection level (``BreakerConnection``, the
``connection_class`` of every client the app builds), so the cache's client and Flask-Limiter's storage
share it without knowing about each other.
"""

from __future__ import annotations

import logging
import threading
import time

from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

OPEN_SECONDS = 30.0


def now() -> float:
    """The breaker's clock (a test moves it on instead of waiting)."""
    return time.monotonic()


class Breaker:
    """Closed (Redis used), open (skipped until ``retry_at``), or probing (one connection tries)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.open_seconds = OPEN_SECONDS  # the setting at the time it is made; configure() updates it
        self.retry_at: float | None = None  # None: closed
        self.probing = False

    def allow(self) -> bool:
        """Whether a connection may try Redis now: always when closed; once per period when open."""
        with self.lock:
            if self.retry_at is None:
                return True
            if self.probing or now() < self.retry_at:
                return False
            self.probing = True
            return True

    def failed(self, error: BaseException) -> None:
        with self.lock:
            if self.retry_at is None:
                log.warning("Redis failed (%s); skipped for %.0f s", type(error).__name__, self.open_seconds)
            self.retry_at, self.probing = now() + self.open_seconds, False

    def succeeded(self) -> None:
        if self.retry_at is None:  # the common case, answered without the lock
            return
        with self.lock:
            if self.retry_at is not None:
                log.info("Redis answers again")
            self.retry_at, self.probing = None, False

    def reset(self) -> None:
        self.succeeded()


_breakers: dict[tuple[str, int], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(host: str, port: int) -> Breaker:
    """The breaker of one Redis server (the cache's and the rate limiter's may be two servers)."""
    key = (host, int(port))
    found = _breakers.get(key)
    if found is None:
        with _breakers_lock:
            found = _breakers.setdefault(key, Breaker())
    return found


def configure(open_seconds: float) -> None:
    """Set how long a failed Redis is skipped (``REDIS_BREAKER_SECONDS``)."""
    global OPEN_SECONDS
    OPEN_SECONDS = float(open_seconds)
    for found in list(_breakers.values()):
        found.open_seconds = OPEN_SECONDS


def reset_all() -> None:
    """Close every breaker (tests: each starts with Redis trusted again)."""
    for found in list(_breakers.values()):
        found.reset()


class BreakerConnection(Connection):
    """A Redis connection that does not even connect while the breaker is open, and opens it on any failure to
    connect, send or read (a hung Redis: the socket timeout)."""

    @property
    def breaker(self) -> Breaker:
        return breaker_for(self.host, self.port)

    def connect(self):
        if self._sock is not None:
            return
        if not self.breaker.allow():
            raise RedisConnectionError("Redis skipped for a while after a failure (circuit breaker open)")
        try:
            super().connect()
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            self.breaker.failed(error)
            raise

    def send_packed_command(self, command, check_health=True):
        try:
            return super().send_packed_command(command, check_health)
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            self.breaker.failed(error)
            raise

    def read_response(self, *args, **kwargs):
        try:
            response = super().read_response(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            self.breaker.failed(error)
            raise
        self.breaker.succeeded()
        return response


def client_options(timeout: float) -> dict:
    """The options of every Redis client of the app: short socket timeouts, the breaker, and no retries (a retry
    of a hung Redis only multiplies the wait; the breaker decides when to try again)."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "connection_class": BreakerConnection,
        "retry": Retry(NoBackoff(), 0),
    }

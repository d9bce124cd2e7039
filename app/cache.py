"""Rendered bytes of public feeds (and later pages), keyed by the version of the data they were built from.

A feature names the models its public content is made of (``track("events", Plan, Activity, …)``); any flush
that inserts, changes or deletes one of them raises that content's version in ``content_versions``, inside the
same transaction. A cache key carries the version, so a change shows the moment it is committed, and an entry of
an older version is simply never asked for again (it expires by its TTL). Entries live in Redis when
``REDIS_URL`` is set, shared by every worker; without Redis, or while it is down, in a small per-process LRU:
Redis accelerates, it is never needed.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from flask import current_app
from sqlalchemy import event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import ContentVersion

log = logging.getLogger(__name__)

_TRACKED: dict[type, str] = {}
TTL_SECONDS = 3600
_MEMORY_ENTRIES = 256


def track(name: str, *models: type) -> None:
    """Raise ``name``'s version whenever one of ``models`` is written (registered when a blueprint is set up)."""
    for model in models:
        _TRACKED[model] = name


@event.listens_for(Session, "before_flush")
def _raise_versions(session, flush_context, instances) -> None:
    names = {
        name
        for obj in (*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o)))
        for model, name in _TRACKED.items()
        if isinstance(obj, model)
    }
    for name in sorted(names):  # a fixed order: two writers raising two versions never deadlock
        bump(session, name)


def bump(session: Session, name: str) -> None:
    """Raise ``name``'s version in the session's transaction (on its connection: no autoflush inside a flush)."""
    connection = session.connection()
    table = ContentVersion.__table__
    raised = connection.execute(update(table).where(table.c.name == name).values(version=table.c.version + 1)).rowcount
    if raised == 0:
        try:
            with connection.begin_nested():
                connection.execute(insert(table).values(name=name, version=1))
        except IntegrityError:  # another transaction created the row meanwhile
            connection.execute(update(table).where(table.c.name == name).values(version=table.c.version + 1))


def version(session: Session, name: str) -> int:
    """The committed version of ``name`` (0 before any change)."""
    return session.scalar(select(ContentVersion.version).where(ContentVersion.name == name)) or 0


class _Memory:
    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_memory = _Memory(_MEMORY_ENTRIES)


def forget_local() -> None:
    """Empty this process's cache (tests, which start every database again from version 0, call it)."""
    with _memory.lock:
        _memory.items.clear()


_clients: dict[str, object] = {}


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if url not in _clients:
        import redis

        timeout = current_app.config.get("REDIS_TIMEOUT", 1.0)
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    return _clients[url]


def get(key: str) -> bytes | None:
    """The cached bytes under ``key``, or None."""
    client = _redis()
    if client is not None:
        try:
            return client.get("dxday:" + key)
        except Exception as error:  # noqa: BLE001 (Redis down: serve from memory, never fail the request)
            log.warning("cache: Redis unavailable (%s); using memory", type(error).__name__)
    return _memory.get(key)


def put(key: str, value: bytes) -> None:
    """Keep ``value`` under ``key`` for ``TTL_SECONDS``."""
    client = _redis()
    if client is not None:
        try:
            client.set("dxday:" + key, value, ex=TTL_SECONDS)
            return
        except Exception as error:  # noqa: BLE001
            log.warning("cache: Redis unavailable (%s); using memory", type(error).__name__)
    _memory.set(key, value)

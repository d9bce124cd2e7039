"""Rendered bytes of public feeds (and later pages), keyed by the version of the data they were built from.

A feature names the models its public content is made of (``track("events", Plan, Activity, …)``); any flush
that inserts, changes or deletes one of them raises that content's version in ``content_versions``, inside the
same transaction. A cache key carries the version, so a change shows the moment it is committed, and an entry of
an older version is simply never asked for again (it expires by its TTL). Entries live in Redis when
``REDIS_URL`` is set, shared by every worker; without Redis, or while it is down, in a small per-process LRU:
Redis accelerates, it is never needed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime

from flask import Response, current_app
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
    """The committed version of ``name`` (0 before any change). Read once per GET request (a page asks for it for
    its cache key, its area filter, …): a GET writes nothing, so it cannot change under the request's feet."""
    from flask import g, has_request_context, request

    reading = has_request_context() and request.method in ("GET", "HEAD")
    if reading:
        seen = g.setdefault("_content_versions", {})
        if name in seen:
            return seen[name]
    found = session.scalar(version_query(name)) or 0
    if reading:
        seen[name] = found
    return found


def version_query(name: str):
    """The SELECT of ``name``'s version, for a view that reads it with something else in one round trip (then
    passes it to ``seen_version``)."""
    return select(ContentVersion.version).where(ContentVersion.name == name)


def seen_version(name: str, found: int | None) -> None:
    """Keep a version read with something else (``version_query``) as this GET request's version of ``name``."""
    from flask import g, has_request_context, request

    if has_request_context() and request.method in ("GET", "HEAD"):
        g.setdefault("_content_versions", {})[name] = found or 0


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
    with _memo_lock:
        _memo.clear()
    from .fields import KeptOptionsSelect
    from .redis_breaker import reset_all

    KeptOptionsSelect.forget()
    reset_all()
    with _hosts_lock:
        _hosts.clear()


_clients: dict[str, object] = {}


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if url not in _clients:
        import redis

        from .redis_breaker import client_options

        _clients[url] = redis.Redis.from_url(url, **client_options(current_app.config.get("REDIS_TIMEOUT", 0.25)))
    return _clients[url]


def _prefixed(key: str) -> str:
    return current_app.config.get("CACHE_PREFIX", "dxday:") + key


def get(key: str) -> bytes | None:
    """The cached bytes under ``key``, or None."""
    client = _redis()
    if client is not None:
        try:
            return client.get(_prefixed(key))
        except Exception as error:  # noqa: BLE001 (Redis down: serve from memory, never fail the request)
            log.warning("cache: Redis unavailable (%s); using memory", type(error).__name__)
    return _memory.get(key)


def put(key: str, value: bytes) -> None:
    """Keep ``value`` under ``key`` for ``TTL_SECONDS``."""
    client = _redis()
    if client is not None:
        try:
            client.set(_prefixed(key), value, ex=TTL_SECONDS)
            return
        except Exception as error:  # noqa: BLE001
            log.warning("cache: Redis unavailable (%s); using memory", type(error).__name__)
    _memory.set(key, value)


# --- what a cache key may hold: the site's address, and the query parameters a view reads --------------------

_hosts: set[str] = set()
_hosts_lock = threading.Lock()
_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]{0,250}[a-z0-9])?(:[0-9]{1,5})?|\[[0-9a-f:.]{2,45}\](:[0-9]{1,5})?")


def site_key() -> str | None:
    """The site's address for a cache key: ``CANONICAL_URL`` when set (whatever Host the request carried).
    Without it a page holds the address it was asked at, so it is kept per address, but only for the first
    ``CACHE_HOSTS`` well-formed addresses this process is reached at; None (do not cache) for any other, so
    random Host headers cannot fill the cache."""
    from flask import request

    canonical = current_app.config.get("CANONICAL_URL")
    if canonical:
        return canonical + "/"
    host = request.host
    if host in _hosts:
        return request.host_url
    if not _HOST.fullmatch(host):
        return None
    with _hosts_lock:
        if host not in _hosts and len(_hosts) >= current_app.config.get("CACHE_HOSTS", 4):
            return None
        _hosts.add(host)
    return request.host_url


def query_key(params: Mapping[str, Callable[[str], bool]]) -> str | None:
    """The query string as a cache key: only the parameters the view reads (``params``: name → whether a value is
    in the one form the site's own links write), each once, empty ones left out, in a fixed order. None (serve,
    but do not keep) for any other parameter, a repeated one, or a value in another form: each of those would
    otherwise be one more page kept."""
    from flask import request

    pairs = []
    for name in sorted(request.args):
        values = request.args.getlist(name)
        check = params.get(name)
        if check is None or len(values) != 1:
            return None
        if values[0] == "":
            continue
        if not check(values[0]):
            return None
        pairs.append(f"{name}={values[0]}")
    return "&".join(pairs)


# --- computed values per data version (per process) --------------------------------------------------------

_memo: dict[tuple, object] = {}
_memo_lock = threading.Lock()


def memo(session: Session, name: str, key: str, compute):
    """``compute()``'s value, computed once per process for each version of ``name`` (e.g. the unit tree for the
    area filter: once per change to the units, not per request). Treat the value as read-only: every request of
    this process shares it. Only the current version's values are kept."""
    current = version(session, name)
    wanted = (name, key, current)
    with _memo_lock:
        if wanted in _memo:
            return _memo[wanted]
    value = compute()
    with _memo_lock:
        for old in [k for k in _memo if k[0] == name and k[1] == key and k[2] != current]:
            del _memo[old]
        _memo[wanted] = value
    return value


# --- whole pages for anonymous visitors ----------------------------------------------------------------------

_CSRF_FIELD = "csrf_token"


def _placeholder() -> str:
    """What stands for the visitor's CSRF token in a cached page: derived from the secret key, so the same in
    every worker and not guessable by someone typing it into an activity's title."""
    digest = hmac.new(current_app.secret_key.encode(), b"dxday:page-csrf-placeholder", hashlib.sha256).hexdigest()
    return f"csrf-placeholder-{digest[:32]}"


def anonymous_visit() -> bool:
    """Whether this request may be answered with a page shared by every visitor: a GET (or HEAD) by someone not
    signed in, with no message flashed for them to see."""
    from flask import request, session
    from flask_login import current_user

    return request.method in ("GET", "HEAD") and not current_user.is_authenticated and not session.get("_flashes")


def page(
    session: Session,
    name: str,
    key: str | Callable[[], str],
    render: Callable[[], tuple[str | Response, datetime | None]],
    *,
    now: datetime,
    params: Mapping[str, Callable[[str], bool]] | None = None,
):
    """A public HTML page as anonymous visitors see it, kept as rendered bytes per ``key`` (the view's own parts:
    what else than the URL the page depends on, e.g. the day or the free seats; a function when finding it
    costs a query, so that it is run for anonymous visitors only), URL, language, site address and
    version of ``name``; others (signed in, or with a flashed message) get ``render()`` as it comes.

    ``render() -> (html or a response, valid_until)``: ``valid_until`` is the first moment the page would read
    differently with no change to the data (registration opening, the activity ending); None when only the key
    decides. A response (a redirect, an error page) is passed on, never kept.

    The page is rendered with a stand-in for the CSRF token (the language switch carries one); each visitor gets
    their own token put in. So the page must not hold anything else of one visitor (no submission key, no name).
    The key holds the query string only as ``query_key(params)`` (``params``: the parameters the view reads; none
    by default) and the site's address only as ``site_key()``: a request with anything else is served, not kept.

    It is sent ``Cache-Control: private, no-cache`` with an ETag of the content and the visitor's session, so a
    phone revalidates and is answered 304 with no body while neither changes."""
    from flask import g, request
    from flask_babel import get_locale
    from flask_wtf.csrf import generate_csrf

    query, site = (query_key(params or {}), site_key()) if anonymous_visit() else (None, None)
    if query is None or site is None:
        rendered, _valid_until = render()
        return rendered
    if callable(key):
        key = key()
    full_key = f"page:{key}:{request.path}?{query}:{get_locale()}:{version(session, name)}:{site}"
    hit = get(full_key)
    if hit is not None:
        etag, stamp, until, body = hit.split(b"\n", 3)
        if until and now.timestamp() >= float(until):
            hit = None
        else:
            etag, last_modified = etag.decode(), datetime.fromisoformat(stamp.decode())
    if hit is None:
        g.pop(_CSRF_FIELD, None)
        setattr(g, _CSRF_FIELD, _placeholder())  # what generate_csrf() gives while the page renders
        try:
            rendered, valid_until = render()
        finally:
            g.pop(_CSRF_FIELD, None)
        if not isinstance(rendered, str):
            return rendered
        body = rendered.encode()
        etag = hashlib.sha256(body).hexdigest()[:32]
        last_modified = now.replace(microsecond=0)
        until = f"{valid_until.timestamp():.0f}".encode() if valid_until is not None else b""
        put(full_key, b"\n".join([etag.encode(), last_modified.isoformat().encode(), until, body]))
    token = generate_csrf()  # the visitor's own (made and kept in their session if they had none)
    from flask import session as browser_session

    visitor = hashlib.sha256(str(browser_session.get(_CSRF_FIELD, "")).encode()).hexdigest()[:12]
    response = current_app.response_class(mimetype="text/html")
    response.set_etag(f"{etag}-{visitor}", weak=True)  # the bytes differ by the token's timestamp: weak
    response.last_modified = last_modified
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.vary.add("Cookie")
    if request.if_none_match.contains_weak(f"{etag}-{visitor}"):
        response.status_code = 304
        return response
    response.set_data(body.replace(_placeholder().encode(), token.encode()))
    return response

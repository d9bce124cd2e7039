"""URL helpers shared by every blueprint: the ``int`` converter bounded to the database's integer range, and
absolute URLs on the configured canonical address (``CANONICAL_URL``) rather than the request's Host header."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import current_app, has_request_context, request, url_for
from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**31 - 1  # PostgreSQL's INTEGER, the type of every id column


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` that refuses values no id column can hold, so ``/events/plans/99999999999`` is a plain 404
    instead of a database error. Installed app-wide by ``create_app`` before any blueprint is registered."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (werkzeug's names)
        bounded = MAX_DB_INT if max is None or max > MAX_DB_INT else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bounded, signed=signed)


def canonical_url(value: str | None) -> str | None:
    """``CANONICAL_URL`` checked once at start-up: ``https://host[:port][/prefix]`` without a trailing slash."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"CANONICAL_URL must look like https://dxday.example.gov.vn, not {value!r}")
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for feeds, e-mails and anything read away from the site. With ``CANONICAL_URL`` it is
    always on that address, whatever Host header the request carried (and also outside any request, in a job);
    without it, on the address the request came to (``url_for(..., _external=True)``)."""
    canonical = current_app.config.get("CANONICAL_URL")
    if not canonical:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(canonical)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def site_root() -> str:
    """The site's root with a trailing slash ("https://dxday.example.gov.vn/"): CANONICAL_URL, else the
    request's own (``request.host_url``). Feed UIDs take their host from it."""
    canonical = current_app.config.get("CANONICAL_URL")
    if canonical:
        return canonical + "/"
    return request.host_url if has_request_context() else url_for("main.index", _external=True)


def site_host() -> str:
    """The host name of ``site_root()`` (no scheme, no port): the domain part of iCalendar UIDs."""
    return urlsplit(site_root()).hostname or "localhost"

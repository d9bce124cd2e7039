"""The bench's scenarios, one module per feature, found here by name: adding a feature's load means adding a
module ``bench/scenarios/<feature>.py`` that calls ``register(Feature(...))`` — nothing else in the runner changes,
and the results keep their format (one row per scenario, as a share of its ceiling).

A feature gives:
- ``scenarios(ctx) -> list[Scenario]``: the wrk scenarios, each a request (method, path, headers, body with
  ``{phone}``/``{key}`` placeholders) and the status that counts as success; it may fetch what it needs from the
  running app first (a CSRF token, a cookie, an ETag: ``ctx.get(path)``) and add lines to ``ctx.notes``;
- ``load(session, ctx) -> None`` (optional): its own rows, written after the province's (``ctx.data``), e.g.
  20,000 tickets for the check-in scanners;
- ``checks``: runs after the scenarios, each ``Check(name, run)`` where ``run(ctx) -> (line, ok)`` gives the
  line for the notes (e.g. the registration race: exactly 100 confirmed).

``BENCH_SCENARIOS`` selects scenarios and checks by a word of their name, as before.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from .. import dataset


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str  # "page" (against the ceiling's GET /select) or "write" (against POST /insert)
    method: str
    path: str
    expect: str
    headers: str = ""
    body: str | None = None
    phone_prefix: str = "09"
    tokens_file: str | None = None  # lines handed out one per request as "{token}" (e.g. signed tickets)
    connections: int | None = None  # wrk's connections for this scenario and its ceiling (default: the setting)

    @property
    def ceiling(self) -> str:
        return "/select" if self.kind == "page" else "/insert"


@dataclass
class Context:
    """What a feature's scenarios and checks see: the running app, its database and the loaded data."""

    base: str  # the app's address, http://127.0.0.1:port
    port: int
    database_url: str
    data: dataset.Dataset
    facts: dict = field(default_factory=dict)  # shared between a feature's scenarios and its checks
    ceiling: str = ""  # the ceiling app's address, for a check that compares with it (empty: none running)
    notes: list[str] = field(default_factory=list)  # lines for the report, under the table

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310 (our own server)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


def session_cookie(headers: dict) -> str:
    """The ``Cookie:`` value that sends back what a response set."""
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookie.items())


def page_csrf(body: bytes) -> str:
    """The CSRF token of a page's form (its hidden ``csrf_token`` field)."""
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', body
    )
    if not match:
        raise RuntimeError(f"no CSRF token in the page: {body[:300]!r}")
    return match.group(1).decode()


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[Context], tuple[str, bool]]


@dataclass(frozen=True)
class Feature:
    name: str
    scenarios: Callable[[Context], list[Scenario]]
    load: Callable[[object, Context], None] | None = None
    checks: tuple[Check, ...] = ()
    order: int = 100  # features run in this order (events first), then by name


FEATURES: dict[str, Feature] = {}


def register(feature: Feature) -> Feature:
    if feature.name in FEATURES and FEATURES[feature.name] is not feature:
        raise ValueError(f"two bench features are named {feature.name!r}")
    FEATURES[feature.name] = feature
    return feature


def features() -> list[Feature]:
    """Every feature of this package's modules, in running order."""
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return sorted(FEATURES.values(), key=lambda feature: (feature.order, feature.name))


def selected(name: str, only: frozenset[str] | None) -> bool:
    """Whether ``BENCH_SCENARIOS`` (words) selects the scenario or check called ``name`` (None: all)."""
    return only is None or any(word in name for word in only)

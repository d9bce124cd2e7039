"""Fixtures for the real-browser tests: Debian's Chromium driven by Playwright, and axe-core.

Playwright's own browser download is not used: the tests launch /usr/bin/chromium (``make browser`` installs it).
When it is missing, the browser tests are skipped with a reason, except under CI=true, where they fail.

Every test in this folder is marked ``browser`` (``pytest -m "not browser"`` leaves them out). Each test gets its
own browser context (cookies, storage, viewport); the browser itself is started once per session. The app is
served over real HTTP with CSRF protection ON, unlike the rest of the suite, so the forms are tested the way
people use them."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent / "artifacts"  # git-ignored: screenshots of the last run
DESKTOP = {"width": 1280, "height": 800}
BLOCKING_IMPACTS = ("critical", "serious")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session."""
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (make browser)"
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Served:
    url: str
    app: Flask


class InFlight:
    """WSGI middleware that lets a test's server close cleanly: once closed, it answers 503 without touching the
    app, and ``close()`` waits for the requests already inside the app. Without it a page's background request
    (a service worker keeping a page, a scanner's sync) can hold a database transaction while the test's tables
    are emptied, which PostgreSQL ends as a deadlock."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.running = 0
        self.closed = False
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            if self.closed:
                start_response("503 Service Unavailable", [("Content-Length", "0"), ("Connection", "close")])
                return [b""]
            self.running += 1
        try:
            return self.wsgi_app(environ, start_response)  # Flask ends the request's session before returning
        finally:
            with self.changed:
                self.running -= 1
                self.changed.notify_all()

    def close(self, timeout: float = 10) -> None:
        with self.changed:
            self.closed = True
            self.changed.wait_for(lambda: self.running == 0, timeout)


@pytest.fixture
def csrf_live_server(make_app):
    """The app, with CSRF protection on, served over real HTTP in a background thread (like ``live_server``)."""
    app = make_app(WTF_CSRF_ENABLED=True)
    gate = InFlight(app)
    server = make_server("127.0.0.1", 0, gate, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    gate.close()
    thread.join(timeout=5)


@pytest.fixture
def context_options():
    """Options for the test's browser context; a module overrides this fixture for another device."""
    return {"viewport": DESKTOP}


@pytest.fixture
def new_context(chromium):
    """Make more browser contexts in one test; all are closed at the end."""
    contexts = []

    def factory(**options):
        context = chromium.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, context_options):
    """A page in a fresh browser context (no cookies) for this test."""
    return new_context(**context_options).new_page()


def run_axe(page):
    """axe-core's violations on the page as it is now (the DOM in its current state, closed menus included).

    No ``bypass_csp`` is needed: the app's CSP forbids inline scripts, but Playwright's ``page.evaluate`` runs
    through the DevTools protocol, which CSP does not govern, so axe is injected into the page under its real
    policy."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}  [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            target = " ".join(" >>> ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    at {target}")
            if node.get("failureSummary"):
                lines.append("       " + node["failureSummary"].replace("\n", "\n       "))
    return "\n".join(lines)


@pytest.fixture
def assert_accessible():
    """``assert_accessible(page)``: axe-core finds no serious or critical violation on the current page."""

    def check(page, label: str | None = None) -> None:
        blocking = [v for v in run_axe(page) if v.get("impact") in BLOCKING_IMPACTS]
        if blocking:
            where = f"{label} ({page.url})" if label else page.url
            pytest.fail(
                f"axe-core found {len(blocking)} serious/critical accessibility violation(s) on {where}:\n"
                + describe_violations(blocking),
                pytrace=False,
            )

    return check


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

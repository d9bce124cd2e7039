"""WSGI middleware around the app: the proxies it trusts and Secure cookies over HTTPS."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def register_proxies(app: Flask) -> None:
    """Believe the X-Forwarded-* headers of exactly ``TRUSTED_PROXIES`` proxies (none by default), so that the
    client's address (rate limits) and scheme (``request.is_secure``) are the real ones behind nginx; and mark
    every cookie Secure on a request that came over HTTPS."""
    app.wsgi_app = _SecureCookiesOverHttps(app.wsgi_app)
    trusted = int(app.config.get("TRUSTED_PROXIES") or 0)
    if trusted > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted, x_port=trusted)


class _SecureCookiesOverHttps:
    """WSGI middleware: on a request whose scheme is https (after ProxyFix), every Set-Cookie gets ``Secure``.
    One rule for the session, the remember-me and the language cookies, even when SESSION_COOKIE_SECURE was
    forgotten. It sits inside ProxyFix, so it sees the scheme the client used."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [
                (name, value + "; Secure")
                if name.lower() == "set-cookie" and "secure" not in value.lower().replace(" ", "").split(";")
                else (name, value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)

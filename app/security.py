"""The headers every response carries (the content security policy first) and the request guards that run
before any view. Features that need a wider policy build theirs from ``CSP`` here, never from the factory."""

from __future__ import annotations

from flask import Flask, abort, request

# The content security policy of every page; a page that needs more (the check-in scanner's decoder runs in a
# Blob worker) sets its own header from this one, which the after-request hook then leaves alone.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    """Every response gets the CSP and the browser hardening headers, unless the view set its own."""
    csp = CSP

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_input_guards(app: Flask) -> None:
    """A NUL byte in the path or the query string (``/admin/users?q=%00``) is a 400 before any view runs:
    PostgreSQL cannot even compare text with one. Form fields get a field error instead (app/forms.py)."""

    @app.before_request
    def refuse_nul_bytes():
        if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
            abort(400)

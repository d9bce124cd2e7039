"""Domain errors (plain Python, raised by services) and the HTML/JSON error handlers."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken. ``code`` is stable (clients match on it); ``message`` is shown
    to the user; ``field`` names the form field it belongs to, if any; ``status`` is the HTTP status."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.field = field


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


def register_error_handlers(app) -> None:
    """HTML pages in the layout for browsers; ``{"error": {"code", "message"}}`` for JSON clients."""
    from flask import jsonify, render_template, request
    from flask_babel import gettext as _
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    def wants_json() -> bool:
        if "/api/" in request.path or request.is_json:
            return True
        best = request.accept_mimetypes.best_match(["text/html", "application/json"])
        return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]

    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("You do not have permission to open this page."),
        404: lambda: _("The page you are looking for does not exist."),
        405: lambda: _("This action is not allowed here."),
        413: lambda: _("The file is too large."),
        429: lambda: _("Too many attempts. Please wait a moment and try again."),
        500: lambda: _("Something went wrong on our side. Your data was not changed; please try again."),
    }
    codes = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        429: "rate_limited",
        500: "server_error",
    }

    def respond(status: int, code: str, message: str):
        if wants_json():
            return jsonify(error={"code": code, "message": message}), status
        return render_template("errors/page.html", status=status, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return respond(
            400,
            "csrf_failed",
            _("Your form expired or was sent from another site. Please reload the page and try again."),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return respond(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        message = messages.get(status, lambda: error.description)()
        body, status = respond(status, codes.get(status, "http_error"), message)
        kept = {k: v for k, v in error.get_response().headers.items() if k in ("Allow", "Retry-After")}
        return body, status, kept

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        from .extensions import db

        db.session.rollback()
        app.logger.exception("unhandled error")
        return respond(500, codes[500], messages[500]())


def json_error(status: int, code: str, message, fields: dict | None = None):
    """The API's one error shape: ``{"error": {"code", "message", "fields"?}}`` with ``status``."""
    from flask import jsonify

    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = {name: [str(m) for m in messages] for name, messages in fields.items()}
    return jsonify(error=body), status

"""The events feature's JSON API (described in /api/openapi.json).

Writes are CSRF-protected like every other write: a client first reads
``GET /events/api/activities/<id>/registration`` (which answers ``csrf_token`` and sets the session cookie),
then sends the token back in the ``X-CSRFToken`` header. An ``Idempotency-Key`` header (32-64 URL-safe
characters) makes retries of the same request answer the same registration."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from app.errors import DomainError, json_error
from app.extensions import db, limiter
from app.models import utcnow
from app.timezone import campaign_zone

from . import bp
from .forms.registration import RegistrationForm
from .services import registration as services
from .views.registration import rate_limit, register_from

API_FIELDS = ("name", "phone", "ward_id", "email", "consent")


def _form_value(name: str, value) -> str:
    if name == "consent":
        return "y" if value is True else ""  # only JSON true is consent: not 1, "yes" or "on"
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


@bp.route("/api/activities/<int:activity_id>/registration")
def registration_api_status(activity_id: int):
    try:
        activity = services.public_activity(db.session, activity_id)
    except DomainError as error:
        return json_error(error.status, error.code, error.message)
    message = None
    try:
        services.check_registration_open(activity, utcnow(), tz=campaign_zone())
    except DomainError as error:
        message = str(error.message)
    summary = services.registration_summary(db.session, activity_id)
    return jsonify(
        open=message is None,
        message=message,
        capacity=summary["capacity"],
        seats_left=summary["seats_left"],
        csrf_token=generate_csrf(),
    )


@bp.route("/api/activities/<int:activity_id>/registrations", methods=["POST"])
@limiter.limit(rate_limit, methods=["POST"])
def registration_api_create(activity_id: int):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return json_error(400, "bad_request", _("Send the registration as a JSON object."))
    formdata = MultiDict({name: _form_value(name, payload.get(name)) for name in API_FIELDS})
    # CSRFProtect has already checked the X-CSRFToken header for this request; the form need not look again.
    form = RegistrationForm(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        return json_error(422, "invalid", _("Please correct the fields marked below."), form.errors)
    try:
        result = register_from(form, activity_id, request.headers.get("Idempotency-Key"))
    except DomainError as error:
        db.session.rollback()
        fields = {error.field: [error.message]} if error.field else None
        return json_error(error.status, error.code, error.message, fields)
    registration = result.registration
    body = {  # read before the commit, which expires what was loaded: no query after it
        "status": registration.status,
        "token": registration.token,
        "position": result.position,
        "url": url_for(".registration_page", token=registration.token, _external=True),
    }
    db.session.commit()
    return jsonify(body), 201 if result.created else 200

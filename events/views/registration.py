"""Registration pages: the citizen's form and confirmation, cancelling, the organizer's list, and a JSON API.

The JSON API is CSRF-protected like every other write: a client first reads
``GET /events/api/activities/<id>/registration`` (which answers ``csrf_token`` and sets the session cookie),
then sends the token back in the ``X-CSRFToken`` header. An ``Idempotency-Key`` header (32-64 URL-safe
characters) makes retries of the same request answer the same registration."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from jinja2 import TemplateNotFound
from werkzeug.datastructures import MultiDict

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db, limiter
from app.models import utcnow

from .. import bp
from ..forms.registration import SUBMISSION_PATTERN, RegistrationForm, ward_choices
from ..models import Activity
from ..services import registration as services

log = logging.getLogger(__name__)

API_FIELDS = ("name", "phone", "ward_id", "email", "consent")
# Rendered inside the confirmation page for a confirmed registration (context: registration, activity).
TICKET_TEMPLATE = "checkin/_ticket.html"


def _rate_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _token_from_key(key: str | None) -> str | None:
    """The ticket token for a submission key: unguessable without the server's secret, the same for a replay."""
    if not key:
        return None
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, b"dxday-registration:" + key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()  # 32 characters, like secrets.token_urlsafe(24)


def _valid_token(token: str) -> str:
    if not SUBMISSION_PATTERN.match(token):
        abort(404)
    return token


def _register(form: RegistrationForm, activity_id: int, now, key: str | None):
    """The page and the JSON API register the same way; the key (page key or Idempotency-Key) makes replays safe."""
    return services.register(
        db.session,
        activity_id,
        name=form.name.data,
        phone=form.phone.data,
        ward_id=form.ward_id.data,
        email=form.email.data,
        consent=form.consent.data,
        now=now,
        token=_token_from_key(key),
    )


def _form(**kwargs) -> RegistrationForm:
    form = RegistrationForm(**kwargs)
    form.ward_id.choices = ward_choices(services.wards_by_district(db.session))
    return form


@bp.app_template_filter("mask_phone")
def mask_phone(phone: str | None) -> str:
    return services.mask_phone(phone)


@bp.route("/activities/<int:activity_id>/register", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def registration_form(activity_id: int):
    activity = _public_activity_or_404(activity_id)
    now = utcnow()
    form = _form()
    closed_message = None
    try:
        services.check_registration_open(activity, now)
    except DomainError as error:
        closed_message = error.message
    if form.validate_on_submit():
        try:
            result = _register(form, activity_id, now, form.submission_key())
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors.append(error.message)
            else:
                closed_message = error.message
        else:
            db.session.commit()
            registration = result.registration
            log.info("registration %s for activity %s: %s", registration.id, activity_id, registration.status)
            return redirect(url_for(".registration_page", token=registration.token), code=303)
    if not form.submission_key():
        form.submission.data = secrets.token_urlsafe(24)
    return render_template(
        "events/registration/form.html",
        activity=activity,
        form=form,
        closed_message=closed_message,
        retention_until=services.retention_until(activity.plan),
        contact_unit=activity.plan.lead_unit or activity.plan.issuing_unit or activity.lead_unit,
        summary=services.registration_summary(db.session, activity_id),
    )


def _public_activity_or_404(activity_id: int) -> Activity:
    try:
        return services.public_activity(db.session, activity_id)
    except DomainError:
        abort(404)


@bp.route("/registrations/<token>")
def registration_page(token: str):
    registration = services.ticket_for(db.session, _valid_token(token))
    if registration is None:
        abort(404)
    activity = registration.activity
    now = utcnow()
    response = current_app.make_response(
        render_template(
            "events/registration/confirmation.html",
            registration=registration,
            activity=activity,
            has_ticket=_has_ticket_template(),
            position=services.waitlist_position(db.session, registration),
            can_cancel=registration.status != services.CANCELLED and now < activity.starts_at,
            can_register_again=services.registration_state(activity, now) == "open",
        )
    )
    # The link is the ticket: keep it out of search engines and shared caches.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _has_ticket_template() -> bool:
    # The check-in feature adds the QR ticket by providing this template; until then the page says it will come.
    try:
        current_app.jinja_env.get_template(TICKET_TEMPLATE)
    except TemplateNotFound:
        return False
    return True


@bp.route("/registrations/<token>/cancel", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def registration_cancel(token: str):
    try:
        registration = services.cancel(db.session, _valid_token(token), utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for(".registration_page", token=token), code=303)
    db.session.commit()
    log.info("registration %s cancelled", registration.id)
    flash(_("Your registration is cancelled. Thank you for letting us know."), "success")
    return redirect(url_for(".registration_page", token=token), code=303)


@bp.route("/activities/<int:activity_id>/registrations")
@role_required("organizer")
def registration_list(activity_id: int):
    activity = db.session.get(Activity, activity_id) or abort(404)
    return render_template(
        "events/registration/list.html",
        activity=activity,
        rows=services.list_registrations(db.session, activity_id),
        summary=services.registration_summary(db.session, activity_id),
    )


# --- JSON --------------------------------------------------------------------------------------------------


def _json_error(status: int, code: str, message, fields: dict | None = None):
    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = {name: [str(m) for m in messages] for name, messages in fields.items()}
    return jsonify(error=body), status


def _form_value(value):
    if isinstance(value, bool):
        return "y" if value else ""
    return "" if value is None else str(value)


@bp.route("/api/activities/<int:activity_id>/registration")
def registration_api_status(activity_id: int):
    try:
        activity = services.public_activity(db.session, activity_id)
    except DomainError as error:
        return _json_error(error.status, error.code, error.message)
    message = None
    try:
        services.check_registration_open(activity, utcnow())
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
@limiter.limit(_rate_limit, methods=["POST"])
def registration_api_create(activity_id: int):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _json_error(400, "bad_request", _("Send the registration as a JSON object."))
    formdata = MultiDict({name: _form_value(payload.get(name)) for name in API_FIELDS})
    # CSRFProtect has already checked the X-CSRFToken header for this request; the form need not look again.
    form = _form(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        return _json_error(422, "invalid", _("Please correct the fields marked below."), form.errors)
    key = request.headers.get("Idempotency-Key", "")
    try:
        services.public_activity(db.session, activity_id)  # internal activities are not found, as on the page
        result = _register(form, activity_id, utcnow(), key if SUBMISSION_PATTERN.match(key) else None)
    except DomainError as error:
        db.session.rollback()
        status = 422 if error.code in ("consent_required", "unknown_ward", "name_required", "invalid_phone") else None
        fields = {error.field: [error.message]} if error.field else None
        return _json_error(status or error.status, error.code, error.message, fields)
    db.session.commit()
    registration = result.registration
    body = {
        "status": registration.status,
        "token": registration.token,
        "position": result.position,
        "url": url_for(".registration_page", token=registration.token, _external=True),
    }
    return jsonify(body), 201 if result.created else 200

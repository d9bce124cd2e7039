"""Registration pages: the citizen's form and confirmation, cancelling, and the organizer's list."""

from __future__ import annotations

import logging
import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import role_required, safe_next
from app.errors import DomainError
from app.extensions import db, limiter
from app.models import utcnow
from app.services import normalise_phone
from app.timezone import campaign_zone

from .. import bp
from ..forms.registration import FindRegistrationForm, RegistrationForm, ward_choices
from ..models import Activity
from ..services import registration as services
from . import xlsx_response

log = logging.getLogger(__name__)


def rate_limit() -> str:
    """Citizens' registrations and cancellations allowed per address (the page and the API share it)."""
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def offer_wards(form: RegistrationForm) -> RegistrationForm:
    """The wards to choose from, for a page that shows the form (a POST is checked by the service instead)."""
    form.ward_id.choices = ward_choices(services.wards_by_district(db.session))
    return form


def register_from(form: RegistrationForm, activity_id: int, submission_key: str | None):
    """Register what a validated form holds; the key (page key or Idempotency-Key) makes replays safe."""
    return services.register(
        db.session,
        activity_id,
        name=form.name.data,
        phone=form.phone.data,
        ward_id=form.ward_id.data,
        email=form.email.data,
        consent=form.consent.data,
        now=utcnow(),
        tz=campaign_zone(),
        secret=current_app.config["SECRET_KEY"],
        submission_key=submission_key,
        locale=str(get_locale()),
    )


def _valid_token(token: str) -> str:
    if not services.SUBMISSION_KEY.match(token):
        abort(404)
    return token


@bp.app_template_filter("mask_phone")
def mask_phone(phone: str | None) -> str:
    return services.mask_phone(phone)


@bp.app_template_filter("names_in_order")
def names_in_order(units) -> list[str]:
    """The names of units (coordinators, a stop's participants) in Vietnamese order."""
    return sorted((unit.name for unit in units or ()), key=services.vietnamese_sort_key)


@bp.route("/activities/<int:activity_id>/register", methods=["GET", "POST"])
@limiter.limit(rate_limit, methods=["POST"])
def registration_form(activity_id: int):
    form = RegistrationForm()
    if form.validate_on_submit():
        # register() loads and checks the activity itself (404 below when it is not public): a successful POST
        # reads it once.
        try:
            result = register_from(form, activity_id, form.submission_key())
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            registration = result.registration
            registration_id, status, token = registration.id, registration.status, registration.token
            db.session.commit()
            log.info("registration %s for activity %s: %s", registration_id, activity_id, status)
            return redirect(url_for(".registration_page", token=token), code=303)
    try:
        activity = services.public_activity(db.session, activity_id)
    except DomainError:
        abort(404)
    closed_message = None
    try:
        services.check_registration_open(activity, utcnow(), tz=campaign_zone())
    except DomainError as error:
        closed_message = error.message
    if not form.submission_key():
        form.submission.data = secrets.token_urlsafe(24)
    default = url_for("events.activity_detail", activity_id=activity.id)
    return render_template(
        "events/registration/form.html",
        activity=activity,
        **back_link(default),
        form=offer_wards(form),
        closed_message=closed_message,
        retention_until=services.retention_until(activity.plan),
        contact_unit=activity.plan.lead_unit or activity.plan.issuing_unit or activity.lead_unit,
        summary=services.registration_summary(db.session, activity_id),
    )


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
            position=services.waitlist_position(db.session, registration),
            can_cancel=registration.status != services.CANCELLED and now < activity.starts_at,
            can_register_again=services.registration_state(activity, now) == "open",
        )
    )
    # The link is the ticket: keep it out of search engines and shared caches.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/registrations/<token>/cancel", methods=["POST"])
@limiter.limit(rate_limit, methods=["POST"])
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


def back_link(default: str | None) -> dict:
    """Where "Back" goes: the page the person came from (``next``, a path on this site only: never another
    site, never this very page), else ``default``; ``next_path`` carries it through the form's POST."""
    target = safe_next(request.args.get("next"), "")
    if target.split("?")[0] == request.path:  # "back" to this very page would go nowhere
        target = ""
    return {"back_url": target or default, "next_path": target or None}


def _phone_key() -> str:
    # Per phone as well as per address: a phone's links are sent a few times an hour at most, from anywhere.
    return "find:" + (normalise_phone(request.form.get("phone")) or "")


@bp.route("/registrations/find", methods=["GET", "POST"])
@limiter.limit(rate_limit, methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=_phone_key)
def find_registration():
    form = FindRegistrationForm()
    if form.validate_on_submit():
        found = services.resend_links(db.session, form.phone.data, form.email.data, utcnow())
        db.session.commit()
        log.info("registration links asked for: %s found", found)
        # The same answer whether the phone has registrations or not: the page must not tell who registered.
        return redirect(url_for(".find_registration", sent=1, next=back_link(None)["next_path"]), code=303)
    return render_template(
        "events/registration/find.html",
        form=form,
        sent=request.args.get("sent") == "1",
        **back_link(url_for("events.calendar")),
    )


@bp.route("/activities/<int:activity_id>/registrations")
@role_required("organizer")
def registration_list(activity_id: int):
    """The organizer's list: search by name or phone, counts by ward. Phones stay masked here too (a list on a
    screen is read over shoulders); the XLSX export below carries them in full and is audited."""
    activity = db.get_or_404(Activity, activity_id)
    rows = services.list_registrations(db.session, activity_id)
    query = (request.args.get("q") or "").strip()[:100]
    return render_template(
        "events/registration/list.html",
        activity=activity,
        rows=services.sort_people(services.filter_registrations(rows, query)),
        total=len(rows),
        query=query,
        wards=services.ward_counts(rows),
        summary=services.registration_summary(db.session, activity_id),
    )


@bp.route("/activities/<int:activity_id>/registrations.xlsx")
@role_required("organizer")
def registration_export(activity_id: int):
    """Every registration of the activity with full phone numbers, for the organizer; the export is recorded in
    the audit trail (who, which activity, how many rows; never the data itself)."""
    activity = db.get_or_404(Activity, activity_id)
    rows = services.sort_people(services.list_registrations(db.session, activity_id))
    content = services.registrations_workbook(rows, activity, tz=campaign_zone())
    services.record_export(db.session, activity_id, len(rows), current_user.id)
    db.session.commit()
    log.info("registrations of activity %s exported: %s rows", activity_id, len(rows))
    # Personal data: the download helper marks it no-store, so no copy stays in any cache.
    return xlsx_response(content, f"Đăng ký hoạt động {activity_id}.xlsx")

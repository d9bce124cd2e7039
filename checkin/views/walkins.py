"""Walk-ins: a volunteer at a checkpoint of the activity (or an organizer) registers a person on the spot and
shows the ticket at once. A double submit (a double tap, a retry on the square's Wi-Fi) registers once."""

from __future__ import annotations

import logging

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db, limiter
from app.models import utcnow
from app.person_fields import ward_choices
from app.scopes import get_in_scope
from app.submissions import new_key, run_once
from app.timezone import campaign_zone
from events.models import Activity
from events.services import registration

from .. import bp
from ..forms.walkins import WalkInForm
from ..models import Checkpoint

log = logging.getLogger(__name__)


def _activity_for_desk(activity_id: int) -> Activity:
    """The activity, if the current user may register walk-ins for it: organizers, and volunteers assigned to one
    of its checkpoints (404 for other volunteers, as for an activity that does not exist)."""
    return get_in_scope(db.session, Activity, activity_id, current_user, rule=Checkpoint.activity_scope)


def walk_in_limit() -> str:
    return current_app.config["WALKIN_RATE_LIMIT"]


def desk_key() -> str:
    """Rate-limit key of the volunteer (or organizer) at the desk, wherever they sign in from; else the address."""
    if current_user.is_authenticated:
        return f"walk-in:{current_user.id}"
    return request.remote_addr or ""


@bp.route("/activities/<int:activity_id>/walk-in", methods=["GET", "POST"])
@limiter.limit(walk_in_limit, methods=["POST"], key_func=desk_key)
@role_required("organizer", "volunteer")
def walk_in(activity_id: int):
    activity = _activity_for_desk(activity_id)
    form = WalkInForm()
    if form.validate_on_submit():
        key = form.submission_key()

        def action() -> str:
            result = registration.register(
                db.session,
                activity.id,
                name=form.name.data,
                phone=form.phone.data,
                ward_id=form.ward_id.data,
                email=None,
                consent=form.consent.data,
                now=utcnow(),
                tz=campaign_zone(),
                secret=current_app.config["SECRET_KEY"],
                submission_key=key,
                locale=str(get_locale()),
                walk_in=True,
            )
            log.info("walk-in %s for activity %s: %s", result.registration.id, activity.id, result.registration.status)
            return url_for("checkin.walk_in_ticket", activity_id=activity.id, token=result.registration.token)

        try:
            url, _replayed = run_once(key, action)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            return redirect(url, code=303)
    if not form.submission_key():
        form.submission.data = new_key()
    form.ward_id.choices = ward_choices(registration.wards_by_district(db.session))
    state = None
    try:
        registration.check_walk_ins_open(activity, utcnow())
    except DomainError as error:
        state = error.message
    return render_template(
        "checkin/walkins/form.html",
        activity=activity,
        form=form,
        closed_message=state,
        summary=registration.registration_summary(db.session, activity.id),
    )


@bp.route("/activities/<int:activity_id>/walk-in/<token>")
@role_required("organizer", "volunteer")
def walk_in_ticket(activity_id: int, token: str):
    """The ticket of the person just registered, to scan or photograph at the booth. The address holds the
    registration's secret token, so a volunteer cannot step through other people's tickets by number."""
    activity = _activity_for_desk(activity_id)
    if not registration.SUBMISSION_KEY.match(token):
        abort(404)
    found = registration.ticket_for(db.session, token)
    if found is None or found.activity_id != activity.id:
        abort(404)
    response = current_app.make_response(
        render_template(
            "checkin/walkins/ticket.html",
            activity=activity,
            registration=found,
            position=registration.waitlist_position(db.session, found),
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response

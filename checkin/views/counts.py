"""Live counts: the organizer's table per checkpoint and hour, and the public big screen for the square."""

from __future__ import annotations

import time

from flask import abort, current_app, render_template
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import cache
from app.auth import role_required
from app.extensions import db
from app.models import utcnow
from app.timezone import campaign_zone
from events.models import Activity

from .. import bp
from ..services import checkpoints as checkpoint_services
from ..services import counts as services

SCREEN_REFRESH = 15  # seconds between two refreshes of the big screen
# The screen's figures are computed at most once per this many seconds (per language, shared by every worker
# through the cache), however many screens and visitors ask and however fast tickets are scanned.
SCREEN_WINDOW = 10


def _window() -> int:
    return int(time.time()) // SCREEN_WINDOW


@bp.route("/activities/<int:activity_id>/counts")
@role_required("organizer")
def counts(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    points = services.checkpoint_counts(db.session, activity.id)
    return render_template(
        "checkin/counts/index.html",
        activity=activity,
        points=points,
        hours=services.hourly_counts(db.session, activity.id, tz=campaign_zone(), at=activity.starts_at),
        hour_label=services.hour_label,
        figures=services.screen_figures(db.session, activity.id),
        assigned=checkpoint_services.assignments(db.session, [point.checkpoint_id for point in points]),
        now=utcnow(),
    )


def _render_screen(activity: Activity) -> bytes:
    return render_template(
        "checkin/counts/screen.html",
        activity=activity,
        figures=services.screen_figures(db.session, activity.id),
        refresh=SCREEN_REFRESH,
        now=utcnow(),
    ).encode()


@bp.route("/activities/<int:activity_id>/screen")
def screen(activity_id: int):
    """The big screen for the square: numbers only, refreshing itself. Anonymous visitors (the screen's browser)
    get the rendered bytes from the cache, kept per data version and for ``SCREEN_WINDOW`` seconds of scans."""
    activity = db.session.scalar(
        select(Activity)
        .where(Activity.id == activity_id)
        .options(joinedload(Activity.plan), joinedload(Activity.venue))
    )
    if activity is None or not activity.is_visible_to(current_user):
        abort(404)
    if current_user.is_authenticated:
        body = _render_screen(activity)
    else:
        key = ":".join(
            str(part)
            for part in (
                "screen",
                activity.id,
                get_locale(),
                *services.data_version(db.session),
                _window(),
            )
        )
        body = cache.get(key)
        if body is None:
            body = _render_screen(activity)
            cache.put(key, body)
    response = current_app.response_class(body, mimetype="text/html")
    response.headers["Cache-Control"] = f"public, max-age={SCREEN_WINDOW}" if activity.is_visible else "no-store"
    response.vary.add("Cookie")
    return response

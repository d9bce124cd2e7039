"""iCalendar feeds: one per plan, per kind of activity and per unit, and a download per activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models import Unit
from app.timezone import campaign_zone
from app.urls import external_url, site_root

from .. import bp
from ..models import ActivityKind
from ..services import calendar as cal
from ..services import feeds

# Kind and unit feeds keep a year of past activities: enough to look back, without growing forever.
FEED_HISTORY = timedelta(days=365)
MAX_AGE = 300  # seconds a client or proxy may reuse a feed before asking again (with If-None-Match)


def _ics_response(activities, name: str, *, filename: str | None = None, public: bool = True):
    body = feeds.build_calendar(
        activities,
        name=name,
        now=datetime.now(UTC),
        base_url=site_root(),
        activity_url=lambda activity_id: external_url("events.activity_detail", activity_id=activity_id),
        tz=campaign_zone(),
    )
    response = current_app.response_class(body, mimetype="text/calendar")
    etag = feeds.feed_etag(body)
    response.set_etag(etag)
    last_modified = feeds.feed_last_modified(activities)
    if last_modified is not None:
        response.last_modified = last_modified
    response.vary.add("Cookie")  # names and descriptions follow the visitor's language
    if public:
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
    else:  # an organizer's download of an internal activity must not sit in a shared cache
        response.cache_control.private = True
        response.cache_control.no_store = True
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Only the ETag decides 304: a date cannot tell that an activity left the feed (made internal, deleted),
    # since the newest remaining change may be older than the client's copy.
    if request.if_none_match.contains(etag):
        response.status_code = 304
        response.set_data(b"")
    return response


@bp.route("/activities/<int:activity_id>.ics")
def activity_ics(activity_id: int):
    activity = cal.activity_for_page(db.session, activity_id, current_user)
    if activity is None:
        abort(404)
    return _ics_response([activity], activity.title, filename=f"activity-{activity.id}.ics", public=activity.is_visible)


@bp.route("/plans/<int:plan_id>/calendar.ics")
def plan_ics(plan_id: int):
    plan = cal.visible_plan(db.session, plan_id)
    if plan is None:
        abort(404)
    return _ics_response(cal.public_activities(db.session, plan_id=plan.id, with_programme=True), plan.title)


@bp.route("/kinds/<kind>/calendar.ics")
def kind_ics(kind: str):
    if kind not in set(ActivityKind):
        abort(404)
    activities = cal.public_activities(
        db.session, kinds=[kind], start=datetime.now(UTC) - FEED_HISTORY, with_programme=True
    )
    return _ics_response(activities, f"{_('DX Day 10/10')} – {ActivityKind(kind).label}")


@bp.route("/units/<int:unit_id>/calendar.ics")
def unit_ics(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    activities = cal.public_activities(
        db.session, unit_id=unit.id, start=datetime.now(UTC) - FEED_HISTORY, with_programme=True
    )
    return _ics_response(activities, f"{_('DX Day 10/10')} – {unit.name}")

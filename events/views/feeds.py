"""iCalendar feeds: one per plan, per kind of activity and per unit, and a download per activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app import cache
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


def _build(activities, name: str) -> tuple[bytes, str, datetime | None]:
    body = feeds.build_calendar(
        activities,
        name=name,
        now=datetime.now(UTC),
        base_url=site_root(),
        activity_url=lambda activity_id: external_url("events.activity_detail", activity_id=activity_id),
        tz=campaign_zone(),
    )
    return body, feeds.feed_etag(body), feeds.feed_last_modified(activities)


def _ics_response(body: bytes, etag: str, last_modified, *, filename: str | None = None, public: bool = True):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.set_etag(etag)
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


def _public_feed(key: str, load):
    """A public feed from the cache when its data has not changed since it was built (the key carries the data
    version, the language and the site's address), else built by ``load() -> (activities, name) | None`` (None:
    404) and kept. A phone asking again with its ETag gets 304 without the feed being built."""
    site = cache.site_key()  # None: an address not kept (a stray Host header): built, not kept
    key = f"feed:{key}:{get_locale()}:{cache.version(db.session, 'events')}:{site}"
    hit = cache.get(key) if site is not None else None
    if hit is not None:
        etag, stamp, body = hit.split(b"\n", 2)
        last_modified = datetime.fromisoformat(stamp.decode()) if stamp else None
        return _ics_response(body, etag.decode(), last_modified)
    loaded = load()
    if loaded is None:
        abort(404)
    body, etag, last_modified = _build(*loaded)
    stamp = last_modified.isoformat() if last_modified else ""
    if site is not None:
        cache.put(key, b"\n".join([etag.encode(), stamp.encode(), body]))
    return _ics_response(body, etag, last_modified)


@bp.route("/activities/<int:activity_id>.ics")
def activity_ics(activity_id: int):
    activity = cal.activity_for_page(db.session, activity_id, current_user)
    if activity is None:
        abort(404)
    # Not cached: an organizer may download an internal activity, so the answer depends on who asks.
    body, etag, last_modified = _build([activity], activity.title)
    return _ics_response(body, etag, last_modified, filename=f"activity-{activity.id}.ics", public=activity.is_visible)


@bp.route("/plans/<int:plan_id>/calendar.ics")
def plan_ics(plan_id: int):
    def load():
        plan = cal.visible_plan(db.session, plan_id)
        if plan is None:
            return None
        return cal.public_activities(db.session, plan_id=plan.id, with_programme=True), plan.title

    return _public_feed(f"plan:{plan_id}", load)


def _since() -> datetime:
    return datetime.now(UTC) - FEED_HISTORY


@bp.route("/kinds/<kind>/calendar.ics")
def kind_ics(kind: str):
    if kind not in set(ActivityKind):
        abort(404)

    def load():
        activities = cal.public_activities(db.session, kinds=[kind], start=_since(), with_programme=True)
        return activities, f"{_('DX Day 10/10')} – {ActivityKind(kind).label}"

    # The window of past activities moves with the day: the day is part of the key.
    return _public_feed(f"kind:{kind}:{datetime.now(UTC).date()}", load)


@bp.route("/units/<int:unit_id>/calendar.ics")
def unit_ics(unit_id: int):
    def load():
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            return None
        activities = cal.public_activities(db.session, unit_id=unit.id, start=_since(), with_programme=True)
        return activities, f"{_('DX Day 10/10')} – {unit.name}"

    return _public_feed(f"unit:{unit_id}:{datetime.now(UTC).date()}", load)

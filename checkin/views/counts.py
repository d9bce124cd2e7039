"""Live counts: the organizer's table per checkpoint and hour, and the public big screen for the square."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import cache
from app.auth import role_required
from app.extensions import db
from app.models import utcnow
from app.providers import live as live_figures
from app.timezone import campaign_zone
from app.urls import MAX_DB_INT, external_url
from events.models import Activity
from events.services.registration import registration_state

from .. import bp
from ..models import Checkpoint
from ..services import checkpoints as checkpoint_services
from ..services import counts as services
from ..services import screen as screen_services
from ..services.tickets import qr_svg

SCREEN_REFRESH = 15  # seconds between two refreshes of the big screen
# The screen's figures are computed at most once per this many seconds (per language, shared by every worker
# through the cache), however many screens and visitors ask and however fast tickets are scanned.
SCREEN_WINDOW = 10


def _window() -> int:
    return int(utcnow().timestamp()) // SCREEN_WINDOW


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
        screen_days=screen_services.activity_days(activity.starts_at, activity.ends_at, campaign_zone()),
        now=utcnow(),
    )


def _render_screen(activity: Activity, day, now) -> bytes:
    tz = campaign_zone()
    board = screen_services.board(
        db.session, activity.id, day=day, tz=tz, now=now, opens=activity.starts_at, closes=activity.ends_at
    )
    live = []
    for item in live_figures.collect(db.session, activity.plan_id, now):
        size, path = qr_svg(external_url(item.endpoint, **item.values))
        live.append((item, external_url(item.endpoint, **item.values), size, path))
    registering = registration_state(activity, now) == "open"
    join_url = external_url(
        "events.registration_form" if registering else "events.activity_detail", activity_id=activity.id
    )
    join_size, join_path = qr_svg(join_url)
    days = screen_services.activity_days(activity.starts_at, activity.ends_at, tz)
    return render_template(
        "checkin/counts/screen.html",
        activity=activity,
        board=board,
        live=live,
        join=(registering, join_url, join_size, join_path),
        day_number=days.index(day) + 1 if len(days) > 1 else None,
        day_total=len(days),
        refresh=SCREEN_REFRESH,
        now=now,
    ).encode()


def _screen_response(activity: Activity):
    """The screen of ``activity`` on the day ``?day=`` names (ISO or dd/mm[/yyyy]; by default today, or the
    activity's nearest day). Anonymous visitors (the screen's browser) get the rendered bytes from the cache, kept
    per activity, day, language, site address, data version and ``SCREEN_WINDOW`` seconds of scans."""
    if not activity.is_visible_to(current_user):
        abort(404)
    tz, now = campaign_zone(), utcnow()
    days = screen_services.activity_days(activity.starts_at, activity.ends_at, tz)
    try:
        day = screen_services.parse_day(request.args.get("day"), days, now.astimezone(tz).date())
    except screen_services.BadDay:
        abort(404)
    site = None if current_user.is_authenticated else cache.site_key()
    if site is None:
        body = _render_screen(activity, day, now)
    else:
        parts = ("screen", activity.id, day.isoformat(), get_locale(), *services.data_version(db.session), _window())
        key = ":".join(str(part) for part in parts) + ":" + site
        body = cache.get(key)
        if body is None:
            body = _render_screen(activity, day, now)
            cache.put(key, body)
    response = current_app.response_class(body, mimetype="text/html")
    response.headers["Cache-Control"] = f"public, max-age={SCREEN_WINDOW}" if activity.is_visible else "no-store"
    response.vary.add("Cookie")
    return response


def _with_plan_and_venue(stmt):
    return stmt.options(joinedload(Activity.plan), joinedload(Activity.venue))


@bp.route("/activities/<int:activity_id>/screen")
def screen(activity_id: int):
    """The big screen for the square: one activity's day, numbers only, refreshing itself."""
    activity = db.session.scalar(_with_plan_and_venue(select(Activity).where(Activity.id == activity_id)))
    if activity is None:
        abort(404)
    return _screen_response(activity)


@bp.route("/plans/<int:plan_id>/screen")
def plan_screen(plan_id: int):
    """The big screen of a campaign: the plan's activity that ``?activity=`` names, or by default the one with
    checkpoints that is on now (else the next, else the last), so one screen set up for the whole campaign
    follows it from day to day."""
    wanted = request.args.get("activity", "")
    stmt = _with_plan_and_venue(select(Activity).where(Activity.plan_id == plan_id))
    if wanted:
        if not wanted.isascii() or not wanted.isdigit() or len(wanted) > 10 or int(wanted) > MAX_DB_INT:
            abort(404)
        activity = db.session.scalar(stmt.where(Activity.id == int(wanted)))
    else:
        with_points = select(Checkpoint.activity_id).where(Checkpoint.activity_id == Activity.id).exists()
        candidates = db.session.scalars(
            stmt.where(with_points, Activity.cancelled.is_(False)).order_by(Activity.starts_at, Activity.id)
        ).all()
        activity = screen_services.current_activity([c for c in candidates if c.is_visible_to(current_user)], utcnow())
    if activity is None:
        abort(404)
    return _screen_response(activity)

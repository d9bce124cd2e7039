"""The registration window: whether an activity takes sign-ups at a given moment, online or at the venue
(walk-ins), and the public activity a sign-up page shows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import DomainError, NotFound

from ...models import Activity, Plan


def registration_state(activity: Activity, now: datetime) -> str:
    """Where ``activity`` stands for sign-ups at ``now``: "open", "not_yet", "closed" (the window or the activity
    has passed), "cancelled" (the activity was called off) or "unavailable" (not public, not taking sign-ups)."""
    if activity.cancelled:
        return "cancelled"
    if not activity.is_visible or not activity.registration_open:
        return "unavailable"
    if activity.registration_opens_at is not None and now < activity.registration_opens_at:
        return "not_yet"
    if activity.registration_closes_at is not None and now >= activity.registration_closes_at:
        return "closed"
    if now >= activity.starts_at:
        return "closed"
    return "open"


def check_registration_open(activity: Activity, now: datetime, *, tz: ZoneInfo) -> None:
    """Raise ``registration_closed`` (with the reason a citizen understands) unless sign-ups are open at ``now``;
    times in the message are shown in ``tz``."""
    state = registration_state(activity, now)
    if state == "open":
        return
    if state == "cancelled":
        message = _l("This activity has been cancelled, so it no longer takes registrations.")
    elif state == "unavailable":
        message = _l("This activity does not take registrations online.")
    elif state == "not_yet":
        when = activity.registration_opens_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
        message = _l("Registration for this activity opens at %(when)s.", when=when)
    elif activity.starts_at <= now < activity.ends_at:
        message = _l(
            "The activity has started, so online registration has closed. You can still register at the venue's "
            "welcome desk until it ends at %(when)s.",
            when=activity.ends_at.astimezone(tz).strftime("%H:%M %d/%m/%Y"),
        )
    else:
        message = _l("Registration for this activity has closed.")
    raise DomainError(message, code="registration_closed", status=409)


def check_walk_ins_open(activity: Activity, now: datetime) -> None:
    """Raise ``registration_closed`` unless a person may still be registered at the venue (a walk-in, by a
    volunteer or an organizer at ``now``): until the activity ends, whatever its online registration window,
    unless it was cancelled."""
    if activity.cancelled:
        raise DomainError(
            _l("This activity has been cancelled, so it no longer takes registrations."),
            code="registration_closed",
            status=409,
        )
    if now >= activity.ends_at:
        raise DomainError(_l("This activity has ended."), code="registration_closed", status=409)


def public_activity(session: Session, activity_id: int) -> Activity:
    """The activity as citizens may see it (public, in a published or closed plan), with its plan, venue and
    lead units loaded; NotFound otherwise, so internal activities are not revealed."""
    activity = _activity(session, activity_id)
    if activity is None or not activity.is_visible:
        raise NotFound(_l("This activity does not exist or is not public."))
    return activity


def _activity(session: Session, activity_id: int) -> Activity | None:
    return session.scalar(
        select(Activity)
        .where(Activity.id == activity_id)
        .options(
            selectinload(Activity.plan).selectinload(Plan.lead_unit),
            selectinload(Activity.plan).selectinload(Plan.issuing_unit),
            selectinload(Activity.venue),
            selectinload(Activity.lead_unit),
        )
    )

"""Activities of a plan: saving one (with the plan's warnings to confirm), cancelling it, and its programme."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.models import Unit

from ..models import Activity, ActivityKind, Plan, ProgrammeItem, TourStop, Venue
from .conflicts import Warning, check_time_range, check_within_plan, confirm_warnings
from .registration.messages import tell_everyone_registered
from .registration.seats import promote_waitlist

ACTIVITY_FIELDS = (
    "title",
    "description",
    "kind",
    "starts_at",
    "ends_at",
    "venue_id",
    "lead_unit_id",
    "area_unit_id",
    "audience",
    "what_to_bring",
    "expected_headcount",
    "capacity",
    "is_public",
    "registration_open",
    "registration_opens_at",
    "registration_closes_at",
)
# A calendar subscriber must see these changes: they bump the iCalendar SEQUENCE.
_CALENDAR_FIELDS = {"title", "description", "starts_at", "ends_at", "venue_id", "what_to_bring"}
# The registered people are told of these changes (when and where), each change once.
_NOTIFIED_FIELDS = {"starts_at", "ends_at", "venue_id"}


def save_activity(
    session: Session,
    plan: Plan,
    activity: Activity | None,
    *,
    coordinator_ids: Iterable[int] = (),
    audience_groups: Iterable[str] = (),
    accept: bool = False,
    tz: ZoneInfo,
    now: datetime,
    **fields,
) -> tuple[Activity, list[Warning]]:
    """Create or update an activity of ``plan``; returns it with the warnings that concern it (all accepted).

    Errors: end not after start; a registration window that ends before it opens; a capacity below the seats
    already taken. Warnings (``NeedsConfirmation`` unless ``accept``): see ``conflicts.find_conflicts``. More seats
    than before let the waiting list in, oldest first (at ``now``); a new time or place is told to everyone
    registered."""
    check_time_range(fields.get("starts_at"), fields.get("ends_at"))
    check_within_plan(plan, fields["starts_at"], fields["ends_at"], tz)
    try:
        fields["kind"] = ActivityKind(fields.get("kind"))
    except ValueError:
        raise DomainError(_l("Choose a kind of activity."), code="bad_kind", field="kind") from None
    opens, closes = fields.get("registration_opens_at"), fields.get("registration_closes_at")
    if opens and closes and closes <= opens:
        raise DomainError(
            _l("Registration must close after it opens."),
            code="registration_window_reversed",
            field="registration_closes_at",
        )
    capacity = fields.get("capacity")
    if activity is not None and capacity is not None and capacity < activity.seats_taken:
        raise DomainError(
            _l(
                "%(count)s people are already registered; the capacity cannot go below that.",
                count=activity.seats_taken,
            ),
            code="capacity_below_taken",
            field="capacity",
        )
    venue = session.get(Venue, fields["venue_id"]) if fields.get("venue_id") else None
    if fields.get("area_unit_id") is None and venue is not None:
        fields["area_unit_id"] = venue.unit_id
    is_new = activity is None
    capacity_before = None if is_new else activity.capacity
    activity = activity or Activity(plan_id=plan.id, seats_taken=0, sequence=0, accepted_warnings=[])
    changed = {key for key in ACTIVITY_FIELDS if key in fields and getattr(activity, key, None) != fields[key]}
    for key in ACTIVITY_FIELDS:
        if key in fields:
            setattr(activity, key, fields[key])
    groups = sorted(set(audience_groups))
    activity.audience_groups = f",{','.join(groups)}," if groups else ""
    activity.coordinating_units = list(session.scalars(select(Unit).where(Unit.id.in_(list(coordinator_ids)))))
    if not is_new and changed & _CALENDAR_FIELDS:
        activity.sequence = (activity.sequence or 0) + 1
    session.add(activity)
    warnings = confirm_warnings(session, activity, accept=accept, tz=tz)
    more_seats = capacity_before is not None and (activity.capacity is None or activity.capacity > capacity_before)
    if more_seats:
        promote_waitlist(session, activity.id, now)
    if not is_new and changed & _NOTIFIED_FIELDS and not activity.cancelled:
        tell_everyone_registered(session, activity, "activity_changed", now=now, key=f"changed:{activity.sequence}")
    return activity, warnings


def cancel_activity(session: Session, activity: Activity, now: datetime) -> bool:
    """Cancel an activity (it stays on the calendar, struck through, so subscribers learn of it) and tell everyone
    registered. Idempotent: a second cancel changes nothing and sends nothing."""
    if activity.cancelled:
        return False
    activity.cancelled = True
    activity.registration_open = False
    activity.sequence = (activity.sequence or 0) + 1
    session.flush()
    # Keyed by the sequence: cancelled, restored, then cancelled again is told each time.
    tell_everyone_registered(session, activity, "activity_cancelled", now=now, key=f"cancelled:{activity.sequence}")
    return True


def restore_activity(session: Session, activity: Activity, now: datetime) -> bool:
    """Take back a cancellation (made by mistake, or the event is on again): the activity and every ticket of it
    are valid again, and everyone still registered is told. Registration stays closed until the organizer opens
    it. Idempotent: restoring an activity that is not cancelled changes nothing. An activity that is over cannot
    be restored (nobody could come, and its tickets would come back to life for nothing)."""
    if not activity.cancelled:
        return False
    if activity.ends_at <= now:
        raise DomainError(_l("This activity is over: it cannot be restored."), code="activity_over")
    activity.cancelled = False
    activity.sequence = (activity.sequence or 0) + 1
    session.flush()
    tell_everyone_registered(session, activity, "activity_restored", now=now, key=f"restored:{activity.sequence}")
    return True


# ---------------------------------------------------------------- programme


def save_programme_item(
    session: Session,
    activity: Activity,
    item: ProgrammeItem | None,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    responsible_unit_id: int | None,
    description: str = "",
    stop_id: int | None = None,
) -> ProgrammeItem:
    """Add or change a programme item; it must fall within its activity (or its tour stop)."""
    window_start, window_end = activity.starts_at, activity.ends_at
    if stop_id is not None:
        stop = session.get(TourStop, stop_id)
        if stop is None or stop.activity_id != activity.id:
            raise DomainError(_l("That stop is not part of this tour."), code="bad_stop", field="stop_id")
        window_start, window_end = stop.starts_at, stop.ends_at
    if ends_at is not None:
        check_time_range(starts_at, ends_at)
    if starts_at < window_start or (ends_at or starts_at) > window_end:
        raise DomainError(
            _l("The programme item must fall within the activity's time."),
            code="item_outside_activity",
            field="starts_at",
        )
    if item is None:
        item = ProgrammeItem()
        activity.programme.append(item)
    item.title, item.description = " ".join(title.split()), description.strip()
    item.starts_at, item.ends_at, item.responsible_unit_id, item.stop_id = (
        starts_at,
        ends_at,
        responsible_unit_id,
        stop_id,
    )
    session.add(item)
    return item


def remove_programme_item(session: Session, item: ProgrammeItem) -> int:
    """Remove an item from its programme; returns its activity's id."""
    activity_id = item.activity_id
    session.delete(item)
    return activity_id

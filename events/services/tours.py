"""Cluster tours: the event travels, stop by stop (a host unit receives the participating units for a few days)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.models import Unit

from ..models import Activity, ActivityKind, TourStop
from .conflicts import Warning, check_time_range, check_within_plan, confirm_warnings


def save_stop(
    session: Session,
    activity: Activity,
    stop: TourStop | None,
    *,
    name: str,
    host_unit_id: int,
    starts_at: datetime,
    ends_at: datetime,
    venue_id: int | None,
    participant_ids: Iterable[int],
    accept: bool = False,
    tz: ZoneInfo,
) -> tuple[TourStop, list[Warning]]:
    """Add or change a stop of a cluster tour; new stops go to the end of the itinerary."""
    if activity.kind != ActivityKind.CLUSTER_TOUR:
        raise DomainError(_l("Only a cluster tour has stops."), code="not_a_tour")
    check_time_range(starts_at, ends_at)
    check_within_plan(activity.plan, starts_at, ends_at, tz)
    participants = set(participant_ids)
    if host_unit_id in participants:
        raise DomainError(
            _l("The host unit is already the host; remove it from the participants."),
            code="host_participates",
            field="participant_ids",
        )
    if stop is None:
        last = session.scalar(select(func.max(TourStop.position)).where(TourStop.activity_id == activity.id))
        stop = TourStop(position=(last or 0) + 1)
        activity.stops.append(stop)  # keeps the loaded itinerary in step with the database
        activity.sequence = (activity.sequence or 0) + 1
    stop.name, stop.host_unit_id, stop.venue_id = " ".join(name.split()), host_unit_id, venue_id
    stop.starts_at, stop.ends_at = starts_at, ends_at
    stop.participating_units = list(session.scalars(select(Unit).where(Unit.id.in_(list(participants)))))
    session.add(stop)
    return stop, confirm_warnings(session, activity, accept=accept, tz=tz)


def move_stop(session: Session, stop: TourStop, offset: int) -> None:
    """Swap a stop with its neighbour (offset -1: earlier, +1: later) in the itinerary."""
    stops = session.scalars(
        select(TourStop).where(TourStop.activity_id == stop.activity_id).order_by(TourStop.position)
    ).all()
    index = stops.index(stop)
    other_index = index + offset
    if not 0 <= other_index < len(stops):
        return
    other = stops[other_index]
    # Positions are unique per tour: park one out of the way while swapping.
    a, b = stop.position, other.position
    stop.position = -1
    session.flush()
    other.position = a
    session.flush()
    stop.position = b


def remove_stop(session: Session, stop: TourStop) -> int:
    """Take a stop off the itinerary (its programme items go with it); returns the tour's id. Subscribers'
    calendars drop the stop's event, so the tour's SEQUENCE moves on."""
    activity = stop.activity
    activity.sequence = (activity.sequence or 0) + 1
    session.delete(stop)
    return activity.id

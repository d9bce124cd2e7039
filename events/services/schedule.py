"""Planning the campaign: plans and their status, venues, activities, tour stops and programme items.

Saving something that raises conflict warnings is a two-step affair: the change is flushed inside the caller's
transaction, the plan's warnings are computed from the database, and if some involve the saved record and were not
accepted, ``NeedsConfirmation`` is raised so the view can roll back and ask. Saving again with ``accept=True``
records the warnings' keys on the activity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import DomainError
from app.models import Unit

from ..models import Activity, ActivityKind, Plan, PlanStatus, ProgrammeItem, TourStop, Venue
from . import conflicts
from .conflicts import Slot, Warning
from .plans import CAMPAIGN_TZ

PLAN_TRANSITIONS = {
    PlanStatus.DRAFT.value: {PlanStatus.PUBLISHED.value},
    PlanStatus.PUBLISHED.value: {PlanStatus.CLOSED.value, PlanStatus.DRAFT.value},
    PlanStatus.CLOSED.value: {PlanStatus.PUBLISHED.value},
}


class NeedsConfirmation(DomainError):
    """The change is possible but raises warnings the organizer has not accepted yet."""

    code = "conflict_warnings"
    status = 409

    def __init__(self, warnings: list[Warning]):
        super().__init__(_l("Please review the warnings below and confirm to save anyway."))
        self.warnings = warnings


# ---------------------------------------------------------------- plans


def save_plan(session: Session, plan: Plan | None, **fields) -> Plan:
    """Create or update a plan. The period must be a real range; the peak lies inside it; numbers are unique."""
    start, end = fields["period_start"], fields["period_end"]
    if end < start:
        raise DomainError(
            _l("The period must end on or after its first day."), code="period_reversed", field="period_end"
        )
    peak_start, peak_end = fields.get("peak_start"), fields.get("peak_end")
    if (peak_start is None) != (peak_end is None):
        raise DomainError(_l("Give both days of the peak, or neither."), code="peak_incomplete", field="peak_end")
    if peak_start and peak_end:
        if peak_end < peak_start:
            raise DomainError(
                _l("The peak must end on or after its first day."), code="peak_reversed", field="peak_end"
            )
        if peak_start < start or peak_end > end:
            raise DomainError(_l("The peak must lie inside the period."), code="peak_outside", field="peak_start")
    deadline = fields.get("report_deadline")
    if deadline and deadline < start:
        raise DomainError(
            _l("The report deadline cannot come before the period starts."),
            code="deadline_early",
            field="report_deadline",
        )
    number = (fields.get("number") or "").strip() or None
    if number:
        clash = select(Plan.id).where(func.lower(Plan.number) == number.lower())
        if plan is not None and plan.id:
            clash = clash.where(Plan.id != plan.id)
        if session.scalar(clash):
            raise DomainError(_l("Another plan already has this number."), code="plan_number_taken", field="number")
    plan = plan or Plan(status=PlanStatus.DRAFT.value)
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.number = number
    plan.themes = _lines(fields.get("themes", ""))
    plan.slogans = _lines(fields.get("slogans", ""))
    session.add(plan)
    return plan


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def set_plan_status(plan: Plan, status: str) -> None:
    """Move a plan along draft → published → closed (a closed plan may be reopened, a published one withdrawn)."""
    if status not in PLAN_TRANSITIONS.get(plan.status, set()):
        raise DomainError(_l("A plan cannot go from this status to that one."), code="bad_status_change")
    if plan.status == PlanStatus.CLOSED.value and status == PlanStatus.PUBLISHED.value:
        plan.auto_close = False  # reopened on purpose: the scheduler must not close it again
    plan.status = status


def plan_with_schedule(session: Session, plan_id: int) -> Plan | None:
    """A plan with everything its page shows, in a handful of queries."""
    return session.scalar(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(
            selectinload(Plan.lead_unit),
            selectinload(Plan.issuing_unit),
            selectinload(Plan.activities).options(
                selectinload(Activity.venue),
                selectinload(Activity.lead_unit),
                selectinload(Activity.coordinating_units),
                selectinload(Activity.stops).options(
                    selectinload(TourStop.host_unit),
                    selectinload(TourStop.participating_units),
                    selectinload(TourStop.venue),
                ),
                selectinload(Activity.programme).selectinload(ProgrammeItem.responsible_unit),
            ),
        )
    )


# ---------------------------------------------------------------- conflicts over the database


def plan_slots(session: Session, plan_id: int) -> list[Slot]:
    """Every live activity and tour stop of a plan as conflict-detection slots."""
    activities = session.scalars(
        select(Activity)
        .where(Activity.plan_id == plan_id, Activity.cancelled.is_(False))
        .options(
            selectinload(Activity.venue),
            selectinload(Activity.lead_unit),
            selectinload(Activity.stops).options(selectinload(TourStop.host_unit), selectinload(TourStop.venue)),
        )
    ).all()
    slots: list[Slot] = []
    for activity in activities:
        venue = activity.venue
        slots.append(
            Slot(
                ref=f"activity:{activity.id}",
                title=activity.title,
                starts_at=activity.starts_at,
                ends_at=activity.ends_at,
                activity_id=activity.id,
                kind=activity.kind,
                venue_id=activity.venue_id,
                venue_name=venue.name if venue else "",
                venue_capacity=venue.capacity if venue else None,
                capacity=activity.capacity,
                unit_ids=(activity.lead_unit_id,) if activity.lead_unit_id else (),
                unit_names=(activity.lead_unit.name,) if activity.lead_unit else (),
            )
        )
        for stop in activity.stops:
            slots.append(
                Slot(
                    ref=f"stop:{stop.id}",
                    title=f"{activity.title} – {stop.name}",
                    starts_at=stop.starts_at,
                    ends_at=stop.ends_at,
                    activity_id=activity.id,
                    kind=activity.kind,
                    venue_id=stop.venue_id,
                    venue_name=stop.venue.name if stop.venue else "",
                    unit_ids=(stop.host_unit_id,),
                    unit_names=(stop.host_unit.name,),
                    tour_starts_at=activity.starts_at,
                    tour_ends_at=activity.ends_at,
                )
            )
    return slots


@dataclass(frozen=True)
class PlanWarning:
    warning: Warning
    accepted: bool


def plan_warnings(session: Session, plan: Plan, tz: ZoneInfo = CAMPAIGN_TZ) -> list[PlanWarning]:
    """The plan's warnings, each marked accepted when an organizer accepted it on one of the records involved."""
    found = conflicts.find_conflicts(
        plan_slots(session, plan.id), period_start=plan.period_start, period_end=plan.period_end, tz=tz
    )
    accepted: set[str] = set()
    for keys in session.scalars(select(Activity.accepted_warnings).where(Activity.plan_id == plan.id)):
        accepted.update(keys or ())
    return [PlanWarning(w, w.key in accepted) for w in found]


def _confirm(session: Session, activity: Activity, accept: bool, tz: ZoneInfo) -> list[Warning]:
    """Check the plan after a change to ``activity``; ask for confirmation or record the acceptance."""
    session.flush()
    plan = session.get(Plan, activity.plan_id)
    mine = [pw for pw in plan_warnings(session, plan, tz) if activity.id in pw.warning.activity_ids]
    pending = [pw.warning for pw in mine if not pw.accepted]
    if pending and not accept:
        raise NeedsConfirmation(pending)
    if pending:
        activity.accepted_warnings = sorted(set(activity.accepted_warnings or ()) | {w.key for w in pending})
        session.flush()
    return [pw.warning for pw in mine]


# ---------------------------------------------------------------- venues


def save_venue(
    session: Session,
    venue: Venue | None,
    *,
    name: str,
    address: str,
    capacity: int | None,
    unit_id: int | None,
    directions: str,
) -> Venue:
    """Create or update a venue; names are unique."""
    name = " ".join(name.split())
    clash = select(Venue.id).where(func.lower(Venue.name) == name.lower())
    if venue is not None and venue.id:
        clash = clash.where(Venue.id != venue.id)
    if session.scalar(clash):
        raise DomainError(_l("A venue with this name already exists."), code="venue_name_taken", field="name")
    if capacity is not None and capacity < 0:
        raise DomainError(_l("The capacity cannot be negative."), code="negative_capacity", field="capacity")
    venue = venue or Venue()
    venue.name, venue.address, venue.capacity, venue.unit_id = name, address.strip(), capacity, unit_id
    venue.directions = directions.strip()
    session.add(venue)
    return venue


# ---------------------------------------------------------------- activities

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


def save_activity(
    session: Session,
    plan: Plan,
    activity: Activity | None,
    *,
    coordinator_ids: Iterable[int] = (),
    audience_groups: Iterable[str] = (),
    accept: bool = False,
    tz: ZoneInfo = CAMPAIGN_TZ,
    **fields,
) -> tuple[Activity, list[Warning]]:
    """Create or update an activity of ``plan``; returns it with the warnings that concern it (all accepted).

    Errors: end not after start; a registration window that ends before it opens; a capacity below the seats
    already taken. Warnings (``NeedsConfirmation`` unless ``accept``): see ``conflicts.find_conflicts``."""
    conflicts.check_time_range(fields.get("starts_at"), fields.get("ends_at"))
    if fields.get("kind") not in {k.value for k in ActivityKind}:
        raise DomainError(_l("Choose a kind of activity."), code="bad_kind", field="kind")
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
    return activity, _confirm(session, activity, accept, tz)


def cancel_activity(activity: Activity) -> bool:
    """Cancel an activity (it stays on the calendar, struck through, so subscribers learn of it). Idempotent."""
    if activity.cancelled:
        return False
    activity.cancelled = True
    activity.registration_open = False
    activity.sequence = (activity.sequence or 0) + 1
    return True


# ---------------------------------------------------------------- cluster tours


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
    tz: ZoneInfo = CAMPAIGN_TZ,
) -> tuple[TourStop, list[Warning]]:
    """Add or change a stop of a cluster tour; new stops go to the end of the itinerary."""
    if activity.kind != ActivityKind.CLUSTER_TOUR.value:
        raise DomainError(_l("Only a cluster tour has stops."), code="not_a_tour")
    conflicts.check_time_range(starts_at, ends_at)
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
    return stop, _confirm(session, activity, accept, tz)


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
        conflicts.check_time_range(starts_at, ends_at)
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


# ---------------------------------------------------------------- the plan page's picture


@dataclass(frozen=True)
class TimelineBar:
    activity: Activity
    left: float  # percent of the strip
    width: float


@dataclass(frozen=True)
class Timeline:
    start: date
    end: date
    days: int
    bars: list[TimelineBar]
    peak: tuple[float, float] | None  # left, width in percent
    ticks: list[tuple[float, date]]  # where each week (Monday) starts


def timeline(plan: Plan, activities: Iterable[Activity], tz: ZoneInfo = CAMPAIGN_TZ) -> Timeline:
    """A Gantt-like strip of the plan's period (stretched to any activity outside it): one bar per activity,
    in time order, positioned in percent of the strip so the page can draw it at any width."""
    activities = sorted(activities, key=lambda a: (a.starts_at, a.id or 0))
    start = min([plan.period_start] + [a.starts_at.astimezone(tz).date() for a in activities])
    end = max([plan.period_end] + [a.ends_at.astimezone(tz).date() for a in activities])
    origin = datetime.combine(start, time.min, tz)
    total = (datetime.combine(end + timedelta(days=1), time.min, tz) - origin).total_seconds()

    def pct(moment: datetime) -> float:
        return round(100 * (moment - origin).total_seconds() / total, 3)

    bars = []
    for activity in activities:
        left = pct(activity.starts_at)
        # A two-hour talk on a 47-day strip would be invisible: every bar keeps a minimum width.
        bars.append(TimelineBar(activity, left, max(round(pct(activity.ends_at) - left, 3), 0.8)))
    peak = None
    if plan.peak_start and plan.peak_end:
        peak_left = pct(datetime.combine(plan.peak_start, time.min, tz))
        peak = (peak_left, pct(datetime.combine(plan.peak_end + timedelta(days=1), time.min, tz)) - peak_left)
    ticks = []
    day = start + timedelta(days=(7 - start.weekday()) % 7)
    while day <= end:
        ticks.append((pct(datetime.combine(day, time.min, tz)), day))
        day += timedelta(days=7)
    return Timeline(start, end, (end - start).days + 1, bars, peak, ticks)


def activities_by_kind(activities: Iterable[Activity]) -> list[tuple[str, int]]:
    """Live activities counted by kind, most first (for the plan page's bar table)."""
    counts = Counter(a.kind for a in activities if not a.cancelled)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

"""The warnings of a plan's schedule (conflict detection) and the checks that refuse impossible times.

Warnings are things an organizer may knowingly accept (two activities sharing a venue on purpose, a unit leading
two things at once with enough staff); errors are impossible data and are refused before detection runs
(``check_time_range``). Each warning has a stable ``key`` built from the records involved, so an accepted warning
stays accepted until the records change in a way that makes it a different warning. Saving something that raises
warnings is a two-step affair: the change is flushed inside the caller's transaction, the plan's warnings are
computed from the database, and if some involve the saved record and were not accepted, ``NeedsConfirmation`` is
raised so the view can roll back and ask. Saving again with ``accept=True`` records the warnings' keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import DomainError

from ..models import Activity, ActivityKind, Plan, TourStop

# Campaign-style activities run for days or weeks in the background (the door-to-door campaign, communications,
# an online contest): they do not need their lead unit present, so they never make a unit "busy twice". Only
# activities where the unit must be there (a festival, a ceremony, a tour stop, a class) count.
BACKGROUND_KINDS = frozenset({ActivityKind.DOOR_TO_DOOR, ActivityKind.COMMUNICATIONS, ActivityKind.CONTEST})


class NeedsConfirmation(DomainError):
    """The change is possible but raises warnings the organizer has not accepted yet."""

    code = "conflict_warnings"
    status = 409

    def __init__(self, warnings: list[Warning]):
        super().__init__(_l("Please review the warnings below and confirm to save anyway."))
        self.warnings = warnings


# Activities may spill a little outside their plan (a warning), never far (an error).
ACTIVITY_SLACK = timedelta(days=366)


# ---------------------------------------------------------------- warnings (pure: plain records in, warnings out)


@dataclass(frozen=True)
class Slot:
    """Something that occupies a time range: an activity, or one stop of a cluster tour."""

    ref: str  # "activity:12" or "stop:7"
    title: str
    starts_at: datetime
    ends_at: datetime
    activity_id: int
    kind: str = ""
    venue_id: int | None = None
    venue_name: str = ""
    venue_capacity: int | None = None
    capacity: int | None = None
    unit_ids: tuple[int, ...] = ()  # units that lead or host it
    unit_names: tuple[str, ...] = ()
    tour_starts_at: datetime | None = None  # stops only: their tour's range
    tour_ends_at: datetime | None = None


@dataclass(frozen=True)
class Warning:
    key: str
    code: str
    message: str
    refs: tuple[str, ...]
    activity_ids: frozenset[int] = field(default_factory=frozenset)
    titles: tuple[str, ...] = ()  # the title of each of ``refs``, in the same order, for links to them

    @property
    def named(self) -> list[tuple[str, int, str]]:
        """What the warning names, for links: ``[(kind, id, title)]`` with kind "activity" or "stop"."""
        named = []
        for ref, title in zip(self.refs, self.titles, strict=False):
            kind, _sep, ident = ref.partition(":")
            named.append((kind, int(ident), title))
        return named


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open ranges: one ending at 10:00 and another starting at 10:00 do not overlap."""
    return a_start < b_end and b_start < a_end


def check_within_plan(plan: Plan, starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> None:
    """Refuse an activity (or a stop) far outside its plan's period: more than ``ACTIVITY_SLACK`` away is a
    typo in the year, not a choice."""
    earliest = datetime.combine(plan.period_start, time.min, tz) - ACTIVITY_SLACK
    latest = datetime.combine(plan.period_end + timedelta(days=1), time.min, tz) + ACTIVITY_SLACK
    if starts_at < earliest or ends_at > latest:
        raise DomainError(
            _l(
                "This is far outside the plan's period (%(start)s – %(end)s): check the year.",
                start=plan.period_start.strftime("%d/%m/%Y"),
                end=plan.period_end.strftime("%d/%m/%Y"),
            ),
            code="far_outside_plan",
            field="starts_at",
        )


def check_time_range(starts_at: datetime | None, ends_at: datetime | None, field_name: str = "ends_at") -> None:
    """Refuse impossible times: a missing or naive instant, or an end not after the start."""
    if starts_at is None or ends_at is None:
        raise DomainError(_l("Enter both the start and the end."), code="time_missing", field=field_name)
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise DomainError(_l("Times must carry a time zone."), code="time_naive", field=field_name)
    if ends_at <= starts_at:
        raise DomainError(_l("The end must be after the start."), code="ends_before_start", field=field_name)


def find_conflicts(
    slots: Sequence[Slot],
    *,
    period_start: date | None = None,
    period_end: date | None = None,
    tz: ZoneInfo,
) -> list[Warning]:
    """Every warning in a plan's schedule, in a stable order.

    Rules: the same venue booked at overlapping times; a unit leading or hosting two overlapping things
    (background campaigns excepted); a tour stop outside its tour's dates; an activity outside the plan's period
    (by local dates); a registration capacity above the venue's capacity."""
    warnings: list[Warning] = []
    for a, b in combinations(sorted(slots, key=lambda s: (s.starts_at, s.ref)), 2):
        if a.activity_id == b.activity_id and {a.ref.split(":")[0], b.ref.split(":")[0]} == {"activity", "stop"}:
            continue  # a tour and its own stops naturally overlap
        if not overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at):
            continue
        pair = tuple(sorted((a.ref, b.ref)))
        titles = tuple({a.ref: a.title, b.ref: b.title}[ref] for ref in pair)
        ids = frozenset({a.activity_id, b.activity_id})
        if a.venue_id is not None and a.venue_id == b.venue_id:
            warnings.append(
                Warning(
                    f"venue:{a.venue_id}:{pair[0]}:{pair[1]}",
                    "venue_double_booked",
                    str(
                        _l(
                            "%(venue)s is booked twice at the same time: %(first)s and %(second)s.",
                            venue=a.venue_name,
                            first=a.title,
                            second=b.title,
                        )
                    ),
                    pair,
                    ids,
                    titles,
                )
            )
        if a.kind in BACKGROUND_KINDS or b.kind in BACKGROUND_KINDS:
            continue
        for unit_id in sorted(set(a.unit_ids) & set(b.unit_ids)):
            name = dict(zip(a.unit_ids, a.unit_names, strict=False)).get(unit_id, "")
            warnings.append(
                Warning(
                    f"unit:{unit_id}:{pair[0]}:{pair[1]}",
                    "unit_busy_twice",
                    str(
                        _l(
                            "%(unit)s leads or hosts two things at the same time: %(first)s and %(second)s.",
                            unit=name,
                            first=a.title,
                            second=b.title,
                        )
                    ),
                    pair,
                    ids,
                    titles,
                )
            )
    for slot in slots:
        if (
            slot.tour_starts_at is not None
            and slot.tour_ends_at is not None
            and (slot.starts_at < slot.tour_starts_at or slot.ends_at > slot.tour_ends_at)
        ):
            warnings.append(
                Warning(
                    f"stop_outside:{slot.ref}",
                    "stop_outside_tour",
                    str(_l("The stop %(stop)s falls outside its tour's dates.", stop=slot.title)),
                    (slot.ref,),
                    frozenset({slot.activity_id}),
                    (slot.title,),
                )
            )
        if slot.ref.startswith("activity:") and period_start and period_end:
            first_day = slot.starts_at.astimezone(tz).date()
            last_day = slot.ends_at.astimezone(tz).date()
            if first_day < period_start or last_day > period_end:
                warnings.append(
                    Warning(
                        f"outside_period:{slot.ref}:{period_start.isoformat()}:{period_end.isoformat()}",
                        "outside_plan_period",
                        str(_l("%(activity)s falls outside the plan's period.", activity=slot.title)),
                        (slot.ref,),
                        frozenset({slot.activity_id}),
                        (slot.title,),
                    )
                )
        if slot.capacity is not None and slot.venue_capacity is not None and slot.capacity > slot.venue_capacity:
            warnings.append(
                Warning(
                    f"capacity:{slot.ref}:{slot.capacity}:{slot.venue_capacity}",
                    "capacity_over_venue",
                    str(
                        _l(
                            "%(activity)s takes %(capacity)s registrations but %(venue)s holds %(venue_capacity)s.",
                            activity=slot.title,
                            capacity=slot.capacity,
                            venue=slot.venue_name,
                            venue_capacity=slot.venue_capacity,
                        )
                    ),
                    (slot.ref,),
                    frozenset({slot.activity_id}),
                    (slot.title,),
                )
            )
    return warnings


# ---------------------------------------------------------------- warnings over the database


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


def plan_warnings(session: Session, plan: Plan, *, tz: ZoneInfo) -> list[PlanWarning]:
    """The plan's warnings, each marked accepted when an organizer accepted it on one of the records involved."""
    found = find_conflicts(
        plan_slots(session, plan.id), period_start=plan.period_start, period_end=plan.period_end, tz=tz
    )
    accepted: set[str] = set()
    for keys in session.scalars(select(Activity.accepted_warnings).where(Activity.plan_id == plan.id)):
        accepted.update(keys or ())
    return [PlanWarning(w, w.key in accepted) for w in found]


def confirm_warnings(session: Session, activity: Activity, *, accept: bool, tz: ZoneInfo) -> list[Warning]:
    """Check the plan after a change to ``activity`` (flushed here): raise ``NeedsConfirmation`` for warnings
    about it that nobody accepted, or, with ``accept``, record them as accepted. Returns its warnings."""
    session.flush()
    plan = session.get(Plan, activity.plan_id)
    mine = [pw for pw in plan_warnings(session, plan, tz=tz) if activity.id in pw.warning.activity_ids]
    pending = [pw.warning for pw in mine if not pw.accepted]
    if pending and not accept:
        raise NeedsConfirmation(pending)
    if pending:
        activity.accepted_warnings = sorted(set(activity.accepted_warnings or ()) | {w.key for w in pending})
        session.flush()
    return [pw.warning for pw in mine]

"""Conflict detection for a plan's schedule, as pure functions of plain records.

Warnings are things an organizer may knowingly accept (two activities sharing a venue on purpose, a unit leading
two things at once with enough staff); errors are impossible data and are refused before this runs
(``check_time_range``). Each warning has a stable ``key`` built from the records involved, so an accepted warning
stays accepted until the records change in a way that makes it a different warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from app.errors import DomainError

# Campaign-style activities run for days in the background (the door-to-door campaign, communications):
# they do not tie up their lead unit, so they never make a unit "busy twice".
BACKGROUND_KINDS = frozenset({"door_to_door", "communications"})


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


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open ranges: one ending at 10:00 and another starting at 10:00 do not overlap."""
    return a_start < b_end and b_start < a_end


def check_time_range(starts_at: datetime | None, ends_at: datetime | None, field_name: str = "ends_at") -> None:
    """Refuse impossible times: a missing or naive instant, or an end not after the start."""
    if starts_at is None or ends_at is None:
        raise DomainError(_l("Enter both the start and the end."), code="time_missing", field=field_name)
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise DomainError(_l("Times must carry a time zone."), code="time_naive", field=field_name)
    if ends_at <= starts_at:
        raise DomainError(_l("The end must be after the start."), code="ends_before_start", field=field_name)


def _label(slot: Slot) -> str:
    return slot.title


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
                            first=_label(a),
                            second=_label(b),
                        )
                    ),
                    pair,
                    ids,
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
                            first=_label(a),
                            second=_label(b),
                        )
                    ),
                    pair,
                    ids,
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
                    str(_l("The stop %(stop)s falls outside its tour's dates.", stop=_label(slot))),
                    (slot.ref,),
                    frozenset({slot.activity_id}),
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
                        str(_l("%(activity)s falls outside the plan's period.", activity=_label(slot))),
                        (slot.ref,),
                        frozenset({slot.activity_id}),
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
                            activity=_label(slot),
                            capacity=slot.capacity,
                            venue=slot.venue_name,
                            venue_capacity=slot.venue_capacity,
                        )
                    ),
                    (slot.ref,),
                    frozenset({slot.activity_id}),
                )
            )
    return warnings


def unaccepted(warnings: Iterable[Warning], accepted_keys: Iterable[str]) -> list[Warning]:
    """The warnings not yet accepted by an organizer."""
    accepted = set(accepted_keys)
    return [w for w in warnings if w.key not in accepted]

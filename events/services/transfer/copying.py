"""Copying a plan to next year: the same campaign, one year on, as a fresh draft.

Activities move by whole weeks, so a Saturday festival stays on a Saturday: each one by the 52 (or 53) weeks that
land nearest the same day and month (one year on that is always 52 weeks, one or two days earlier). Their tour
stops, programme items and registration window move by the same offset, so a programme stays inside its
activity. The plan's own period, peak and report deadline are dates of a document and move by calendar years.

Titles: the plan's and the activities' titles have the years of the old period rewritten ("… năm 2024" →
"… năm 2025"), because a title is how the copy is told apart from last year's in every list and a title names the
campaign year. Other texts (themes, slogans, descriptions, what to bring) are left as they were and pointed out
for review (``texts_naming_years``): they name dates ("sáng 10/10/2024") that no longer match the shifted
schedule, or years that are not the campaign's ("kết quả năm 2024"), which only a person can tell apart.

Other features carry their own records along through ``copy_hooks`` (contests, check-in points): events does not
import them; they register a hook when their blueprint is set up."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import Conflict, DomainError

from ...models import Activity, Plan, PlanStatus, ProgrammeItem, TourStop


def shift_date(value: date | None, years: int) -> date | None:
    """The same day ``years`` later; 29/02 becomes 28/02 in a year without it."""
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def shift_datetime(value: datetime | None, years: int, tz: ZoneInfo) -> datetime | None:
    """The same local day and wall-clock time in ``tz`` ``years`` later (10/10 07:30 stays 10/10 07:30),
    returned in UTC."""
    if value is None:
        return None
    local = value.astimezone(tz)
    return datetime.combine(shift_date(local.date(), years), local.timetz()).astimezone(UTC)


def weeks_to_same_day(day: date, years: int) -> int:
    """The whole number of weeks from ``day`` that lands nearest the same day and month ``years`` later."""
    return round((shift_date(day, years) - day).days / 7)


def shift_by_weeks(value: datetime | None, weeks: int, tz: ZoneInfo) -> datetime | None:
    """``value`` moved by ``weeks`` at the same wall-clock time in ``tz``, returned in UTC."""
    if value is None:
        return None
    return (value.astimezone(tz) + timedelta(weeks=weeks)).astimezone(UTC)


# shift(value, anchor=None): ``value`` moved by the whole weeks that bring ``anchor`` (``value`` itself when
# not given) nearest its same day and month in the new year. Pass the record's start as the anchor for every
# time of one record, so that they all move together.
Shift = Callable[..., datetime | None]


def weekday_shift(years: int, tz: ZoneInfo) -> Shift:
    """The shift that copies use: whole weeks, the same weekday and wall-clock time."""

    def shift(value: datetime | None, anchor: datetime | None = None) -> datetime | None:
        if value is None:
            return None
        weeks = weeks_to_same_day((anchor or value).astimezone(tz).date(), years)
        return shift_by_weeks(value, weeks, tz)

    return shift


def shift_years_in_text(text: str, first_year: int, last_year: int, years: int) -> str:
    """ "… năm 2024" becomes "… năm 2025": every year of the plan's period named in ``text`` moves on."""
    pattern = re.compile(r"(?<!\d)(" + "|".join(str(y) for y in range(first_year, last_year + 1)) + r")(?!\d)")
    return pattern.sub(lambda match: str(int(match.group(1)) + years), text)


# --- hooks of other features -----------------------------------------------------------------------------------

# hook(session, old_plan, new_plan, activity_id_map, shift) -> the number of records it copied.
CopyHookFunction = Callable[[Session, Plan, Plan, dict[int, int], Shift], int]


@dataclass(frozen=True)
class CopyHook:
    """What another feature copies along with a plan; ``label`` is the checkbox on the copy form."""

    name: str
    label: object
    copy: CopyHookFunction


class CopyHookRegistry:
    def __init__(self) -> None:
        self._hooks: dict[str, CopyHook] = {}

    def register(self, name: str, label, hook: CopyHookFunction) -> None:
        """Register (or replace, on a second app in the same process) the hook named ``name``."""
        self._hooks[name] = CopyHook(name, label, hook)

    def __iter__(self) -> Iterator[CopyHook]:
        return iter(list(self._hooks.values()))

    def names(self) -> list[str]:
        return list(self._hooks)


copy_hooks = CopyHookRegistry()


def copy_plan(
    session: Session,
    plan: Plan,
    *,
    years: int = 1,
    now: datetime,
    tz: ZoneInfo,
    carry: Collection[str] | None = None,
    hooks: Iterable[CopyHook] | None = None,
) -> Plan:
    """A new draft of ``plan`` ``years`` later, flushed (not committed) and returned.

    The plan's dates move by calendar years, the activities by whole weeks in ``tz`` (see the module); the title's
    years move with them; the number and issue date are cleared (the new plan is issued anew). Activities that
    were not cancelled come along with their coordinating units, tour stops (with participants) and programme
    items; registrations do not, seats start at zero, registration is closed, accepted warnings and the calendar
    sequence start afresh. Then each hook of ``hooks`` (the registered ``copy_hooks`` by default) named in
    ``carry`` (all when None) copies its feature's records. Raises Conflict when the same copy already exists
    (a second click)."""
    if years < 1:
        raise DomainError(_l("A plan can only be copied to a later year."), code="bad_years")
    first_year, last_year = plan.period_start.year, plan.period_end.year

    def retitle(text: str) -> str:
        return shift_years_in_text(text, first_year, last_year, years)

    title = retitle(plan.title)
    period_start = shift_date(plan.period_start, years)
    existing = session.scalar(
        select(Plan.id).where(Plan.title == title, Plan.period_start == period_start, Plan.id != plan.id).limit(1)
    )
    if existing is not None:
        raise Conflict(
            _l(
                "This plan was already copied to %(year)s: open the draft instead of copying again.",
                year=period_start.year,
            ),
            code="copy_exists",
        )

    copy = Plan(
        number=None,
        issued_on=None,
        issuing_unit_id=plan.issuing_unit_id,
        title=title,
        themes=plan.themes,
        slogans=plan.slogans,
        period_start=period_start,
        period_end=shift_date(plan.period_end, years),
        peak_start=shift_date(plan.peak_start, years),
        peak_end=shift_date(plan.peak_end, years),
        lead_unit_id=plan.lead_unit_id,
        report_deadline=shift_date(plan.report_deadline, years),
        status=PlanStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    session.add(copy)
    activities = list(
        session.scalars(
            select(Activity)
            .where(Activity.plan_id == plan.id, Activity.cancelled.is_(False))
            .options(
                selectinload(Activity.coordinating_units),
                selectinload(Activity.stops).selectinload(TourStop.participating_units),
                selectinload(Activity.programme),
            )
            .order_by(Activity.starts_at, Activity.id)
        )
    )
    shift = weekday_shift(years, tz)
    copies = []
    for activity in activities:
        copies.append(_copy_activity(activity, copy, shift, now, retitle))
        session.add(copies[-1])
    session.flush()
    activity_id_map = {old.id: new.id for old, new in zip(activities, copies, strict=True)}
    for hook in copy_hooks if hooks is None else hooks:
        if carry is None or hook.name in carry:
            hook.copy(session, plan, copy, activity_id_map, shift)
    session.flush()
    return copy


def _copy_activity(activity: Activity, plan: Plan, shift: Shift, now: datetime, retitle) -> Activity:
    """The copy with its stops and programme attached; adding it to the session cascades to them. Every time of
    the activity moves by the activity's own offset (anchored on its start)."""
    anchor = activity.starts_at

    def move(value: datetime | None) -> datetime | None:
        return shift(value, anchor)

    copy = Activity(
        plan=plan,
        title=retitle(activity.title),
        description=activity.description,
        kind=activity.kind,
        starts_at=move(activity.starts_at),
        ends_at=move(activity.ends_at),
        venue_id=activity.venue_id,
        lead_unit_id=activity.lead_unit_id,
        audience=activity.audience,
        audience_groups=activity.audience_groups,
        area_unit_id=activity.area_unit_id,
        what_to_bring=activity.what_to_bring,
        expected_headcount=activity.expected_headcount,
        capacity=activity.capacity,
        seats_taken=0,
        is_public=activity.is_public,
        # Registration opens when the organizer decides for the new year, not because it was open last year.
        registration_open=False,
        registration_opens_at=move(activity.registration_opens_at),
        registration_closes_at=move(activity.registration_closes_at),
        cancelled=False,
        accepted_warnings=[],
        sequence=0,
        created_at=now,
        updated_at=now,
        coordinating_units=list(activity.coordinating_units),
    )
    stops: dict[int, TourStop] = {}
    for stop in activity.stops:
        stops[stop.id] = TourStop(
            activity=copy,
            position=stop.position,
            name=stop.name,
            host_unit_id=stop.host_unit_id,
            venue_id=stop.venue_id,
            starts_at=move(stop.starts_at),
            ends_at=move(stop.ends_at),
            participating_units=list(stop.participating_units),
        )
    for item in activity.programme:
        ProgrammeItem(
            activity=copy,
            stop=stops.get(item.stop_id),
            position=item.position,
            title=item.title,
            description=item.description,
            starts_at=move(item.starts_at),
            ends_at=move(item.ends_at),
            responsible_unit_id=item.responsible_unit_id,
        )
    return copy


# --- texts to review after a copy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextToReview:
    """A text of the plan (``activity_id`` None) or of one of its activities that names an old year."""

    activity_id: int | None
    record: str  # the plan's or the activity's title
    field: object  # the field's label
    excerpt: str  # the words around the first old year
    years: tuple[int, ...]


def previous_years(plan: Plan) -> list[int]:
    """The years of the campaign before ``plan`` (its period one year earlier) that are not its own years."""
    own = set(range(plan.period_start.year, plan.period_end.year + 1))
    return sorted({year - 1 for year in own} - own)


def _years_in(text: str, years: Collection[int]) -> tuple[re.Match, tuple[int, ...]] | None:
    if not text or not years:
        return None
    pattern = re.compile(r"(?<!\d)(" + "|".join(str(y) for y in sorted(years)) + r")(?!\d)")
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    return matches[0], tuple(sorted({int(m.group(1)) for m in matches}))


def _excerpt(text: str, match: re.Match, width: int = 60) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    excerpt = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + excerpt + ("…" if end < len(text) else "")


def texts_naming_years(session: Session, plan: Plan, years: Collection[int]) -> list[TextToReview]:
    """The plan's texts (title, themes, slogans) and its activities' (title, description, what to bring) that name
    one of ``years``, plan first, then activities by start time. Cancelled activities are left out."""
    fields_of_plan = (("title", _l("Title")), ("themes", _l("Themes and messages")), ("slogans", _l("Slogans")))
    fields_of_activity = (
        ("title", _l("Title")),
        ("description", _l("Description")),
        ("what_to_bring", _l("What to bring")),
    )
    found: list[TextToReview] = []
    for name, label in fields_of_plan:
        hit = _years_in(getattr(plan, name) or "", years)
        if hit:
            found.append(TextToReview(None, plan.title, label, _excerpt(getattr(plan, name), hit[0]), hit[1]))
    activities = session.scalars(
        select(Activity)
        .where(Activity.plan_id == plan.id, Activity.cancelled.is_(False))
        .order_by(Activity.starts_at, Activity.id)
    )
    for activity in activities:
        for name, label in fields_of_activity:
            text = getattr(activity, name) or ""
            hit = _years_in(text, years)
            if hit:
                found.append(TextToReview(activity.id, activity.title, label, _excerpt(text, hit[0]), hit[1]))
    return found

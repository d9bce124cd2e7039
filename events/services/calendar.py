"""The public calendar: which activities the public may see, and how they fall on the days of a month, a week
or a list. Grid functions are pure (activities, a date and a time zone in, days out); the queries take a session.

The default page is "upcoming": the next activities from now, however far away, a page of ``UPCOMING_PAGE`` at a
time cut at a day's end, grouped by day. The search (``q``) is matched case- and accent-insensitively in Python
on the candidates the other filters leave (at most ``SEARCH_SCAN_LIMIT``, the public activities not yet over:
a campaign's worth): SQLite's ``lower()`` folds only ASCII and neither database strips Vietnamese marks without
an extension (PostgreSQL's ``unaccent`` needs a superuser to install), and a folded column would need a migration
and every writer of titles, descriptions and venue names to keep it in step."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from app.errors import DomainError
from app.models import UnitKind
from app.services import subtree_cte

from ..models import (
    Activity,
    AudienceGroup,
    Plan,
    ProgrammeItem,
    TourStop,
    Venue,
    activity_coordinators,
    tour_stop_participants,
)

# Day names for headings (0 is Monday, as date.weekday() counts).
WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
# Short names for the month grid's header.
WEEKDAY_SHORT = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


def webcal(url: str) -> str:
    """The same feed URL with the webcal:// scheme, which phones open as "subscribe to this calendar"."""
    return "webcal://" + url.split("://", 1)[1]


# The units a citizen thinks of as "where": the area filter offers these, nested.
AREA_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.WARD)


# ---------------------------------------------------------------------------------------------------------------
# Days: pure functions of activities (anything with starts_at/ends_at, and stops for cluster tours)


@dataclass(frozen=True)
class Occurrence:
    """An activity, or one stop of a cluster tour, as it shows on one day of the calendar."""

    activity: Any
    stop: Any | None
    starts_at: datetime
    ends_at: datetime
    starts_today: bool
    ends_today: bool
    # A multi-day activity shown once, on the first day of its span in view: its first and last local days.
    span: tuple[date, date] | None = None

    @property
    def cancelled(self) -> bool:
        return bool(getattr(self.activity, "cancelled", False))

    @property
    def all_day(self) -> bool:
        """Neither starts nor ends on this day: it runs through it."""
        return not self.starts_today and not self.ends_today


@dataclass
class Day:
    """One day of a month or week view, or one day-heading of the list view."""

    date: date
    in_month: bool = True
    is_today: bool = False
    entries: list[Occurrence] = field(default_factory=list)

    @property
    def weekday(self) -> int:
        """0 for Monday (Thứ Hai) … 6 for Sunday (Chủ Nhật)."""
        return self.date.weekday()


def covered_days(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> tuple[date, date]:
    """The first and last local dates a span touches. A span ending exactly at local midnight does not touch
    the day that midnight begins (an evening event until 24:00 is not on the next day)."""
    first = starts_at.astimezone(tz).date()
    end = ends_at.astimezone(tz)
    last = end.date()
    if end.time() == time(0) and last > first:
        last -= timedelta(days=1)
    return first, max(first, last)


def _spans(activity) -> list[tuple[Any, Any | None, datetime, datetime]]:
    # A cluster tour happens at its stops, on the stops' days: between two clusters nothing happens.
    stops = list(getattr(activity, "stops", None) or [])
    if stops:
        return [(activity, stop, stop.starts_at, stop.ends_at) for stop in stops]
    return [(activity, None, activity.starts_at, activity.ends_at)]


def shows_as_span(activity) -> bool:
    """Longer than a day (``Activity.is_multi_day``'s rule) and not a tour (a tour shows at its stops): the month
    and week show it once, as a span ("01/10 – 10/10, every day"), not on every day it covers."""
    return not getattr(activity, "stops", None) and activity.ends_at - activity.starts_at > timedelta(days=1)


def _sort_key(entry: Occurrence):
    return (entry.span is None, not entry.starts_today, entry.starts_at, entry.ends_at, entry.activity.title)


def _place(days: Sequence[Day], activities: Iterable, tz: ZoneInfo) -> None:
    if not days:
        return
    by_date = {day.date: day for day in days}
    grid_first, grid_last = days[0].date, days[-1].date
    for activity in activities:
        if shows_as_span(activity):
            first, last = covered_days(activity.starts_at, activity.ends_at, tz)
            seen = [day for day in days if first <= day.date <= last]
            if seen:
                # On its first day in view, preferring the month's own days to the neighbours' that fill a week.
                where = next((day for day in seen if day.in_month), seen[0])
                where.entries.append(
                    Occurrence(
                        activity,
                        None,
                        activity.starts_at,
                        activity.ends_at,
                        where.date == first,
                        where.date == last,
                        span=(first, last),
                    )
                )
            continue
        for owner, stop, starts_at, ends_at in _spans(activity):
            first, last = covered_days(starts_at, ends_at, tz)
            current = max(first, grid_first)
            while current <= min(last, grid_last):
                by_date[current].entries.append(
                    Occurrence(owner, stop, starts_at, ends_at, current == first, current == last)
                )
                current += timedelta(days=1)
    for day in days:
        day.entries.sort(key=_sort_key)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (Vietnamese weeks start on Thứ Hai)."""
    return day - timedelta(days=day.weekday())


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first Monday and the last Sunday (inclusive) the month grid shows: whole weeks around the month."""
    first = date(year, month, 1)
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return week_start(first), week_start(next_month - timedelta(days=1)) + timedelta(days=6)


def month_grid(
    year: int, month: int, activities: Iterable, tz: ZoneInfo, *, today: date | None = None
) -> list[list[Day]]:
    """The month as weeks (Monday first) of seven days, each with the activities overlapping it in local time.

    Days of the neighbouring months that fill the first and last weeks have ``in_month`` False (and their
    activities too, so a week reads whole). An activity longer than a day appears once, as a span, on its first
    day in the month (``Occurrence.span``); a cluster tour appears on the days of its stops."""
    first, last = month_bounds(year, month)
    days = [
        Day(first + timedelta(days=n), (first + timedelta(days=n)).month == month, first + timedelta(days=n) == today)
        for n in range((last - first).days + 1)
    ]
    _place(days, activities, tz)
    return [days[n : n + 7] for n in range(0, len(days), 7)]


def week_days(day: date, activities: Iterable, tz: ZoneInfo, *, today: date | None = None) -> list[Day]:
    """The seven days (Monday to Sunday) of ``day``'s week, each with the activities overlapping it; one longer
    than a day once, as a span, on its first day in the week."""
    first = week_start(day)
    days = [Day(first + timedelta(days=n), True, first + timedelta(days=n) == today) for n in range(7)]
    _place(days, activities, tz)
    return days


def list_upcoming(
    activities: Iterable,
    *,
    now: datetime,
    tz: ZoneInfo,
    until: datetime | None = None,
    today: date | None = None,
) -> list[Day]:
    """Activities not yet over at ``now`` (and starting before ``until``, if given), soonest first, grouped under
    the local day they start on; one already under way is listed under ``now``'s day, so it is not missed.
    ``today`` (the real local date) marks its group.

    Each activity appears once (its stops are shown inside it), unlike the grids."""
    first_day = now.astimezone(tz).date()
    groups: dict[date, Day] = {}
    for activity in sorted(activities, key=lambda a: (a.starts_at, a.ends_at, getattr(a, "title", ""))):
        if activity.ends_at <= now or (until is not None and activity.starts_at >= until):
            continue
        first, last = covered_days(activity.starts_at, activity.ends_at, tz)
        heading = max(first, first_day)
        day = groups.setdefault(heading, Day(heading, True, heading == today))
        day.entries.append(
            Occurrence(activity, None, activity.starts_at, activity.ends_at, first == heading, last == heading)
        )
    return [groups[key] for key in sorted(groups)]


LIST_DAYS = 31  # how far "Earlier" goes back from a list's date
UPCOMING_PAGE = 30  # activities per page of the upcoming list
SEARCH_SCAN_LIMIT = 2000  # candidates a search folds in Python (a campaign has tens to hundreds of activities)


def fold(text: str | None) -> str:
    """``text`` for matching: lower case, without Vietnamese marks ("Ngày hội" and "ngay hoi" match; đ is d)."""
    bare = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in bare if not unicodedata.combining(ch)).casefold().split())


def matches(activity, query: str) -> bool:
    """Whether every word of the search ``query`` is in the activity's title, venue name or description (or a
    stop's venue), whatever the case and the marks."""
    venues = [activity.venue, *(getattr(stop, "venue", None) for stop in getattr(activity, "stops", None) or [])]
    haystack = fold(" ".join([activity.title, activity.description or "", *(venue.name for venue in venues if venue)]))
    return all(word in haystack for word in fold(query).split())


def start_day(activity, tz: ZoneInfo) -> date:
    """The local date (in ``tz``) on which ``activity`` starts."""
    return activity.starts_at.astimezone(tz).date()


def page_cut(activities: Sequence, limit: int, tz: ZoneInfo) -> tuple[list, date | None]:
    """One page of ``activities`` (sorted by start; up to ``limit`` + 1 of them): at most ``limit``, never cutting
    a day in two, and the local day from which the next page starts (None when nothing is left). When a single day
    holds more than ``limit``, nothing fits: ``([], that day)`` asks the caller for the whole day."""
    if len(activities) <= limit:
        return list(activities), None
    boundary = start_day(activities[limit], tz)
    return [a for a in activities[:limit] if start_day(a, tz) < boundary], boundary


@dataclass
class UpcomingPage:
    """What an upcoming or list page shows: days with their activities, and the day after which "Later" goes on
    (the last date shown), or None at the end."""

    days: list[Day]
    later_after: date | None


def upcoming_page(
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    from_day: date | None = None,
    after: date | None = None,
    today: date | None = None,
    limit: int = UPCOMING_PAGE,
    **filters,
) -> UpcomingPage:
    """The next ``limit`` public activities (whole days) matching ``filters`` (as ``public_activities``), grouped by
    the local day they start on: from ``now`` (what is under way is listed under today), from the start of
    ``from_day`` (under way listed under that day), or only those starting after the day ``after`` (the "Later"
    pages, so nothing repeats)."""
    if after is not None:
        window = {"starts_from": local_midnight(after + timedelta(days=1), tz)}
        heading_from = local_midnight(after + timedelta(days=1), tz)
    else:
        heading_from = local_midnight(from_day, tz) if from_day is not None else now
        window = {"start": heading_from}
    rows = public_activities(session, **window, **filters, limit=limit + 1)
    shown, boundary = page_cut(rows, limit, tz)
    if not shown and boundary is not None:  # one day holds more than a page: show it whole
        shown = public_activities(session, **window, **filters, end=local_midnight(boundary + timedelta(days=1), tz))
        shown = [a for a in shown if start_day(a, tz) <= boundary]
    days = list_upcoming(shown, now=heading_from, tz=tz, today=today)
    later = (days[-1].date if days else None) if boundary is not None else None
    return UpcomingPage(days, later)


@dataclass(frozen=True)
class Period:
    """What one page of the calendar shows: local days ``first``..``last``, the instants ``start``..``end`` to
    query, and the dates the previous and next links go to."""

    view: str
    first: date
    last: date
    start: datetime
    end: datetime
    previous: date
    next: date


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def calendar_period(view: str, anchor: date, tz: ZoneInfo, *, now: datetime | None = None) -> Period:
    """The period of a ``month``, ``week`` or ``list`` page around the local date ``anchor``. For the list, ``now``
    (when the visitor chose no date) starts it at that instant, so what is already over today is left out."""
    if view == "month":
        first, last = month_bounds(anchor.year, anchor.month)
        previous, following = _add_months(anchor, -1), _add_months(anchor, 1)
    elif view == "week":
        first = week_start(anchor)
        last = first + timedelta(days=6)
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
    else:
        first, last = anchor, anchor + timedelta(days=LIST_DAYS - 1)
        previous, following = anchor - timedelta(days=LIST_DAYS), anchor + timedelta(days=LIST_DAYS)
    start = local_midnight(first, tz)
    if view == "list" and now is not None:
        start = max(start, now)
    return Period(view, first, last, start, local_midnight(last + timedelta(days=1), tz), previous, following)


# The calendar pages through campaigns of the past and the coming years; further is a typed or forged date.
CALENDAR_YEARS = 20


def within_calendar_range(day: date, today: date) -> bool:
    """Whether the calendar may open at ``day``: within ``CALENDAR_YEARS`` years of ``today``."""
    return abs(day.year - today.year) <= CALENDAR_YEARS


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local day begins, as an aware datetime (for querying a window of local days)."""
    return datetime.combine(day, time(0), tzinfo=tz)


# ---------------------------------------------------------------------------------------------------------------
# Queries


def _load_options(with_programme: bool):
    options = [
        selectinload(Activity.plan),
        selectinload(Activity.venue),
        selectinload(Activity.area_unit),
        selectinload(Activity.lead_unit),
        selectinload(Activity.stops).options(
            selectinload(TourStop.host_unit),
            selectinload(TourStop.venue),
            selectinload(TourStop.participating_units),
        ),
    ]
    if with_programme:
        options.append(selectinload(Activity.programme))
    return options


def _in_area(unit_ids):
    """Activities happening in the given units: their area, else their venue's unit, or a tour stop hosted there."""
    venue_in_area = select(Venue.id).where(Venue.unit_id.in_(unit_ids))
    return or_(
        Activity.area_unit_id.in_(unit_ids),
        and_(Activity.area_unit_id.is_(None), Activity.venue_id.in_(venue_in_area)),
        exists().where(TourStop.activity_id == Activity.id, TourStop.host_unit_id.in_(unit_ids)),
    )


def public_activities(
    session: Session,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    kinds: Iterable[str] | None = None,
    area_unit_id: int | None = None,
    audience_group: str | None = None,
    plan_id: int | None = None,
    unit_id: int | None = None,
    with_programme: bool = False,
    starts_from: datetime | None = None,
    q: str | None = None,
    limit: int | None = None,
) -> list[Activity]:
    """Activities the public may see, soonest first, with what the calendar shows loaded eagerly.

    Public means ``Activity.is_visible``; cancelled ones stay (shown as cancelled).
    ``start``/``end`` keep those overlapping the window; ``area_unit_id`` includes the area's sub-units (a
    district shows its wards' activities); ``audience_group`` is an ``AudienceGroup`` code; ``unit_id`` keeps
    what the unit leads, coordinates, hosts or joins as a tour stop, or what happens in its area; ``starts_from``
    keeps those starting at or after it; ``q`` those matching the search (``matches``, in Python: see the module);
    ``limit`` the first so many."""
    stmt = (
        select(Activity)
        .where(Activity.is_visible)
        .options(*_load_options(with_programme))
        .order_by(Activity.starts_at, Activity.id)
    )
    if start is not None:
        stmt = stmt.where(Activity.ends_at > start)
    if end is not None:
        stmt = stmt.where(Activity.starts_at < end)
    if starts_from is not None:
        stmt = stmt.where(Activity.starts_at >= starts_from)
    if kinds is not None:
        stmt = stmt.where(Activity.kind.in_(list(kinds)))
    if plan_id is not None:
        stmt = stmt.where(Activity.plan_id == plan_id)
    if audience_group is not None:
        # Only known codes reach the LIKE, so no "%" or "_" from the query string can widen it.
        if audience_group not in set(AudienceGroup):
            raise DomainError(_l("Choose one of the listed audiences."), code="unknown_audience", field="audience")
        code = audience_group
        stmt = stmt.where(Activity.audience_groups.like(f"%,{code},%"))
    if area_unit_id is not None:
        stmt = stmt.where(_in_area(select(subtree_cte(area_unit_id).c.id)))
    if unit_id is not None:
        coordinated = select(activity_coordinators.c.activity_id).where(activity_coordinators.c.unit_id == unit_id)
        joined_stop = (
            select(TourStop.activity_id)
            .outerjoin(tour_stop_participants, tour_stop_participants.c.stop_id == TourStop.id)
            .where(or_(TourStop.host_unit_id == unit_id, tour_stop_participants.c.unit_id == unit_id))
        )
        stmt = stmt.where(
            or_(
                Activity.lead_unit_id == unit_id,
                Activity.id.in_(coordinated),
                Activity.id.in_(joined_stop),
                _in_area(select(subtree_cte(unit_id).c.id)),
            )
        )
    if q and fold(q):
        found = [a for a in session.scalars(stmt.limit(SEARCH_SCAN_LIMIT)) if matches(a, q)]
        return found[:limit] if limit is not None else found
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def activity_for_page(session: Session, activity_id: int, viewer) -> Activity | None:
    """One activity for its page, with venue, units, stops and programme loaded; None if it does not exist or
    ``viewer`` (a user, or a visitor) may not see it."""
    stmt = (
        select(Activity)
        .where(Activity.id == activity_id)
        .options(
            *_load_options(with_programme=False),
            selectinload(Activity.coordinating_units),
            selectinload(Activity.programme).selectinload(ProgrammeItem.responsible_unit),
        )
    )
    activity = session.scalar(stmt)
    if activity is None:
        return None
    return activity if activity.is_visible_to(viewer) else None


def visible_plan(session: Session, plan_id: int) -> Plan | None:
    """A plan the public may see (published or closed), else None."""
    plan = session.get(Plan, plan_id)
    return plan if plan is not None and plan.is_public else None


def public_plans(session: Session) -> list[Plan]:
    """Published and closed plans, newest first: each has a feed to subscribe to."""
    stmt = select(Plan).where(Plan.is_public).order_by(Plan.period_start.desc(), Plan.id.desc())
    return list(session.scalars(stmt))

"""The big screen of the square: one activity's day as a dashboard. Arrivals that day (distinct tickets admitted
at an entrance), inside now (on the day being shown only), each booth's unique visitors that day and arrivals per
local hour, each one SQL aggregate over the day's scans (four statements; the ``ix_scans_checkpoint_scanned``
index bounds each to the day). The day is chosen by URL among the activity's own days, the activity among its
plan's: both are checked here, so a screen's address can only name what exists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.text import ascii_digits

from ..models import Checkpoint, CheckpointKind, Scan
from .counts import ADMISSION, _local_hour, _percent, checkpoint_counts, inside_now

MAX_BOOTHS = 10  # the bars a card of the screen can hold legibly; the first by the organizer's order
MAX_DAYS = 62  # an activity longer than this shows its first days only (the door-to-door campaign has ten)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")


class BadDay(DomainError):
    code = "bad_day"
    status = 404


@dataclass(frozen=True)
class Booth:
    name: str
    visitors: int
    percent: int  # of the busiest booth, for its bar


@dataclass(frozen=True)
class HourBar:
    hour: int  # local hour of the day, 0-23
    count: int
    percent: int  # of the busiest hour


@dataclass(frozen=True)
class Board:
    day: date
    is_today: bool
    has_entrance: bool
    arrivals: int  # distinct tickets admitted at an entrance that day
    inside: int | None  # None: not the day being lived, or no entrance/exit pair
    booths: list[Booth]
    hours: list[HourBar]  # every hour of the activity's time that day (today: until now), and any with admissions
    hours_count_entrances: bool  # the chart counts arrivals (True) or every admission (no entrance)


def activity_days(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> list[date]:
    """The local days an activity spans, first to last (at most ``MAX_DAYS``)."""
    first = starts_at.astimezone(tz).date()
    last = (ends_at - timedelta(microseconds=1)).astimezone(tz).date()
    count = min((last - first).days + 1, MAX_DAYS)
    return [first + timedelta(days=n) for n in range(max(count, 1))]


def parse_day(text: str | None, days: list[date], today: date) -> date:
    """The day a screen's URL asks for, among ``days``: ``2030-10-05``, ``05/10`` (the year of the activity's
    days) or ``05/10/2030``, any digits. None or empty: today if the activity is on, else its nearest day.
    Raises ``BadDay`` for anything else, so no screen is made for a day the activity does not have."""
    if not text:
        if today in days:
            return today
        return days[0] if today < days[0] else days[-1]
    text = ascii_digits(text.strip()[:32])  # bounded before folding: a long query string costs nothing
    wanted = None
    try:
        if match := _ISO.fullmatch(text):
            wanted = date(int(match[1]), int(match[2]), int(match[3]))
        elif match := _DMY.fullmatch(text):
            day, month = int(match[1]), int(match[2])
            years = [int(match[3])] if match[3] else sorted({d.year for d in days})
            wanted = next((d for d in days if (d.day, d.month) == (day, month) and d.year in years), None)
    except ValueError:
        wanted = None
    if wanted not in days:
        raise BadDay(_l("This activity has no such day."))
    return wanted


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The local day as UTC-comparable aware datetimes [start, end)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def _of_day(stmt, activity_id: int, start: datetime, end: datetime):
    return stmt.join(Checkpoint, Checkpoint.id == Scan.checkpoint_id).where(
        Checkpoint.activity_id == activity_id, ADMISSION, Scan.scanned_at >= start, Scan.scanned_at < end
    )


def board(
    session: Session,
    activity_id: int,
    *,
    day: date,
    tz: ZoneInfo,
    now: datetime,
    opens: datetime,
    closes: datetime,
) -> Board:
    """The screen's figures for ``activity_id`` on the local ``day`` (``opens``-``closes``: the activity's own
    times, which decide the hours the chart always shows)."""
    start, end = day_bounds(day, tz)
    points = checkpoint_counts(session, activity_id, since=start, until=end)
    kinds = {point.kind for point in points}
    has_entrance = CheckpointKind.ENTRANCE in kinds
    is_today = start <= now < end
    arrivals = 0
    if has_entrance:
        arrivals = (
            session.scalar(
                _of_day(select(func.count(distinct(Scan.ticket_id))), activity_id, start, end).where(
                    Checkpoint.kind == CheckpointKind.ENTRANCE
                )
            )
            or 0
        )
    inside = None
    if is_today and {CheckpointKind.ENTRANCE, CheckpointKind.EXIT} <= kinds:
        inside = inside_now(session, activity_id, since=start)
    booths = [point for point in points if point.kind == CheckpointKind.BOOTH][:MAX_BOOTHS]
    busiest = max((booth.visitors for booth in booths), default=0)
    return Board(
        day=day,
        is_today=is_today,
        has_entrance=has_entrance,
        arrivals=int(arrivals),
        inside=inside,
        booths=[Booth(booth.name, booth.visitors, _percent(booth.visitors, busiest)) for booth in booths],
        # today's chart runs to the hour under way, not to an evening still empty
        hours=_hours(
            session, activity_id, start, end, tz, has_entrance, opens, min(closes, now) if is_today else closes
        ),
        hours_count_entrances=has_entrance,
    )


def _hours(session, activity_id, start, end, tz, entrances_only, opens, closes) -> list[HourBar]:
    hour = _local_hour(session, tz, start).label("hour")
    stmt = _of_day(select(hour, func.count(Scan.id)), activity_id, start, end).group_by(hour)
    if entrances_only:
        stmt = stmt.where(Checkpoint.kind == CheckpointKind.ENTRANCE)
    counts = {int(label[-2:]): int(count) for label, count in session.execute(stmt)}
    shown = set(counts)
    first, last = max(opens, start).astimezone(tz), min(closes, end).astimezone(tz)
    if first < last:  # the hours the activity is on, also before anyone came
        last_hour = (last - timedelta(microseconds=1)).hour
        shown |= set(range(first.hour, last_hour + 1))
    if not shown:
        return []
    span = range(min(shown), max(shown) + 1)  # no gap in the axis
    busiest = max(counts.values(), default=0)
    return [HourBar(h, counts.get(h, 0), _percent(counts.get(h, 0), busiest)) for h in span]


def current_activity(activities: list, now: datetime):
    """Of ``activities`` (in start order), the one on at ``now``, else the next to start, else the last; None if
    there is none."""
    for activity in activities:
        if activity.starts_at <= now < activity.ends_at:
            return activity
    upcoming = [activity for activity in activities if activity.starts_at > now]
    if upcoming:
        return upcoming[0]
    return activities[-1] if activities else None

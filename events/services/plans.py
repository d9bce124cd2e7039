"""Plans: their rules (period, peak, number, status) and what their pages show (the timeline, figures). The
warnings of their schedule are in ``conflicts``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import DomainError
from app.providers import Figure
from app.scheduler import JobResult

from ..models import (
    Activity,
    Plan,
    PlanStatus,
    ProgrammeItem,
    Registration,
    RegistrationStatus,
    TourStop,
)

# ---------------------------------------------------------------- plans


# A plan is written for the coming campaign or looked back on: its period starts within these many years of
# today and lasts at most PLAN_MAX_YEARS (a five-year programme, as seed 002's). Anything else is a typo.
PLAN_YEARS_AROUND_TODAY = 10
PLAN_MAX_YEARS = 6


def save_plan(session: Session, plan: Plan | None, *, today: date, **fields) -> Plan:
    """Create or update a plan. The period must be a real range, start within ``PLAN_YEARS_AROUND_TODAY`` years
    of ``today`` and last at most ``PLAN_MAX_YEARS``; the peak lies inside it; numbers are unique."""
    start, end = fields["period_start"], fields["period_end"]
    if end < start:
        raise DomainError(
            _l("The period must end on or after its first day."), code="period_reversed", field="period_end"
        )
    if abs(start.year - today.year) > PLAN_YEARS_AROUND_TODAY:
        raise DomainError(
            _l("The period must start within %(years)s years of today.", years=PLAN_YEARS_AROUND_TODAY),
            code="period_implausible",
            field="period_start",
        )
    if end.year - start.year >= PLAN_MAX_YEARS:
        raise DomainError(
            _l("A plan covers at most %(years)s years.", years=PLAN_MAX_YEARS),
            code="period_too_long",
            field="period_end",
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
    plan = plan or Plan(status=PlanStatus.DRAFT)
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.number = number
    plan.themes = _lines(fields.get("themes", ""))
    plan.slogans = _lines(fields.get("slogans", ""))
    session.add(plan)
    return plan


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def set_plan_status(plan: Plan, status: PlanStatus | str) -> None:
    """Move a plan along draft → published → closed (a closed plan may be reopened, a published one withdrawn)."""
    try:
        status = PlanStatus(status)
    except ValueError:
        raise DomainError(_l("A plan cannot go from this status to that one."), code="bad_status_change") from None
    if status not in plan.status.allowed_next:
        raise DomainError(_l("A plan cannot go from this status to that one."), code="bad_status_change")
    if plan.status == PlanStatus.CLOSED and status == PlanStatus.PUBLISHED:
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


def visible_plans(session: Session, include_internal: bool) -> list[tuple[Plan, list[Activity]]]:
    """Plans newest first, each with the activities the viewer may see, in two queries.

    Citizens see published and closed plans and their public activities; organizers see everything."""
    stmt = (
        select(Plan)
        .options(
            selectinload(Plan.activities).options(
                selectinload(Activity.venue),
                selectinload(Activity.stops).options(
                    selectinload(TourStop.host_unit), selectinload(TourStop.participating_units)
                ),
            ),
            selectinload(Plan.lead_unit),
        )
        .order_by(Plan.period_start.desc(), Plan.id.desc())
    )
    if not include_internal:
        stmt = stmt.where(Plan.is_public)
    return [(plan, [a for a in plan.activities if include_internal or a.is_public]) for plan in session.scalars(stmt)]


def figures(session: Session, plan_id: int | None = None) -> list[Figure]:
    """The events feature's public numbers, for the whole campaign or one plan: plans, live public activities
    of published or closed plans (what the calendar shows) and their registrations, confirmed and waiting."""
    visible = (Activity.cancelled.is_(False), Activity.is_visible)
    activity_count = select(func.count(Activity.id)).where(*visible)
    registrations = (
        select(Registration.status, func.count(Registration.id))
        .join(Registration.activity)
        .where(*visible, Registration.status != RegistrationStatus.CANCELLED)
        .group_by(Registration.status)
    )
    if plan_id is not None:
        activity_count = activity_count.where(Activity.plan_id == plan_id)
        registrations = registrations.where(Activity.plan_id == plan_id)
    by_status = dict(session.execute(registrations).all())
    result = []
    if plan_id is None:
        plan_count = select(func.count(Plan.id)).where(Plan.is_public)
        result.append(Figure(str(_l("Plans")), session.scalar(plan_count) or 0, "events.index"))
    return result + [
        Figure(str(_l("Activities")), session.scalar(activity_count) or 0, "events.calendar"),
        Figure(str(_l("Registrations")), by_status.get(RegistrationStatus.CONFIRMED, 0)),
        Figure(str(_l("On the waiting list")), by_status.get(RegistrationStatus.WAITLISTED, 0)),
    ]


def close_finished_plans(session: Session, now: datetime, *, tz: ZoneInfo) -> JobResult:
    """A published plan whose period ended (by the local date) becomes closed. Idempotent."""
    today = now.astimezone(tz).date()
    ended = session.scalars(
        select(Plan).where(Plan.status == PlanStatus.PUBLISHED, Plan.auto_close.is_(True), Plan.period_end < today)
    )
    count = 0
    for plan in ended:  # through the ORM, so each change lands in the audit trail
        plan.status = PlanStatus.CLOSED
        count += 1
    return JobResult(changed=count, message=_l("%(count)s plans closed", count=count))


# ---------------------------------------------------------------- the plan page's picture


# However long the period (a typo can make it centuries), the strip carries at most this many ticks.
MAX_TICKS = 26
_PERCENT = Decimal("0.001")
_MIN_BAR = Decimal("0.8")


@dataclass(frozen=True)
class TimelineBar:
    activity: Activity
    left: Decimal  # percent of the strip
    width: Decimal


@dataclass(frozen=True)
class Timeline:
    start: date
    end: date
    days: int
    bars: list[TimelineBar]
    peak: tuple[Decimal, Decimal] | None  # left, width in percent
    ticks: list[tuple[Decimal, date]]  # week, month or year starts: at most MAX_TICKS of them


def _tick_days(start: date, end: date) -> list[date]:
    """Mondays for a strip of up to MAX_TICKS weeks, else first days of months, else of years (thinned)."""
    if (end - start).days <= 7 * MAX_TICKS:
        first = start + timedelta(days=(7 - start.weekday()) % 7)
        return [first + timedelta(days=7 * n) for n in range((end - first).days // 7 + 1) if first <= end]
    months = (end.year - start.year) * 12 + end.month - start.month
    if months <= MAX_TICKS:
        firsts = [
            date(start.year + (start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1, 1)
            for n in range(1, months + 1)
        ]
        return [day for day in firsts if day <= end]
    step = -(-(end.year - start.year) // MAX_TICKS)  # whole years per tick, rounded up
    return [date(year, 1, 1) for year in range(start.year + 1, end.year + 1, step)]


def timeline(plan: Plan, activities: Iterable[Activity], *, tz: ZoneInfo) -> Timeline:
    """A Gantt-like strip of the plan's period (stretched to any activity outside it): one bar per activity,
    in time order, positioned in percent of the strip so the page can draw it at any width. Its size grows with
    the number of activities only, never with the length of the period."""
    activities = sorted(activities, key=lambda a: (a.starts_at, a.id or 0))
    start = min([plan.period_start] + [a.starts_at.astimezone(tz).date() for a in activities])
    end = max([plan.period_end] + [a.ends_at.astimezone(tz).date() for a in activities])
    end = min(end, date.max - timedelta(days=2))  # the strip ends the day after: leave room at the calendar's end
    origin = datetime.combine(start, time.min, tz)
    total = Decimal((datetime.combine(end + timedelta(days=1), time.min, tz) - origin).total_seconds())

    def pct(moment: datetime) -> Decimal:
        return (100 * Decimal((moment - origin).total_seconds()) / total).quantize(_PERCENT)

    def at(day: date) -> Decimal:
        return pct(datetime.combine(day, time.min, tz))

    bars = []
    for activity in activities:
        left = pct(activity.starts_at)
        # A two-hour talk on a 47-day strip would be invisible: every bar keeps a minimum width.
        bars.append(TimelineBar(activity, left, max(pct(activity.ends_at) - left, _MIN_BAR)))
    peak = None
    if plan.peak_start and plan.peak_end:
        peak_left = at(plan.peak_start)
        peak = (peak_left, at(plan.peak_end + timedelta(days=1)) - peak_left)
    ticks = [(at(day), day) for day in _tick_days(start, end)]
    return Timeline(start, end, (end - start).days + 1, bars, peak, ticks)


def activities_by_kind(activities: Iterable[Activity]) -> list[tuple[str, int]]:
    """Live activities counted by kind, most first (for the plan page's bar table)."""
    counts = Counter(a.kind for a in activities if not a.cancelled)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

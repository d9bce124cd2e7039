"""Copying a plan to next year: the same campaign, one year on, as a fresh draft."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
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


def shift_years_in_text(text: str, first_year: int, last_year: int, years: int) -> str:
    """ "… năm 2024" becomes "… năm 2025": every year of the plan's period named in ``text`` moves on."""
    pattern = re.compile(r"(?<!\d)(" + "|".join(str(y) for y in range(first_year, last_year + 1)) + r")(?!\d)")
    return pattern.sub(lambda match: str(int(match.group(1)) + years), text)


def copy_plan(session: Session, plan: Plan, *, years: int = 1, now: datetime, tz: ZoneInfo) -> Plan:
    """A new draft of ``plan`` ``years`` later, flushed (not committed) and returned.

    Dates and times move by whole calendar years in ``tz``; the title's year moves with them; the number
    and issue date are cleared (the new plan is issued anew). Activities that were not cancelled come along
    with their coordinating units, tour stops (with participants) and programme items; registrations do not,
    seats start at zero, registration is closed, accepted warnings and the calendar sequence start afresh.
    Raises Conflict when the same copy already exists (a second click)."""
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
    activities = session.scalars(
        select(Activity)
        .where(Activity.plan_id == plan.id, Activity.cancelled.is_(False))
        .options(
            selectinload(Activity.coordinating_units),
            selectinload(Activity.stops).selectinload(TourStop.participating_units),
            selectinload(Activity.programme),
        )
        .order_by(Activity.starts_at, Activity.id)
    )
    for activity in activities:
        session.add(_copy_activity(activity, copy, years, now, retitle, tz))
    session.flush()
    return copy


def _copy_activity(activity: Activity, plan: Plan, years: int, now: datetime, retitle, tz: ZoneInfo) -> Activity:
    """The copy with its stops and programme attached; adding it to the session cascades to them."""
    copy = Activity(
        plan=plan,
        title=retitle(activity.title),
        description=activity.description,
        kind=activity.kind,
        starts_at=shift_datetime(activity.starts_at, years, tz),
        ends_at=shift_datetime(activity.ends_at, years, tz),
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
        registration_opens_at=shift_datetime(activity.registration_opens_at, years, tz),
        registration_closes_at=shift_datetime(activity.registration_closes_at, years, tz),
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
            starts_at=shift_datetime(stop.starts_at, years, tz),
            ends_at=shift_datetime(stop.ends_at, years, tz),
            participating_units=list(stop.participating_units),
        )
    for item in activity.programme:
        ProgrammeItem(
            activity=copy,
            stop=stops.get(item.stop_id),
            position=item.position,
            title=item.title,
            description=item.description,
            starts_at=shift_datetime(item.starts_at, years, tz),
            ends_at=shift_datetime(item.ends_at, years, tz),
            responsible_unit_id=item.responsible_unit_id,
        )
    return copy

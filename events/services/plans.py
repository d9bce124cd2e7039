"""Rules of plans and activities, as plain functions of a session and values."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.providers import Figure
from app.scheduler import JobResult

from ..models import Activity, Plan, PlanStatus, Registration, RegistrationStatus, TourStop

CAMPAIGN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


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
        stmt = stmt.where(Plan.status != PlanStatus.DRAFT.value)
    return [(plan, [a for a in plan.activities if include_internal or a.is_public]) for plan in session.scalars(stmt)]


def figures(session: Session, plan_id: int | None = None) -> list[Figure]:
    """The events feature's public numbers, for the whole campaign or one plan: plans, live public activities
    of published or closed plans (what the calendar shows) and their registrations, confirmed and waiting."""
    visible = (Activity.cancelled.is_(False), Activity.is_public.is_(True), Plan.status != PlanStatus.DRAFT.value)
    activity_count = select(func.count(Activity.id)).join(Activity.plan).where(*visible)
    registrations = (
        select(Registration.status, func.count(Registration.id))
        .join(Registration.activity)
        .join(Activity.plan)
        .where(*visible, Registration.status != RegistrationStatus.CANCELLED.value)
        .group_by(Registration.status)
    )
    if plan_id is not None:
        activity_count = activity_count.where(Activity.plan_id == plan_id)
        registrations = registrations.where(Activity.plan_id == plan_id)
    by_status = dict(session.execute(registrations).all())
    result = []
    if plan_id is None:
        plan_count = select(func.count(Plan.id)).where(Plan.status != PlanStatus.DRAFT.value)
        result.append(Figure(str(_l("Plans")), session.scalar(plan_count) or 0, "events.index"))
    return result + [
        Figure(str(_l("Activities")), session.scalar(activity_count) or 0, "events.calendar"),
        Figure(str(_l("Registrations")), by_status.get(RegistrationStatus.CONFIRMED.value, 0)),
        Figure(str(_l("On the waiting list")), by_status.get(RegistrationStatus.WAITLISTED.value, 0)),
    ]


def close_finished_plans(session: Session, now: datetime, tz: ZoneInfo = CAMPAIGN_TZ) -> JobResult:
    """Scheduled: a published plan whose period ended (by the local date) becomes closed. Idempotent."""
    today = now.astimezone(tz).date()
    ended = session.scalars(
        select(Plan).where(
            Plan.status == PlanStatus.PUBLISHED.value, Plan.auto_close.is_(True), Plan.period_end < today
        )
    )
    count = 0
    for plan in ended:  # through the ORM, so each change lands in the audit trail
        plan.status = PlanStatus.CLOSED.value
        count += 1
    return JobResult(changed=count, message=_l("%(count)s plans closed", count=count))

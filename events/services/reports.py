"""What events offers summary reports (app/providers.py's report sections): the plan's activities with their
registrations. Registered when the blueprint is set up; a report collects it without importing events."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.providers import Period, ReportColumn, ReportSection

from ..models import Activity, Registration, RegistrationStatus


def activity_rows(session: Session, plan_id: int | None, period: Period | None) -> list[dict]:
    """One row per activity of the plan (every plan when None) starting within ``period``, in time order: its
    title, kind, start, whether it was cancelled, and its confirmed and waiting registrations (one grouped
    query)."""
    confirmed = func.sum(case((Registration.status == RegistrationStatus.CONFIRMED, 1), else_=0))
    waiting = func.sum(case((Registration.status == RegistrationStatus.WAITLISTED, 1), else_=0))
    stmt = (
        select(Activity.title, Activity.kind, Activity.starts_at, Activity.cancelled, confirmed, waiting)
        .outerjoin(Registration, Registration.activity_id == Activity.id)
        .group_by(Activity.id, Activity.title, Activity.kind, Activity.starts_at, Activity.cancelled)
        .order_by(Activity.starts_at, Activity.id)
    )
    if plan_id is not None:
        stmt = stmt.where(Activity.plan_id == plan_id)
    if period is not None:
        stmt = stmt.where(Activity.starts_at >= period.start, Activity.starts_at < period.end)
    return [
        {
            "title": title,
            "kind": kind.label,
            "starts_at": starts_at,
            "cancelled": cancelled,
            "confirmed": int(confirmed or 0),
            "waitlisted": int(waitlisted or 0),
        }
        for title, kind, starts_at, cancelled, confirmed, waitlisted in session.execute(stmt)
    ]


ACTIVITIES = ReportSection(
    key="events.activities",
    title=_l("Activities and registrations"),
    columns=(
        ReportColumn("title", _l("Activity")),
        ReportColumn("kind", _l("Kind")),
        ReportColumn("starts_at", _l("Starts")),
        ReportColumn("cancelled", _l("Cancelled")),
        ReportColumn("confirmed", _l("Confirmed")),
        ReportColumn("waitlisted", _l("On the waitlist")),
    ),
    rows=activity_rows,
    order=10,
)

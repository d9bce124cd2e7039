"""Rules of contests."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.providers import Figure

from .models import Contest


def contest_phase(contest: Contest, now: datetime) -> str:
    """Where a contest stands at ``now``: upcoming, open or closed (no dates means open until closed)."""
    if contest.opens_at and now < contest.opens_at:
        return "upcoming"
    if contest.closes_at and now >= contest.closes_at:
        return "closed"
    return "open"


def listed_contests(session: Session, include_unpublished: bool) -> list[Contest]:
    """Contests in the order they open; unpublished ones (or ones of a draft plan) only for organizers."""
    stmt = select(Contest).options(selectinload(Contest.organizer_unit)).order_by(Contest.opens_at, Contest.id)
    if not include_unpublished:
        stmt = stmt.where(Contest.is_public)
    return list(session.scalars(stmt))


def figures(session: Session, plan_id: int | None = None) -> list[Figure]:
    """The contests feature's numbers for the dashboard and plan pages."""
    stmt = select(func.count(Contest.id)).where(Contest.is_public)
    if plan_id is not None:
        stmt = stmt.where(Contest.plan_id == plan_id)
    return [Figure(str(_l("Contests")), session.scalar(stmt) or 0, "contests.index")]

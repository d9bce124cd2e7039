"""Rules of contests."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.providers import Figure
from events.services.transfer import shift_years_in_text

from ..models import Contest


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


def copy_with_plan(session: Session, old_plan, new_plan, activity_id_map: dict[int, int], shift) -> int:
    """The copy hook of contests: the plan's contests, one campaign on, for the copied plan.

    Opening and closing move together by ``shift`` (anchored on the opening, so a Saturday opening stays a
    Saturday); titles have the old period's years moved on, like the plan's activities; each copy is unpublished
    until the organizer checks it. Returns how many were copied."""
    years = new_plan.period_start.year - old_plan.period_start.year
    first_year, last_year = old_plan.period_start.year, old_plan.period_end.year
    contests = session.scalars(select(Contest).where(Contest.plan_id == old_plan.id).order_by(Contest.id)).all()
    for contest in contests:
        anchor = contest.opens_at or contest.closes_at
        session.add(
            Contest(
                plan_id=new_plan.id,
                title=shift_years_in_text(contest.title, first_year, last_year, years),
                kind=contest.kind,
                description=contest.description,
                audience=contest.audience,
                organizer_unit_id=contest.organizer_unit_id,
                opens_at=shift(contest.opens_at, anchor),
                closes_at=shift(contest.closes_at, anchor),
                is_published=False,
                created_at=new_plan.created_at,
            )
        )
    return len(contests)

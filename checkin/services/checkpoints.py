"""Checkpoints: the entrances, exits and booths of each activity, and their copy with a plan."""

from __future__ import annotations

from itertools import groupby

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.providers import Figure
from events.models import Activity

from ..models import Checkpoint


def checkpoints_by_activity(session: Session, only: set[int] | None = None) -> list[tuple[Activity, list[Checkpoint]]]:
    """Every checkpoint (or only those whose ids are in ``only``: a volunteer's), grouped under its activity in
    the activity's time order."""
    stmt = (
        select(Checkpoint)
        .join(Checkpoint.activity)
        .options(joinedload(Checkpoint.activity).joinedload(Activity.venue), joinedload(Checkpoint.host_unit))
        .order_by(Activity.starts_at, Activity.id, Checkpoint.position, Checkpoint.name)
    )
    if only is not None:
        stmt = stmt.where(Checkpoint.id.in_(only))
    rows = session.scalars(stmt).all()
    return [(activity, list(points)) for activity, points in groupby(rows, key=lambda c: c.activity)]


def figures(session: Session, plan_id: int | None = None) -> list[Figure]:
    """The check-in feature's numbers: checkpoints set up."""
    stmt = select(func.count(Checkpoint.id))
    if plan_id is not None:
        stmt = stmt.join(Checkpoint.activity).where(Activity.plan_id == plan_id)
    return [Figure(str(_l("Checkpoints")), session.scalar(stmt) or 0, "checkin.index")]


def copy_with_plan(session: Session, old_plan, new_plan, activity_id_map: dict[int, int], shift) -> int:
    """The copy hook of check-in: each copied activity gets the checkpoints (entrances, booths) of the activity
    it was copied from. Returns how many were copied."""
    if not activity_id_map:
        return 0
    points = session.scalars(
        select(Checkpoint)
        .where(Checkpoint.activity_id.in_(list(activity_id_map)))
        .order_by(Checkpoint.activity_id, Checkpoint.position, Checkpoint.id)
    ).all()
    for point in points:
        session.add(
            Checkpoint(
                activity_id=activity_id_map[point.activity_id],
                name=point.name,
                kind=point.kind,
                rule=point.rule,
                description=point.description,
                host_unit_id=point.host_unit_id,
                position=point.position,
            )
        )
    return len(points)

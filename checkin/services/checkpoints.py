"""Checkpoints: the entrances, exits and booths of each activity, their copy with a plan, and the organizer's
rules for setting them up and assigning the volunteers who scan at them."""

from __future__ import annotations

from itertools import groupby

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.errors import DomainError
from app.models import Role, Unit, User, UserRole
from app.providers import Figure
from app.services import vietnamese_sort_key
from app.urls import MAX_DB_INT
from events.models import Activity

from ..models import Checkpoint, CheckpointAssignment, CheckpointKind, CheckpointRule, Scan


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


# --- the organizer's side: setting up checkpoints and assigning volunteers ---------------------------------------


class InvalidCheckpoint(DomainError):
    code = "invalid_checkpoint"
    status = 422


def activity_checkpoints(session: Session, activity_id: int) -> list[Checkpoint]:
    """The activity's checkpoints in their order, each with its host unit."""
    return list(
        session.scalars(
            select(Checkpoint)
            .where(Checkpoint.activity_id == activity_id)
            .options(selectinload(Checkpoint.host_unit))
            .order_by(Checkpoint.position, Checkpoint.name, Checkpoint.id)
        )
    )


def assignments(session: Session, checkpoint_ids: list[int]) -> dict[int, list[User]]:
    """checkpoint id -> the volunteers assigned to it, in Vietnamese order of their names."""
    found: dict[int, list[User]] = {point_id: [] for point_id in checkpoint_ids}
    if not checkpoint_ids:
        return found
    rows = session.execute(
        select(CheckpointAssignment.checkpoint_id, User)
        .join(User, User.id == CheckpointAssignment.user_id)
        .where(CheckpointAssignment.checkpoint_id.in_(checkpoint_ids))
    )
    for point_id, user in rows:
        found[point_id].append(user)
    for users in found.values():
        users.sort(key=lambda user: vietnamese_sort_key(user.name))
    return found


def volunteers(session: Session) -> list[User]:
    """Active accounts holding the volunteer role, in Vietnamese order: who may be assigned to scan."""
    users = session.scalars(
        select(User).where(
            User.active.is_(True),
            exists().where(UserRole.user_id == User.id, UserRole.role == Role.VOLUNTEER),
        )
    ).all()
    return sorted(users, key=lambda user: vietnamese_sort_key(user.name))


def save_checkpoint(
    session: Session,
    activity: Activity,
    checkpoint: Checkpoint | None,
    *,
    name: str,
    kind: str,
    rule: str,
    host_unit_id: int | None,
    position: int | None,
    description: str = "",
) -> Checkpoint:
    """Create (``checkpoint`` None) or change a checkpoint of ``activity``. Raises InvalidCheckpoint on the field
    at fault: an empty or duplicate name (names are unique per activity), an unknown kind, rule or unit."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidCheckpoint(_l("Enter the checkpoint's name."), field="name")
    try:
        kind, rule = CheckpointKind(kind), CheckpointRule(rule)
    except ValueError:
        raise InvalidCheckpoint(_l("Choose the kind of checkpoint."), field="kind") from None
    if host_unit_id is not None and not (
        0 < host_unit_id <= MAX_DB_INT and session.get(Unit, host_unit_id) is not None
    ):
        raise InvalidCheckpoint(_l("Choose a unit from the list."), field="host_unit_id")
    taken = session.scalar(
        select(Checkpoint.id).where(
            Checkpoint.activity_id == activity.id,
            func.lower(Checkpoint.name) == name.lower(),
            Checkpoint.id != (checkpoint.id if checkpoint is not None else -1),
        )
    )
    if taken is not None:
        raise InvalidCheckpoint(_l("This activity already has a checkpoint with this name."), field="name")
    if checkpoint is None:
        checkpoint = Checkpoint(activity_id=activity.id)
        session.add(checkpoint)
    checkpoint.name = name
    checkpoint.kind = kind
    checkpoint.rule = rule
    checkpoint.host_unit_id = host_unit_id
    checkpoint.position = position or 0
    checkpoint.description = (description or "").strip()
    session.flush()
    return checkpoint


def scan_count(session: Session, checkpoint_id: int) -> int:
    """How many scans a checkpoint has recorded (a checkpoint with any may not be deleted)."""
    return session.scalar(select(func.count(Scan.id)).where(Scan.checkpoint_id == checkpoint_id)) or 0


def delete_checkpoint(session: Session, checkpoint: Checkpoint) -> int:
    """Remove a checkpoint that has not scanned anything yet (its scans are the record of who came: a checkpoint
    with scans stays). Its volunteers are unassigned with it. Returns the activity's id."""
    if scan_count(session, checkpoint.id):
        raise DomainError(
            _l("Tickets were already scanned at this checkpoint, so it is kept as the record of who came."),
            code="checkpoint_has_scans",
            status=409,
        )
    activity_id = checkpoint.activity_id
    for assignment in session.scalars(
        select(CheckpointAssignment).where(CheckpointAssignment.checkpoint_id == checkpoint.id)
    ):
        session.delete(assignment)
    session.delete(checkpoint)
    session.flush()
    return activity_id


def assign(session: Session, checkpoint: Checkpoint, user_id: int | None) -> bool:
    """Assign the volunteer ``user_id`` to scan at ``checkpoint``; True when newly assigned, False when already
    there. Only an active account with the volunteer role may be assigned."""
    user = session.get(User, user_id) if isinstance(user_id, int) and 0 < user_id <= MAX_DB_INT else None
    if user is None or not user.active or Role.VOLUNTEER not in user.roles:
        raise DomainError(_l("Choose a volunteer from the list."), code="not_a_volunteer", field="user_id", status=422)
    already = session.scalar(
        select(CheckpointAssignment.id).where(
            CheckpointAssignment.checkpoint_id == checkpoint.id, CheckpointAssignment.user_id == user.id
        )
    )
    if already is not None:
        return False
    session.add(CheckpointAssignment(checkpoint_id=checkpoint.id, user_id=user.id))
    session.flush()
    return True


def unassign(session: Session, checkpoint: Checkpoint, user_id: int) -> bool:
    """Take the volunteer off ``checkpoint``; False when they were not assigned (nothing to do)."""
    assignment = session.scalar(
        select(CheckpointAssignment).where(
            CheckpointAssignment.checkpoint_id == checkpoint.id, CheckpointAssignment.user_id == user_id
        )
    )
    if assignment is None:
        return False
    session.delete(assignment)
    session.flush()
    return True


def activities_to_set_up(session: Session, now, limit: int = 100) -> list[Activity]:
    """Activities not over yet, not cancelled and without any checkpoint: where an organizer may start check-in."""
    return list(
        session.scalars(
            select(Activity)
            .where(
                Activity.ends_at > now,
                Activity.cancelled.is_(False),
                ~exists().where(Checkpoint.activity_id == Activity.id),
            )
            .order_by(Activity.starts_at, Activity.id)
            .limit(limit)
        )
    )

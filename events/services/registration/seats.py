"""Seats and the waitlist: taking and giving back a seat, the compare-and-set of a registration's status, the
waitlist's order, promotion to freed seats, cancelling, and the seat counts pages show. Every write to
``activities.seats_taken`` is in this module; ``register`` takes its seat through ``_take_seat_and_insert``.

Correctness under concurrency rests on the database, never on a count read earlier:
- a seat is taken by ONE conditional UPDATE of ``activities.seats_taken`` (rowcount 1 = confirmed, 0 = waitlisted;
  on PostgreSQL a registration's seat UPDATE is the first CTE of ``_ONE_STATEMENT``, which writes the rest);
- one live registration per phone per activity is kept by the partial unique index ``uq_registrations_live_phone``;
- every status change is a compare-and-set UPDATE (``WHERE status = <what we saw>``), so two writers never both win.
The same code is correct on SQLite (one writer at a time) and PostgreSQL (READ COMMITTED re-checks the WHERE
clause of an UPDATE that waited for a row lock)."""

from __future__ import annotations

import functools
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Integer, String, bindparam, column, func, insert, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app import audit, outbox
from app.errors import Conflict, DomainError, NotFound
from app.models import AuditEntry, OutboxMessage

from ...models import Activity, Registration
from .common import CANCELLED, CONFIRMED, WAITLISTED
from .messages import message_payload, tell
from .tickets import ticket_for

# A status can change at most twice (waitlisted -> confirmed -> cancelled), so a compare-and-set that keeps
# losing more often than this means something is wrong; stop rather than spin.
_MAX_STATUS_RACES = 5


def _expire(session: Session, model, pk: int, attributes: list[str] | None = None) -> None:
    # Core UPDATEs bypass the identity map; drop a loaded copy (or the columns the UPDATE wrote) so the next read
    # sees the database.
    obj = session.identity_map.get(identity_key(model, pk))
    if obj is not None:
        session.expire(obj, attributes)


def _take_seat(session: Session, activity_id: int) -> bool:
    """One conditional UPDATE: True if a seat was free and is now ours."""
    result = session.execute(_seat_update(), {"activity_id": activity_id})
    # Only what the UPDATE wrote: the title, times and venue the message needs stay loaded (no reload).
    _expire(session, Activity, activity_id, ["seats_taken", "updated_at"])
    return result.rowcount == 1


def _give_back_seat(session: Session, activity_id: int) -> None:
    session.execute(
        update(Activity)
        .where(Activity.id == activity_id, Activity.seats_taken > 0)
        .values(seats_taken=Activity.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    _expire(session, Activity, activity_id)


def _take_seat_and_insert(
    session: Session, activity: Activity, now: datetime, **values
) -> tuple[Registration | None, bool]:
    """Take a seat if one is free and insert the registration, confirmed with it or else waitlisted, with its audit
    entry and, when confirmed, the person's confirmation in the outbox (``tell``'s "created" message; a waitlisted
    person is told by the caller, with their place). Returns the registration (None when a unique index refused
    it: the seat, if one was taken, is given back and nothing else is written) and whether a seat was taken.
    Every seat ``register`` takes is taken here.

    The activity's row is locked from the seat UPDATE to the caller's COMMIT, so everything is written while it
    is held is written at once: on PostgreSQL one statement whose data-modifying CTEs take the seat, insert the
    registration, its audit entry and the message (the lock is held for that one round trip and the COMMIT); on
    SQLite, whose write lock is the whole database's, the same four statements back to back with nothing computed
    between them."""
    new = Registration(**values)  # transient: what the database is asked to insert; it gives the id and status
    confirmation = {**message_payload(new, activity), "position": None}
    if session.get_bind(mapper=Registration.__mapper__).dialect.name == "postgresql":
        registration, seated = _in_one_statement(session, new, values, confirmation, now)
    else:
        seated = _take_seat(session, activity.id)
        registration = _insert_registration(session, status=CONFIRMED if seated else WAITLISTED, **values)
        if registration is not None:
            session.execute(insert(AuditEntry).values(**audit.created_values(registration)))
            if seated:
                _confirm(session, registration, confirmation, now)
    # Only what the UPDATE wrote: the title, times and venue the messages need stay loaded (no reload).
    _expire(session, Activity, activity.id, ["seats_taken", "updated_at"])
    if registration is None and seated:
        _give_back_seat(session, activity.id)
    return registration, seated


def _confirm(session: Session, registration: Registration, payload: dict, now: datetime) -> None:
    key, ref = f"registration:{registration.id}:created", f"Registration:{registration.id}"
    outbox.enqueue(session, **_confirmation_message(registration, payload, now), dedupe_key=key, subject_ref=ref)


def _confirmation_message(registration: Registration, payload: dict, now: datetime) -> dict:
    # What ``tell(session, registration, "registration_confirmed", key="created")`` writes, but its keys.
    to = outbox.recipients(email=registration.email, phone=registration.phone)
    locale = registration.locale
    return {"to": to, "template": "registration_confirmed", "payload": payload, "locale": locale, "now": now}


def _seat_update():
    activities = Activity.__table__
    return (
        update(activities)
        .where(
            activities.c.id == bindparam("activity_id"),
            activities.c.capacity.is_(None) | (activities.c.seats_taken < activities.c.capacity),
        )
        .values(seats_taken=activities.c.seats_taken + 1)
    )


def _in_one_statement(
    session: Session, new: Registration, values: dict, confirmation: dict, now: datetime
) -> tuple[Registration | None, bool]:
    """PostgreSQL: seat, registration, audit entry and confirmation in ONE statement (``_one_statement``)."""
    audit_values = audit.created_values(new)  # the database adds the id and status
    (recipient,) = outbox.recipients(email=new.email, phone=new.phone)  # the phone, at least, was checked
    message = outbox.message_parameters(recipient, "registration_confirmed", confirmation, new.locale, now)
    parameters = (
        {f"new_{name}": value for name, value in values.items()}
        | message
        | {
            "activity_id": values["activity_id"],
            "audit_at": audit_values["at"],
            "audit_actor_id": audit_values["actor_id"],
            "audit_changes": audit_values["changes"],
        }
    )
    registration, taken = session.execute(_one_statement(tuple(values)), parameters).one()
    return registration, taken == 1


# The hot write, on PostgreSQL. Each INSERT selects from the one before it, so a registration refused by a unique
# index (ON CONFLICT DO NOTHING) writes no audit entry and no message, and the confirmation is written only with a
# seat (a waitlisted person is told their place after the statement). ``taken`` says whether the seat UPDATE
# matched; READ COMMITTED re-checks its WHERE clause after waiting for the row lock, as when it was a statement of
# its own. A nested statement's column defaults are not filled in: every column is given, and the seat's time
# stamp is the server's. Written as SQL rather than built with SQLAlchemy: PostgreSQL's INSERT … ON CONFLICT is not
# cached by SQLAlchemy, so the built statement was compiled again on every registration (2 ms of CPU). The seat
# CTE is ``_seat_update``'s rule written again: a change to one is a change to both.
_ONE_STATEMENT = """
WITH seat AS (
    UPDATE activities SET seats_taken = seats_taken + 1, updated_at = now()
    WHERE id = :activity_id AND (capacity IS NULL OR seats_taken < capacity)
    RETURNING id
), registration AS (
    INSERT INTO registrations ({new_columns}, status)
    VALUES ({new_values}, CASE WHEN EXISTS (SELECT FROM seat) THEN 'confirmed' ELSE 'waitlisted' END)
    ON CONFLICT DO NOTHING
    RETURNING {registration_columns}
), trail AS (
    INSERT INTO audit_entries (at, actor_id, action, entity, entity_id, changes)
    SELECT :audit_at, :audit_actor_id, 'create', 'Registration', CAST(id AS VARCHAR),
           CAST(jsonb_build_object('id', id, 'status', status) || CAST(:audit_changes AS JSONB) AS JSON)
    FROM registration
), message AS (
    INSERT INTO outbox_messages ({message_columns}, dedupe_key, subject_ref)
    SELECT {message_values}, 'registration:' || id || '\\:created' || :message_key_channel, 'Registration:' || id
    FROM registration WHERE status = 'confirmed'
    ON CONFLICT DO NOTHING
)
SELECT {registration_columns}, (SELECT count(*) FROM seat) AS taken
FROM (SELECT) AS one LEFT JOIN registration ON true
"""


@functools.cache
def _one_statement(names: tuple[str, ...]):
    """``_ONE_STATEMENT`` for the registration's columns ``names``, its parameters typed as their columns (JSON
    serialised, times in UTC), loading the registration as an entity beside ``taken``; built once per shape."""
    registrations, entries = Registration.__table__, AuditEntry.__table__
    message_columns = outbox.message_columns()
    sql = _ONE_STATEMENT.format(
        new_columns=", ".join(names),
        new_values=", ".join(f":new_{name}" for name in names),
        registration_columns=", ".join(column.name for column in registrations.c),
        message_columns=", ".join(message_columns),
        message_values=", ".join(f":message_{name}" for name in message_columns),
    )
    typed = [bindparam(f"new_{name}", type_=registrations.c[name].type) for name in names]
    typed += [bindparam(f"message_{name}", type_=OutboxMessage.__table__.c[name].type) for name in message_columns]
    typed += [
        bindparam("activity_id", type_=Integer),
        bindparam("audit_at", type_=entries.c.at.type),
        bindparam("audit_actor_id", type_=Integer),
        bindparam("audit_changes", type_=JSON),
        bindparam("message_key_channel", type_=String),
    ]
    taken = column("taken", Integer)
    textual = text(sql).bindparams(*typed).columns(*registrations.c, taken)
    return select(Registration, taken).from_statement(textual)


def _insert_registration(session: Session, **values) -> Registration | None:
    """SQLite: insert the registration; None when a unique index refused it (this phone's live registration for
    the activity, or the ticket token), with nothing written. One statement (INSERT … ON CONFLICT DO NOTHING …
    RETURNING): no savepoint to open and release."""
    statement = sqlite_insert(Registration).values(**values).on_conflict_do_nothing().returning(Registration)
    return session.scalars(statement).first()


def _set_status(session: Session, registration_id: int, old: str, new: str, **values) -> bool:
    """Compare-and-set the status; True only for the one writer that saw ``old``."""
    result = session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status == old)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    )
    _expire(session, Registration, registration_id)
    if result.rowcount != 1:
        return False
    # The conditional UPDATE bypasses the ORM's audit hook; record the transition by hand (ids only, no phone).
    session.add(
        AuditEntry(
            action="update", entity="Registration", entity_id=str(registration_id), changes={"status": [old, new]}
        )
    )
    return True


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """1 for the next person to be promoted; None unless ``registration`` is waitlisted."""
    if registration.status != WAITLISTED:
        return None
    return session.scalar(
        select(func.count(Registration.id)).where(
            Registration.activity_id == registration.activity_id,
            Registration.status == WAITLISTED,
            Registration.id <= registration.id,
        )
    )


def _fill_free_seats(session: Session, activity_id: int, now: datetime) -> list[int]:
    promoted: list[int] = []
    after_id = 0
    while _take_seat(session, activity_id):
        while True:
            candidate = session.scalar(
                select(Registration.id)
                .where(
                    Registration.activity_id == activity_id,
                    Registration.status == WAITLISTED,
                    Registration.id > after_id,
                )
                .order_by(Registration.id)
                .limit(1)
            )
            if candidate is None:
                _give_back_seat(session, activity_id)
                return promoted
            after_id = candidate
            # Lost the race for this one (cancelled or promoted meanwhile): keep the seat, try the next in line.
            if _set_status(session, candidate, WAITLISTED, CONFIRMED, promoted_at=now):
                promoted.append(candidate)
                tell(session, session.get(Registration, candidate), "registration_promoted", now=now, key="promoted")
                break
    return promoted


def promote_waitlist(session: Session, activity_id: int, now: datetime) -> list[int]:
    """Move waitlisted people to free seats, oldest first, until seats or people run out; the ids promoted.
    Call it after raising an activity's capacity (or removing it). Safe to run at any time, any number of times."""
    activity = session.get(Activity, activity_id)
    if activity is None or activity.cancelled:
        return []
    return _fill_free_seats(session, activity_id, now)


def cancel(session: Session, token: str, now: datetime) -> Registration:
    """Cancel the registration holding ``token``; a freed seat goes to the first person on the waitlist.
    Idempotent: cancelling a cancelled registration changes nothing. Raises NotFound for an unknown token and
    ``cancel_closed`` once the activity has started."""
    registration = ticket_for(session, token)
    if registration is None:
        raise NotFound(_l("This registration does not exist. Check the link you received."))
    for _attempt in range(_MAX_STATUS_RACES):
        session.refresh(registration)
        seen = registration.status
        if seen == CANCELLED:
            return registration
        if now >= registration.activity.starts_at:
            raise DomainError(
                _l("This activity has already started, so the registration can no longer be cancelled."),
                code="cancel_closed",
                status=409,
            )
        if _set_status(session, registration.id, seen, CANCELLED, cancelled_at=now):
            # Told in this transaction, once: the person knows the cancellation took (and from whom, if not them).
            tell(session, registration, "registration_cancelled", now=now, key="cancelled",
                 activity_id=registration.activity_id)  # fmt: skip
            if seen == CONFIRMED:
                _give_back_seat(session, registration.activity_id)
                if not registration.activity.cancelled:
                    _fill_free_seats(session, registration.activity_id, now)
            session.refresh(registration)
            return registration
    raise Conflict(_l("Your registration could not be cancelled. Please try again."), code="cancel_retry")


def registration_summaries(session: Session, activity_ids: list[int]) -> dict[int, dict[str, int | None]]:
    """For each activity id: counts of ``confirmed``, ``waitlisted``, ``cancelled``, its ``capacity`` and
    ``seats_left`` (None when unlimited), in two queries whatever the number of activities."""
    if not activity_ids:
        return {}
    summaries: dict[int, dict[str, int | None]] = {}
    for activity_id, capacity, seats_taken in session.execute(
        select(Activity.id, Activity.capacity, Activity.seats_taken).where(Activity.id.in_(activity_ids))
    ):
        summaries[activity_id] = {
            CONFIRMED: 0,
            WAITLISTED: 0,
            CANCELLED: 0,
            "capacity": capacity,
            "seats_left": None if capacity is None else max(capacity - seats_taken, 0),
        }
    counts = session.execute(
        select(Registration.activity_id, Registration.status, func.count(Registration.id))
        .where(Registration.activity_id.in_(activity_ids))
        .group_by(Registration.activity_id, Registration.status)
    )
    for activity_id, status, count in counts:
        if activity_id in summaries and status in summaries[activity_id]:
            summaries[activity_id][status] = count
    return summaries


def registration_summary(session: Session, activity_id: int) -> dict[str, int | None]:
    """Counts of one activity's registrations (see ``registration_summaries``); NotFound for an unknown id."""
    summary = registration_summaries(session, [activity_id]).get(activity_id)
    if summary is None:
        raise NotFound(_l("This activity does not exist."))
    return summary

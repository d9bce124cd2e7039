"""Retention of quiz participants' personal data (Decree 13/2023/NĐ-CP: kept no longer than its purpose needs).

Some time after a contest's last round closed (``QUIZ_RETENTION_DAYS``, a year by default: the prizes are handed
out and any complaint settled), a scheduled job erases what identifies each participant: name, phone and its
keyed hash and last digits, e-mail, the CCCD's hash and last digits, the device hash, and the messages still in
the outbox about them. Their ward, year of birth, attempts, scores, ranks and prizes stay, so the published
figures (participation per ward, by age, the results tables) stay as they were. One audit entry per contest says
when and how many, never who."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, literal, or_, select, update
from sqlalchemy.orm import Session

from app import cache, outbox
from app.models import AuditEntry
from app.scheduler import JobResult

from ... import PUBLIC_CACHE
from ...models import Participant, QuizRound, RoundState

ERASED_PREFIX = "erased:"  # phone_hash is unique per contest: an erased row keeps a value no phone hashes to
ERASED_FIELDS = ("full_name", "phone", "phone_hash", "phone_last4", "email", "cccd_hash", "cccd_last4", "device_hash")
_CHUNK = 500


def contests_past_retention(session: Session, now: datetime, *, retention_days: int) -> list[int]:
    """The contests whose rounds are all over (none scheduled or open; a draft never opened does not count) and
    whose last round closed at least ``retention_days`` before ``now``."""
    last_closed: dict[int, datetime] = {}
    running: set[int] = set()
    for contest_id, state, closed_at, closes_at in session.execute(
        select(QuizRound.contest_id, QuizRound.state, QuizRound.closed_at, QuizRound.closes_at)
    ):
        if state in (RoundState.SCHEDULED, RoundState.OPEN):
            running.add(contest_id)
        elif state == RoundState.CLOSED:
            moment = closed_at or closes_at
            last_closed[contest_id] = max(moment, last_closed.get(contest_id, moment))
    cutoff = now - timedelta(days=retention_days)
    return sorted(c for c, moment in last_closed.items() if c not in running and moment <= cutoff)


def _not_erased():
    return or_(
        Participant.full_name != "",
        Participant.phone != "",
        Participant.email.is_not(None),
        Participant.cccd_hash.is_not(None),
        Participant.device_hash.is_not(None),
        ~Participant.phone_hash.startswith(ERASED_PREFIX),
    )


def erase_participants(session: Session, contest_id: int, *, now: datetime) -> int:
    """Erase the personal data of every participant of the contest not erased yet, with the outbox's messages
    about them, and write one audit entry (how many, not who); returns how many were erased (0: nothing written)."""
    ids = list(
        session.scalars(
            select(Participant.id).where(Participant.contest_id == contest_id, _not_erased()).order_by(Participant.id)
        )
    )
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(
            update(Participant)
            .where(Participant.id.in_(chunk))
            .values(
                full_name="",
                phone="",
                phone_hash=literal(ERASED_PREFIX).concat(cast(Participant.id, String)),
                phone_last4="",
                email=None,
                cccd_hash=None,
                cccd_last4=None,
                device_hash=None,
            )
            .execution_options(synchronize_session=False)
        )
        outbox.forget(session, [f"Participant:{i}" for i in chunk])
    if ids:
        cache.bump(session, PUBLIC_CACHE)  # the kept results pages no longer show their names
        session.add(
            AuditEntry(
                at=now,
                actor_id=None,
                action="erase",
                entity="Participant",
                entity_id=f"contest:{contest_id}",
                changes={"contest_id": contest_id, "count": len(ids), "fields": list(ERASED_FIELDS)},
            )
        )
    return len(ids)


def erase_expired_participants(session: Session, now: datetime, *, retention_days: int) -> JobResult:
    """The job: erase the participants' personal data of every contest past its retention. Idempotent: a second
    run finds nobody left to erase and writes nothing."""
    erased: dict[int, int] = defaultdict(int)
    for contest_id in contests_past_retention(session, now, retention_days=retention_days):
        count = erase_participants(session, contest_id, now=now)
        if count:
            erased[contest_id] = count
    total = sum(erased.values())
    return JobResult(
        changed=total,
        message=_l(
            "Personal data of %(count)s participants erased in %(contests)s contests",
            count=total,
            contests=len(erased),
        ),
    )

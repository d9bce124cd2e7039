"""Scanning a ticket at a checkpoint: the verdict under the checkpoint's rule, stored once, undone within minutes;
and what a scanner syncs to judge on its own while the network is down.

Two phones scanning one ticket at the same moment admit it once: an admission takes the checkpoint's
``admission_slot`` for the ticket (and the local day, under "once a day"), and a unique constraint lets only one
insert take it — no read-then-write. A scan sent again with the same device and nonce is stored once and answered
as the first time. Every scan, admitted or refused, is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.urls import MAX_DB_INT
from events.models import Activity, Registration, RegistrationStatus

from ..models import Checkpoint, CheckpointAssignment, CheckpointRule, Scan, ScanVerdict
from . import tokens

UNDO_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class ScanResult:
    """A stored scan; ``created`` is False when the same nonce had been sent before (the stored answer);
    ``first`` is the admission that made this one "already checked in"."""

    scan: Scan
    created: bool
    first: Scan | None = None


# --- who scans where --------------------------------------------------------------------------------------------


def may_scan(session: Session, user_id: int, is_organizer: bool, checkpoint_id: int) -> bool:
    """Organizers (and admins) scan anywhere; a volunteer only where assigned."""
    if is_organizer:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    CheckpointAssignment.checkpoint_id == checkpoint_id, CheckpointAssignment.user_id == user_id
                )
            )
        )
    )


# --- days ---------------------------------------------------------------------------------------------------------


def activity_days(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> list[date]:
    """The local days an activity runs on: from its start's day to its end's day, the end's day left out when it
    ends at midnight exactly."""
    first = starts_at.astimezone(tz).date()
    last_moment = ends_at.astimezone(tz)
    last = last_moment.date()
    if last_moment.time() == time(0) and last > first:
        last -= timedelta(days=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def admission_slot(rule: CheckpointRule, ticket_id: int, day: date) -> str | None:
    """What an admission takes at a checkpoint: the ticket (once), the ticket on the day (once a day), or
    nothing (every time)."""
    if rule == CheckpointRule.ONCE:
        return str(ticket_id)
    if rule == CheckpointRule.ONCE_PER_DAY:
        return f"{ticket_id}:{day.isoformat()}"
    return None


def effective_time(scanned_at: datetime, now: datetime) -> datetime:
    """When a scan counts as made: the device's time, except that a device clock ahead of the server's cannot
    place a scan in the future."""
    return min(scanned_at, now)


@dataclass(frozen=True)
class Judgement:
    verdict: ScanVerdict
    ticket_id: int | None = None
    slot: str | None = None


def judge(
    checkpoint: Checkpoint,
    activity: Activity,
    registration: Registration | None,
    *,
    ticket: tokens.Ticket | None,
    at: datetime,
    tz: ZoneInfo,
) -> Judgement:
    """The verdict for a ticket whose signature (or typed code) has been checked: ``ticket`` says what it holds
    (None when it held nothing valid), ``registration`` is the registration it names, if any."""
    if ticket is None:
        return Judgement(ScanVerdict.UNKNOWN)
    if ticket.activity_id != checkpoint.activity_id:
        known = registration is not None and registration.activity_id == ticket.activity_id
        return Judgement(ScanVerdict.OTHER_ACTIVITY, registration.id if known else None)
    if registration is None or registration.activity_id != ticket.activity_id:
        return Judgement(ScanVerdict.UNKNOWN)
    if registration.status == RegistrationStatus.CANCELLED:
        return Judgement(ScanVerdict.REVOKED, registration.id)
    if registration.status != RegistrationStatus.CONFIRMED:  # a waiting-list place is not a ticket
        return Judgement(ScanVerdict.UNKNOWN, registration.id)
    if at > tokens.expires_at(activity.ends_at):
        return Judgement(ScanVerdict.EXPIRED, registration.id)
    day = at.astimezone(tz).date()
    if day not in activity_days(activity.starts_at, activity.ends_at, tz):
        return Judgement(ScanVerdict.OTHER_DAY, registration.id)
    return Judgement(ScanVerdict.ADMITTED, registration.id, admission_slot(checkpoint.rule, registration.id, day))


def read_ticket(
    session: Session, text: str, *, public_keys, secret: str
) -> tuple[tokens.Ticket | None, Registration | None]:
    """What a scanned or typed value names: a signed token (checked with ``public_keys``) or a short code (checked
    with ``secret``), and the registration it names. (None, None) when it is neither."""
    code = tokens.parse_code(text)
    if code is not None:
        ticket_id, check = code
        registration = session.get(Registration, ticket_id) if ticket_id <= MAX_DB_INT else None
        if registration is None or not tokens.code_matches(check, ticket_id, registration.activity_id, secret):
            return None, None
        issued = registration.promoted_at or registration.created_at
        return tokens.Ticket(0, registration.id, registration.activity_id, issued), registration
    try:
        ticket = tokens.verify(text, public_keys)
    except tokens.InvalidToken:
        return None, None
    registration = session.get(Registration, ticket.ticket_id) if ticket.ticket_id <= MAX_DB_INT else None
    return ticket, registration


# --- redeem --------------------------------------------------------------------------------------------------------


def redeem(
    session: Session,
    checkpoint: Checkpoint,
    *,
    token: str,
    device_id: str,
    nonce: str,
    scanned_at: datetime,
    user_id: int | None,
    now: datetime,
    tz: ZoneInfo,
    public_keys,
    secret: str,
    offline: bool = False,
    client_verdict: str | None = None,
) -> ScanResult:
    """Judge and store one scan at ``checkpoint``. The same (device, nonce) again answers the stored scan (found
    when its insert meets the unique key: a first scan costs no look-up for it)."""
    ticket, registration = read_ticket(session, token, public_keys=public_keys, secret=secret)
    at = effective_time(scanned_at, now)
    judgement = judge(checkpoint, checkpoint.activity, registration, ticket=ticket, at=at, tz=tz)
    values = {
        "checkpoint_id": checkpoint.id,
        "ticket_id": judgement.ticket_id,
        "device_id": device_id,
        "nonce": nonce,
        "scanned_at": scanned_at,
        "received_at": now,
        "offline": offline,
        "client_verdict": client_verdict,
        "user_id": user_id,
    }
    for _attempt in range(3):
        if judgement.verdict != ScanVerdict.ADMITTED:
            return _store(session, values, judgement.verdict, slot=None)
        scan = _insert(session, values | {"verdict": ScanVerdict.ADMITTED, "admitted": True}, judgement.slot)
        if scan is not None:
            return ScanResult(scan, created=True)
        replay = _by_nonce(session, device_id, nonce)
        if replay is not None:
            return _replayed(session, replay)
        first = _slot_holder(session, checkpoint.id, judgement.slot)
        if first is not None:
            result = _store(session, values, ScanVerdict.ALREADY_CHECKED_IN, slot=None)
            return ScanResult(result.scan, result.created, first if result.created else result.first)
        # The admission that held the slot was undone in between: try again.
    raise Conflict(_l("The ticket could not be checked; scan it again."), code="scan_retry")


def _store(session: Session, values: dict, verdict: ScanVerdict, *, slot: str | None) -> ScanResult:
    scan = _insert(session, values | {"verdict": verdict, "admitted": verdict == ScanVerdict.ADMITTED}, slot)
    if scan is None:  # without a slot, the only unique key it can meet: this device's nonce, sent before
        return _replayed(session, _by_nonce(session, values["device_id"], values["nonce"]))
    return ScanResult(scan, created=True)


def _insert(session: Session, values: dict, slot: str | None) -> Scan | None:
    """INSERT the scan unless a unique key (slot or nonce) is taken: the new Scan, or None."""
    dialect = session.get_bind().dialect.name
    row = values | {"admission_slot": slot}
    if dialect == "postgresql":
        stmt = postgresql.insert(Scan).values(row).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(Scan).values(row).on_conflict_do_nothing()
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL only
        stmt = insert(Scan).values(row)
    return session.scalars(stmt.returning(Scan)).first()


def _by_nonce(session: Session, device_id: str, nonce: str) -> Scan | None:
    return session.scalar(select(Scan).where(Scan.device_id == device_id, Scan.nonce == nonce))


def _slot_holder(session: Session, checkpoint_id: int, slot: str) -> Scan | None:
    return session.scalar(select(Scan).where(Scan.checkpoint_id == checkpoint_id, Scan.admission_slot == slot))


def _replayed(session: Session, scan: Scan) -> ScanResult:
    first = None
    if scan.verdict == ScanVerdict.ALREADY_CHECKED_IN and scan.ticket_id is not None:
        first = blocking_admission(session, scan.checkpoint_id, scan.ticket_id, before_id=scan.id)
    return ScanResult(scan, created=False, first=first)


def blocking_admission(session: Session, checkpoint_id: int, ticket_id: int, *, before_id: int) -> Scan | None:
    """The standing admission that made scan ``before_id`` "already checked in", told again when that scan is
    resent: the ticket's latest admission at the checkpoint before it (under "once a day", that day's)."""
    stmt = select(Scan).where(
        Scan.checkpoint_id == checkpoint_id, Scan.ticket_id == ticket_id, Scan.counts, Scan.id < before_id
    )
    return session.scalar(stmt.order_by(Scan.id.desc()).limit(1))


# --- undo -----------------------------------------------------------------------------------------------------------


def undo(session: Session, scan: Scan, now: datetime) -> Scan:
    """Take back an admission within UNDO_WINDOW of its arrival (a wrong ticket, a mistaken tap): it stops counting
    and the ticket may be admitted again. Undoing twice changes nothing."""
    if not scan.admitted:
        raise Conflict(_l("Only an admission can be undone."), code="not_admitted")
    if scan.undone_at is not None:
        return scan
    if now > scan.received_at + UNDO_WINDOW:
        raise Conflict(
            _l("This scan can no longer be undone: the few minutes allowed have passed."), code="undo_expired"
        )
    scan.undone_at = now
    scan.admission_slot = None
    return scan


# --- what scanners sync -----------------------------------------------------------------------------------------


def revoked_tickets(session: Session, activity_id: int) -> list[int]:
    """The ids of the activity's cancelled registrations: tickets that must no longer be admitted."""
    return list(
        session.scalars(
            select(Registration.id)
            .where(Registration.activity_id == activity_id, Registration.status == RegistrationStatus.CANCELLED)
            .order_by(Registration.id)
        )
    )


def blocking_admissions(session: Session, checkpoint: Checkpoint, now: datetime, tz: ZoneInfo) -> list[dict]:
    """The standing admissions that would make a new scan of the same ticket "already checked in" at this
    checkpoint now: all of them (once), today's (once a day), none (every time)."""
    if checkpoint.rule == CheckpointRule.EVERY_TIME:
        return []
    stmt = select(Scan.ticket_id, Scan.scanned_at).where(
        Scan.checkpoint_id == checkpoint.id, Scan.admission_slot.is_not(None), Scan.ticket_id.is_not(None)
    )
    if checkpoint.rule == CheckpointRule.ONCE_PER_DAY:
        stmt = stmt.where(Scan.admission_slot.like(f"%:{now.astimezone(tz).date().isoformat()}"))
    return [
        {"ticket_id": ticket_id, "scanned_at": scanned_at, "checkpoint": checkpoint.name}
        for ticket_id, scanned_at in session.execute(stmt.order_by(Scan.id))
    ]


def sync_payload(session: Session, checkpoint: Checkpoint, *, now: datetime, tz: ZoneInfo, keys: list[dict]) -> dict:
    """Everything a scanner needs to judge tickets at ``checkpoint`` on its own (``keys``: the public keys as
    served). Datetimes are left as values for the caller to write out."""
    activity = checkpoint.activity
    return {
        "checkpoint": {
            "id": checkpoint.id,
            "name": checkpoint.name,
            "kind": checkpoint.kind.value,
            "rule": checkpoint.rule.value,
            "activity_id": activity.id,
            "activity_title": activity.title,
            "days": [day.isoformat() for day in activity_days(activity.starts_at, activity.ends_at, tz)],
            "expires_at": tokens.expires_at(activity.ends_at),
        },
        "keys": keys,
        "revoked": revoked_tickets(session, activity.id),
        "admitted": blocking_admissions(session, checkpoint, now, tz),
        "server_time": now,
        "timezone": tz.key,
    }

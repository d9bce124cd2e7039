"""Scanning a ticket at a checkpoint: the verdict under the checkpoint's rule, stored once, undone within minutes;
and what a scanner syncs to judge on its own while the network is down.

Two phones scanning one ticket at the same moment admit it once: an admission takes the checkpoint's
``admission_slot`` for the ticket (and the local day, under "once a day"), and a unique constraint lets only one
insert take it — no read-then-write. A scan sent again with the same device and nonce is stored once and answered
as the first time. Every scan, admitted or refused, is kept."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.models import User
from app.urls import MAX_DB_INT
from events.models import Activity, Registration, RegistrationStatus

from ..models import Checkpoint, CheckpointRule, Scan, ScanVerdict
from . import tokens

UNDO_WINDOW = timedelta(minutes=5)
# How long before its last sync (the server's time in the stamp) a queued offline scan may say it was made: the
# phone sets its clock from the sync's server_time, which reaches it a network delay late.
SYNC_MARGIN = timedelta(minutes=5)
# How far ahead of the server a queued offline scan's time may be and still count (as the server's time).
CLOCK_TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True)
class ScanResult:
    """A stored scan; ``created`` is False when the same nonce had been sent before (the stored answer);
    ``first`` is the admission that made this one "already checked in"."""

    scan: Scan
    created: bool
    first: Scan | None = None


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


def judged_at(*, offline: bool, scanned_at: datetime, synced_at: datetime | None, now: datetime) -> datetime | None:
    """When a scan is judged. Online: at the server's time ``now``, whatever the phone's clock says. Queued offline:
    at the phone's time ``scanned_at`` if it lies between the phone's last sync ``synced_at`` less SYNC_MARGIN and
    ``now`` (up to CLOCK_TOLERANCE ahead counts as ``now``); None when it does not, or when no sync is proved:
    the scan is then flagged, never admitted."""
    if not offline:
        return now
    if synced_at is None or scanned_at < synced_at - SYNC_MARGIN or scanned_at > now + CLOCK_TOLERANCE:
        return None
    return min(scanned_at, now)


def sync_stamp(checkpoint_id: int, at: datetime, secret: str) -> str:
    """What a sync gives the phone to prove, with each scan it queues offline, when it last synced:
    ``<unix seconds>.<HMAC>`` (the phone cannot make one for an earlier time)."""
    seconds = int(at.timestamp())
    return f"{seconds}.{_stamp_mac(checkpoint_id, seconds, secret)}"


def read_sync_stamp(stamp: str | None, checkpoint_id: int, secret: str) -> datetime | None:
    """The time a stamp of ``checkpoint_id`` was issued, or None when it is missing, malformed or forged."""
    seconds, _, mac = (stamp or "").partition(".")
    if not (seconds.isascii() and seconds.isdigit() and len(seconds) <= 11):
        return None
    if not hmac.compare_digest(mac, _stamp_mac(checkpoint_id, int(seconds), secret)):
        return None
    return datetime.fromtimestamp(int(seconds), UTC)


def _stamp_mac(checkpoint_id: int, seconds: int, secret: str) -> str:
    message = f"checkin-sync:{checkpoint_id}:{seconds}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def token_digest(text: str) -> str:
    """What a resent scan must match: the token as read (a typed code in its printed form), hashed."""
    read = tokens.normalise_code(text) or tokens.normalise_token(text)
    return hashlib.sha256(read.encode()).hexdigest()[:32]


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
    if activity.cancelled:  # derived, not copied: restoring the activity gives every ticket back
        return Judgement(ScanVerdict.ACTIVITY_CANCELLED, registration.id)
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
    sync_stamp: str | None = None,
) -> ScanResult:
    """Judge and store one scan at ``checkpoint``: online at ``now``, queued offline at the phone's ``scanned_at``
    within the bound ``sync_stamp`` proves (else stored as flagged; see ``judged_at``). The same (device, nonce)
    again answers the stored scan (found when its insert meets the unique key: a first scan costs no look-up for
    it) if the same scanner sent it at the same checkpoint with the same token; else Conflict ``nonce_reused``."""
    ticket, registration = read_ticket(session, token, public_keys=public_keys, secret=secret)
    at = _judged_at(checkpoint.id, offline, scanned_at, sync_stamp, now, secret)
    judgement = judge(checkpoint, checkpoint.activity, registration, ticket=ticket, at=at or now, tz=tz)
    if at is None:
        judgement = Judgement(ScanVerdict.FLAGGED, judgement.ticket_id)
    values = _row(checkpoint.id, judgement.ticket_id, device_id, nonce, scanned_at, at or now, now, offline,
                  client_verdict, user_id, token)  # fmt: skip
    for _attempt in range(3):
        if judgement.verdict != ScanVerdict.ADMITTED:
            return _store(session, values, judgement.verdict, slot=None)
        scan = _insert(session, values | {"verdict": ScanVerdict.ADMITTED, "admitted": True}, judgement.slot)
        if scan is not None:
            return ScanResult(scan, created=True)
        replay = _by_nonce(session, device_id, nonce)
        if replay is not None:
            return _replayed(session, replay, values)
        first = _slot_holder(session, checkpoint.id, judgement.slot)
        if first is not None:
            result = _store(session, values, ScanVerdict.ALREADY_CHECKED_IN, slot=None)
            return ScanResult(result.scan, result.created, first if result.created else result.first)
        # The admission that held the slot was undone in between: try again.
    raise Conflict(_l("The ticket could not be checked; scan it again."), code="scan_retry")


# --- an admission in one statement ------------------------------------------------------------------------------


def admit_at_once(
    session: Session,
    checkpoint_id: int,
    *,
    may_scan: ColumnElement[bool],
    token: str,
    device_id: str,
    nonce: str,
    scanned_at: datetime,
    user_id: int,
    now: datetime,
    tz: ZoneInfo,
    public_keys,
    secret: str,
    offline: bool = False,
    client_verdict: str | None = None,
    sync_stamp: str | None = None,
) -> tuple[Scan, str | None] | None:
    """The gate's hot path: a signed ticket that ``judge`` admits, admitted and stored by one statement (INSERT …
    SELECT … ON CONFLICT DO NOTHING RETURNING) that reads the checkpoint, its activity and the registration itself
    and holds ``may_scan`` (the scanner's right to scan there, a SQL condition) in the same statement. Gives the new
    scan and its scanner's chosen language (``User.locale``).

    None, with nothing written, for everything else: a refusal, a slot or a (device, nonce) already taken, a typed
    code, a scan to flag, a scanner not allowed there. ``redeem`` decides those, as it always has: this only
    admits where ``judge`` would, never refuses."""
    if tokens.parse_code(token) is not None:  # a typed code is checked against its registration's activity first
        return None
    try:
        ticket = tokens.verify(token, public_keys)
    except tokens.InvalidToken:
        return None
    at = _judged_at(checkpoint_id, offline, scanned_at, sync_stamp, now, secret)
    if at is None or ticket.ticket_id > MAX_DB_INT:
        return None
    day = at.astimezone(tz).date()
    day_start = datetime.combine(day, time(0), tzinfo=tz)
    day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    row = _row(checkpoint_id, ticket.ticket_id, device_id, nonce, scanned_at, at, now, offline, client_verdict,
               user_id, token) | {"verdict": ScanVerdict.ADMITTED, "admitted": True}  # fmt: skip
    columns = Scan.__table__.c
    slot = case(  # admission_slot, by the checkpoint's rule as read in this statement; every time: none
        (Checkpoint.rule == CheckpointRule.ONCE, admission_slot(CheckpointRule.ONCE, ticket.ticket_id, day)),
        (
            Checkpoint.rule == CheckpointRule.ONCE_PER_DAY,
            admission_slot(CheckpointRule.ONCE_PER_DAY, ticket.ticket_id, day),
        ),
    )
    source = (
        select(*(literal(value, columns[name].type) for name, value in row.items()), slot)
        .select_from(Checkpoint)
        .join(Activity, Activity.id == Checkpoint.activity_id)
        .join(
            Registration, and_(Registration.id == ticket.ticket_id, Registration.activity_id == Checkpoint.activity_id)
        )
        .where(
            Checkpoint.id == checkpoint_id,
            may_scan,
            # judge's refusals, each turned around (a stricter condition only sends a scan to redeem):
            Checkpoint.activity_id == ticket.activity_id,  # not OTHER_ACTIVITY (nor UNKNOWN: the join above)
            Registration.status == RegistrationStatus.CONFIRMED,  # not REVOKED, nor a waiting-list place
            Activity.cancelled.is_(False),  # not ACTIVITY_CANCELLED
            Activity.ends_at >= at - tokens.EXPIRY_GRACE,  # not EXPIRED: at <= tokens.expires_at(ends_at)
            # not OTHER_DAY: the day is the activity's first, or a later one that it reaches into (activity_days)
            Activity.starts_at < day_end,
            or_(Activity.starts_at >= day_start, Activity.ends_at > day_start),
        )
    )
    stmt = _dialect_insert(session)(Scan).from_select([*row, "admission_slot"], source).on_conflict_do_nothing()
    locale = select(User.locale).where(User.id == user_id).scalar_subquery()
    found = session.execute(stmt.returning(Scan, locale)).first()
    return (found[0], found[1]) if found is not None else None


def _dialect_insert(session: Session):
    """The INSERT with ON CONFLICT of the session's database (the app runs on SQLite and PostgreSQL only)."""
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[session.get_bind().dialect.name]


def _judged_at(checkpoint_id, offline, scanned_at, stamp, now, secret) -> datetime | None:
    synced_at = read_sync_stamp(stamp, checkpoint_id, secret) if offline else None
    return judged_at(offline=offline, scanned_at=scanned_at, synced_at=synced_at, now=now)


def _row(checkpoint_id, ticket_id, device_id, nonce, device_time, at, now, offline, client_verdict, user_id, token):
    """A scan's columns but its verdict (and slot)."""
    return {
        "checkpoint_id": checkpoint_id,
        "ticket_id": ticket_id,
        "device_id": device_id,
        "nonce": nonce,
        "scanned_at": at,
        "device_time": device_time,
        "received_at": now,
        "offline": offline,
        "client_verdict": client_verdict,
        "user_id": user_id,
        "token_digest": token_digest(token),
    }


def _store(session: Session, values: dict, verdict: ScanVerdict, *, slot: str | None) -> ScanResult:
    scan = _insert(session, values | {"verdict": verdict, "admitted": verdict == ScanVerdict.ADMITTED}, slot)
    if scan is None:  # without a slot, the only unique key it can meet: this device's nonce, sent before
        return _replayed(session, _by_nonce(session, values["device_id"], values["nonce"]), values)
    return ScanResult(scan, created=True)


def _insert(session: Session, values: dict, slot: str | None) -> Scan | None:
    """INSERT the scan unless a unique key (slot or nonce) is taken: the new Scan, or None."""
    stmt = _dialect_insert(session)(Scan).values(values | {"admission_slot": slot}).on_conflict_do_nothing()
    return session.scalars(stmt.returning(Scan)).first()


def _by_nonce(session: Session, device_id: str, nonce: str) -> Scan | None:
    return session.scalar(select(Scan).where(Scan.device_id == device_id, Scan.nonce == nonce))


def _slot_holder(session: Session, checkpoint_id: int, slot: str) -> Scan | None:
    return session.scalar(select(Scan).where(Scan.checkpoint_id == checkpoint_id, Scan.admission_slot == slot))


def _replayed(session: Session, scan: Scan, sent: dict) -> ScanResult:
    """The stored scan that took this (device, nonce), told again: only to the scanner account that made it, at
    its checkpoint, for the same token (a nonce is no proof of who sends it)."""
    same_token = (
        scan.token_digest == sent["token_digest"]
        if scan.token_digest is not None
        else scan.ticket_id == sent["ticket_id"]  # stored before digests were kept
    )
    if not (scan.checkpoint_id == sent["checkpoint_id"] and scan.user_id == sent["user_id"] and same_token):
        raise Conflict(
            _l("This scan's number was already used for another scan. Scan the ticket again."), code="nonce_reused"
        )
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


def revoked_tickets(session: Session, activity: Activity) -> list[int]:
    """The ids of the tickets that must no longer be admitted: the activity's cancelled registrations, or every
    registration of a cancelled activity."""
    stmt = select(Registration.id).where(Registration.activity_id == activity.id)
    if not activity.cancelled:
        stmt = stmt.where(Registration.status == RegistrationStatus.CANCELLED)
    return list(session.scalars(stmt.order_by(Registration.id)))


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


def sync_payload(
    session: Session, checkpoint: Checkpoint, *, now: datetime, tz: ZoneInfo, keys: list[dict], secret: str
) -> dict:
    """Everything a scanner needs to judge tickets at ``checkpoint`` on its own (``keys``: the public keys as
    served), and the stamp its offline scans send back (``secret`` signs it). Datetimes are left as values for
    the caller to write out."""
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
            "cancelled": activity.cancelled,
        },
        "keys": keys,
        "revoked": revoked_tickets(session, activity),
        "admitted": blocking_admissions(session, checkpoint, now, tz),
        "server_time": now,
        "sync_stamp": sync_stamp(checkpoint.id, now, secret),
        "timezone": tz.key,
    }

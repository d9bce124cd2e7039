"""The way back on another device: a one-time code sent to the phone (or the e-mail) on file.

A code is 6 digits, lives 5 minutes and takes 5 tries; another may be asked 60 s after the last. Only its keyed hash
(HMAC-SHA256 with the server's secret) is stored, compared in constant time, and the server's clock decides.

The limits count per (phone, client address), never per phone alone: whoever hammers a phone from their address
spends their own budget, and the owner asking from their own device still gets a code. Per address alone there is
a ceiling too, so one address cannot walk through many phones. A phone that took no part gets the same answers,
tries and limits (a row is written, nothing is sent), so nothing here tells who took part.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app import outbox
from app.errors import DomainError
from app.models import Lane
from app.text import ascii_digits

from ...models import Contest, Participant, ReturnCode
from .identities import Keys, find_participant, keyed_hash, normalise_phone, rotate_return_token

CODE_DIGITS = 6
KEEP = timedelta(days=2)  # rows older than the daily window are no longer counted: pruned by a job


@dataclass(frozen=True)
class CodeLimits:
    """How long a code lives, how many tries it takes, and how often codes may be asked."""

    lifetime: timedelta = timedelta(minutes=5)
    tries: int = 5
    resend_after: timedelta = timedelta(seconds=60)
    per_phone_and_address_a_day: int = 3
    per_address_an_hour: int = 20


LIMITS = CodeLimits()


class CodeTooSoon(DomainError):
    """A code was sent less than ``resend_after`` ago to this phone from this address; ``retry_after`` seconds."""

    code = "code_too_soon"
    status = 429

    def __init__(self, message, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class TooManyCodes(DomainError):
    """The daily ceiling for this phone from this address, or the hourly one of this address, is reached."""

    code = "too_many_codes"
    status = 429


class CodeNotValid(DomainError):
    """The code is past its time, used, out of tries, or unknown: a new one must be asked."""

    code = "code_not_valid"
    status = 422


class WrongCode(DomainError):
    """The code typed is not the one sent; ``tries_left`` more may be tried."""

    code = "wrong_code"
    status = 422

    def __init__(self, message, tries_left: int):
        super().__init__(message, field="code")
        self.tries_left = tries_left


def code_hash(code: str, phone_hash: str, secret: str | bytes) -> str:
    """The keyed hash stored instead of the code, bound to the phone it was sent for."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"return-code:{phone_hash}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(
    session: Session,
    contest: Contest,
    *,
    phone: str | None = None,
    again: int | None = None,
    address: str,
    now: datetime,
    secret: str | bytes,
    keys: Keys,
    limits: CodeLimits = LIMITS,
) -> tuple[ReturnCode, str]:
    """Ask a code for ``phone`` (any spelling) of ``contest``, or once more for the phone of the earlier code
    ``again`` ("send again": the phone is not asked twice, nor kept in the browser), from the client ``address``.
    When the phone took part, the code goes to its e-mail on file, else by SMS, through the outbox's fast lane in
    the caller's transaction. Returns the row (its id is the caller's to keep, e.g. in the session) and the code,
    for tests. Raises ``InvalidIdentity`` for what is not a phone, ``CodeNotValid`` for an unknown ``again``,
    ``CodeTooSoon`` or ``TooManyCodes`` past the limits."""
    if again is not None:
        earlier = session.get(ReturnCode, again)
        if earlier is None or earlier.contest_id != contest.id:
            raise CodeNotValid(_l("This code is no longer valid: ask for a new one."), field="code")
        phone_hash = earlier.phone_hash
        participant = session.get(Participant, earlier.participant_id) if earlier.participant_id else None
    else:
        normal = normalise_phone(phone)
        phone_hash = keyed_hash(normal, keys, "phone")
        participant = None
    address_hash = keyed_hash(address or "", keys, "address")
    _check_limits(session, phone_hash, address_hash, now, limits)
    if again is None:
        participant = find_participant(session, contest, normal, keys)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = ReturnCode(
        contest_id=contest.id,
        participant_id=participant.id if participant else None,
        phone_hash=phone_hash,
        address_hash=address_hash,
        code_hash=code_hash(code, phone_hash, secret),
        created_at=now,
        expires_at=now + limits.lifetime,
        tries=0,
    )
    session.add(row)
    session.flush()
    if participant is not None and participant.phone:
        outbox.enqueue(
            session,
            to=outbox.recipients(email=participant.email, phone=participant.phone),
            template="quiz_return_code",
            payload={"code": code, "contest_title": contest.title, "minutes": limits.lifetime.seconds // 60},
            locale=participant.locale,
            now=now,
            dedupe_key=f"quiz-code:{row.id}",
            subject_ref=f"Participant:{participant.id}",
            lane=Lane.FAST,
        )
    return row, code


def _check_limits(session: Session, phone_hash: str, address_hash: str, now: datetime, limits: CodeLimits) -> None:
    pair = (ReturnCode.phone_hash == phone_hash, ReturnCode.address_hash == address_hash)
    latest, today = session.execute(
        select(func.max(ReturnCode.created_at), func.count()).where(
            *pair, ReturnCode.created_at > now - timedelta(days=1)
        )
    ).one()
    if latest is not None and now - latest < limits.resend_after:
        wait = limits.resend_after - (now - latest)
        raise CodeTooSoon(
            _l("A code was sent less than a minute ago: wait a moment before asking again."),
            retry_after=max(1, int(wait.total_seconds() + 0.999)),
        )
    if today >= limits.per_phone_and_address_a_day:
        raise TooManyCodes(_l("No more codes for this phone today: try again tomorrow, or answer the questions below."))
    this_hour = session.scalar(
        select(func.count()).where(
            ReturnCode.address_hash == address_hash, ReturnCode.created_at > now - timedelta(hours=1)
        )
    )
    if this_hour >= limits.per_address_an_hour:
        raise TooManyCodes(_l("Too many codes were asked from this network: try again in an hour."))


def check_code(
    session: Session,
    code_id: int | None,
    typed: str,
    *,
    now: datetime,
    secret: str | bytes,
    limits: CodeLimits = LIMITS,
) -> Participant:
    """The participant whose code ``code_id`` is ``typed``, with a new return token (the old links stop working);
    the code is then used up. Every call spends one try, counted by one UPDATE so that tries sent at the same
    moment cannot go past the limit. Raises ``CodeNotValid`` (expired, used, out of tries, unknown) or
    ``WrongCode``; the caller commits in both cases, so that a wrong try stays counted."""
    spent = session.execute(
        update(ReturnCode)
        .where(
            ReturnCode.id == (code_id or 0),
            ReturnCode.used_at.is_(None),
            ReturnCode.tries < limits.tries,
            ReturnCode.expires_at > now,
        )
        .values(tries=ReturnCode.tries + 1)
        .returning(ReturnCode.code_hash, ReturnCode.phone_hash, ReturnCode.tries, ReturnCode.participant_id)
    ).one_or_none()
    if spent is None:
        raise CodeNotValid(_l("This code is no longer valid: ask for a new one."), field="code")
    stored, phone_hash, tries, participant_id = spent
    digits = "".join(ch for ch in ascii_digits(typed or "") if not ch.isspace())
    matches = hmac.compare_digest(stored, code_hash(digits, phone_hash, secret))
    if not matches or participant_id is None:
        left = limits.tries - tries
        if left <= 0:
            raise CodeNotValid(_l("That was the last try for this code: ask for a new one."), field="code")
        raise WrongCode(_l("This is not the code we sent."), tries_left=left)
    used = session.execute(
        update(ReturnCode).where(ReturnCode.id == code_id, ReturnCode.used_at.is_(None)).values(used_at=now)
    ).rowcount
    if used != 1:  # the same code typed twice at the same moment: one of them returns
        raise CodeNotValid(_l("This code is no longer valid: ask for a new one."), field="code")
    participant = session.get(Participant, participant_id)
    rotate_return_token(participant)
    session.flush()
    return participant


def prune_codes(session: Session, now: datetime) -> int:
    """Delete codes older than the daily window: they no longer count towards any limit."""
    return session.execute(delete(ReturnCode).where(ReturnCode.created_at < now - KEEP)).rowcount or 0

"""Who takes part: phone and CCCD normalised, then deduplicated on keyed hashes (HMAC-SHA256 with the identity
keys, passed in), so that a leaked table does not give the numbers back by a dictionary of all 10-digit phones.
The CCCD is never stored: only its keyed hash and its last 4 digits, for display (Decree 13/2023/NĐ-CP: collect
the least).

The keys are a list (``IDENTITY_KEYS``, kept apart from ``SECRET_KEY``): the first digests a new sign-up, every
one finds a participant, so a key can be replaced without stranding anyone or letting them sign up twice."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError
from app.text import ascii_digits, forbidden_characters, nfc

from ...models import Contest, ContestKind, Participant

PHONE = re.compile(r"0[35789][0-9]{8}")  # a Vietnamese mobile number, normalised
CCCD = re.compile(r"[0-9]{12}")
MIN_BIRTH_YEAR = 1900

Keys = str | bytes | Sequence[str | bytes]  # one key, or the list whose first key digests new rows


class InvalidIdentity(DomainError):
    """What the person typed is not a phone, CCCD or year of birth; ``field`` says which."""

    code = "invalid_identity"
    status = 422


class AlreadyRegistered(Conflict):
    """The phone or the CCCD is already registered for this contest. ``participant`` is for the caller's own use
    (to send a return code to the phone on file); neither it nor which of the two matched may be shown to
    whoever typed the numbers: the sign-up answers the same whichever it was."""

    code = "already_registered"

    def __init__(self, message, participant: Participant | None, field: str):
        super().__init__(message, field=field)
        self.participant = participant


def normalise_phone(raw: str | None) -> str:
    """``0912 345 678``, ``+84 912-345-678``, ``84912345678``, ``(+84) 912.345.678`` or full-width digits: all the
    same ``0912345678``. Raises ``InvalidIdentity`` when what is left is not a Vietnamese mobile number."""
    text = ascii_digits(raw or "")
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if digits.startswith("+"):
        digits = digits[1:]
        if digits.startswith("84"):
            digits = "0" + digits[2:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not PHONE.fullmatch(digits):
        raise InvalidIdentity(
            _l("Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09, or +84."),
            field="phone",
        )
    return digits


def normalise_cccd(raw: str | None) -> str:
    """The 12 digits of a citizen identity card, spaces and dots ignored; raises ``InvalidIdentity`` otherwise."""
    digits = "".join(ch for ch in ascii_digits(raw or "") if not ch.isspace() and ch not in ".-")
    if not CCCD.fullmatch(digits):
        raise InvalidIdentity(_l("A citizen ID (CCCD) has exactly 12 digits."), field="cccd")
    return digits


def keyed_hash(value: str, secret: Keys, purpose: str) -> str:
    """HMAC-SHA256 hex of ``purpose:value`` with ``secret`` (the first key of a list): the same value gives the same
    hash only with the same key, and a phone and a CCCD never collide."""
    first = key_list(secret)[0]
    key = first.encode() if isinstance(first, str) else first
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def key_list(secret: Keys) -> list[str | bytes]:
    """``secret`` as a list of keys, the one new digests use first."""
    keys = [secret] if isinstance(secret, str | bytes) else list(secret)
    if not keys:
        raise ValueError("no identity key")
    return keys


def keyed_hashes(value: str, secret: Keys, purpose: str) -> list[str]:
    """The hash of ``value`` under each key: a row digested under any of them is found."""
    return [keyed_hash(value, key, purpose) for key in key_list(secret)]


@dataclass(frozen=True)
class Identity:
    phone: str
    phone_hash: str
    phone_last4: str
    cccd_hash: str | None
    cccd_last4: str | None
    phone_hashes: tuple[str, ...] = ()
    cccd_hashes: tuple[str, ...] = ()


def identity(phone: str, cccd: str | None, secret: Keys) -> Identity:
    """The normalised phone, its hash and last 4 digits; the CCCD's hash and last 4 digits (the CCCD is dropped).
    ``phone_hashes``/``cccd_hashes``: the same under every key, to find rows digested under an older one."""
    normal_phone = normalise_phone(phone)
    normal_cccd = normalise_cccd(cccd) if cccd and cccd.strip() else None
    return Identity(
        phone=normal_phone,
        phone_hash=keyed_hash(normal_phone, secret, "phone"),
        phone_last4=normal_phone[-4:],
        cccd_hash=keyed_hash(normal_cccd, secret, "cccd") if normal_cccd else None,
        cccd_last4=normal_cccd[-4:] if normal_cccd else None,
        phone_hashes=tuple(keyed_hashes(normal_phone, secret, "phone")),
        cccd_hashes=tuple(keyed_hashes(normal_cccd, secret, "cccd")) if normal_cccd else (),
    )


def last_birth_year(today: date) -> int:
    """The latest year of birth a participant may give on ``today`` (the campaign's local date): this year, so the
    bound moves on by itself every 1 January; the contest's rules say who may actually take part."""
    return today.year


def check_birth_year(year: int | None, today: date) -> int:
    """The year of birth given, between the first year allowed and ``last_birth_year(today)``."""
    if year is None or not MIN_BIRTH_YEAR <= year <= last_birth_year(today):
        raise InvalidIdentity(_l("Enter your year of birth (four digits)."), field="birth_year")
    return year


def find_participant(session: Session, contest: Contest, phone: str, secret: Keys) -> Participant | None:
    """The participant of ``contest`` holding ``phone`` (in any spelling, digested under any key), or None."""
    hashes = keyed_hashes(normalise_phone(phone), secret, "phone")
    return session.scalar(
        select(Participant).where(Participant.contest_id == contest.id, Participant.phone_hash.in_(hashes)).limit(1)
    )


def returning_participant(
    session: Session, contest: Contest, phone: str, birth_year: int | None, cccd_last4: str | None, secret: Keys
) -> Participant | None:
    """The fallback way back, for a participant whose phone cannot receive the code: phone, year of birth and the
    last 4 digits of the CCCD given at sign-up must all match (a participant who gave no CCCD has no fallback);
    None otherwise (the caller answers the same whichever was wrong). The caller limits tries per (phone,
    address) and rotates the return token on success."""
    try:
        participant = find_participant(session, contest, phone, secret)
    except InvalidIdentity:
        return None
    typed = ascii_digits(cccd_last4 or "").strip()
    if participant is None or participant.birth_year != birth_year or not participant.cccd_last4:
        return None
    if not hmac.compare_digest(participant.cccd_last4.encode(), typed.encode()):
        return None
    return participant


def register_participant(
    session: Session,
    contest: Contest,
    *,
    full_name: str,
    phone: str,
    birth_year: int | None,
    ward_unit_id: int | None,
    consent: bool,
    now: datetime,
    secret: Keys,
    cccd: str | None = None,
    email: str | None = None,
    device_hash: str | None = None,
    locale: str = "vi",
    today: date | None = None,
) -> Participant:
    """Register a citizen for an online quiz. The same phone or CCCD registered twice (in any spelling, or by two
    requests at the same moment, digested under any identity key) raises ``AlreadyRegistered``: the unique keys
    decide between simultaneous requests, not a check before.
    ``today``: the campaign's local date, which bounds the year of birth as the form does (the date of ``now``,
    in UTC, when not given)."""
    if contest.kind != ContestKind.ONLINE_QUIZ:
        raise DomainError(_l("This contest does not take online registrations."), code="not_a_quiz")
    if not consent:
        raise InvalidIdentity(_l("Please agree to the use of your data for the contest."), field="consent")
    name = " ".join(nfc(full_name or "").split())
    if not name:
        raise InvalidIdentity(_l("Enter your full name."), field="full_name")
    if forbidden_characters(name) or len(name) > 120:
        raise InvalidIdentity(
            _l("Enter your full name as it is written, in at most 120 characters."), field="full_name"
        )
    who = identity(phone, cccd, secret)
    year = check_birth_year(birth_year, today or now.date())
    # The unique keys (contest, phone hash) and (contest, CCCD hash) decide, also between simultaneous requests;
    # a read before is needed only while an older identity key may have digested a row (their hashes differ).
    if len(who.phone_hashes) > 1 or len(who.cccd_hashes) > 1:
        existing = _registered(session, contest, who)
        if existing is not None:
            raise existing
    values = dict(
        contest_id=contest.id,
        full_name=name,
        phone=who.phone,
        phone_hash=who.phone_hash,
        phone_last4=who.phone_last4,
        cccd_hash=who.cccd_hash,
        cccd_last4=who.cccd_last4,
        email=(email or "").strip() or None,
        ward_unit_id=ward_unit_id,
        birth_year=year,
        locale=locale if locale in ("vi", "en") else "vi",
        consent_at=now,
        created_at=now,
        device_hash=device_hash,
        return_token=new_return_token(),
    )
    participant = _insert_participant(session, values)
    if participant is None:  # a unique key refused it: registered before, or by another request a moment ago
        raised = _registered(session, contest, who)
        raise raised or AlreadyRegistered(ALREADY_REGISTERED, None, "phone")
    return participant


def _insert_participant(session: Session, values: dict) -> Participant | None:
    """Insert the participant; None when a unique key refused it, with nothing written. One statement (INSERT … ON
    CONFLICT DO NOTHING … RETURNING) on PostgreSQL and SQLite: no savepoint to open and release."""
    name = session.get_bind(mapper=Participant.__mapper__).dialect.name
    if name in ("postgresql", "sqlite"):
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(Participant).values(**values).on_conflict_do_nothing().returning(Participant)
        return session.scalars(statement).first()
    participant = Participant(**values)
    try:
        with session.begin_nested():
            session.add(participant)
            session.flush()
    except IntegrityError:
        return None
    return participant


# One message for a known phone and a known CCCD: the sign-up page shows neither (it offers the code instead).
ALREADY_REGISTERED = _l("You may already have signed up: continue with the code we send to the phone on file.")


def _registered(session: Session, contest: Contest, who: Identity) -> AlreadyRegistered | None:
    by_phone = session.scalar(
        select(Participant)
        .where(Participant.contest_id == contest.id, Participant.phone_hash.in_(who.phone_hashes or [who.phone_hash]))
        .limit(1)
    )
    if by_phone is not None:
        return AlreadyRegistered(ALREADY_REGISTERED, by_phone, "phone")
    if who.cccd_hash:
        by_cccd = session.scalar(
            select(Participant)
            .where(Participant.contest_id == contest.id, Participant.cccd_hash.in_(who.cccd_hashes or [who.cccd_hash]))
            .limit(1)
        )
        if by_cccd is not None:
            return AlreadyRegistered(ALREADY_REGISTERED, by_cccd, "cccd")
    return None


def new_return_token() -> str:
    """A fresh random value for the participant's return link/cookie (replacing it revokes the old links)."""
    return secrets.token_urlsafe(32)


def rotate_return_token(participant: Participant) -> str:
    """Give ``participant`` a new return token at each return on a device: the links and cookies given out before
    stop working, so a link seen over a shoulder or left on a shared computer does not last."""
    participant.return_token = new_return_token()
    return participant.return_token

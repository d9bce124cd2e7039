"""Signing up: ``register`` checks what a citizen (or a volunteer at the venue) typed, answers a replayed
submission with what it already made, and takes a seat or a place on the waitlist."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, bindparam, false, select
from sqlalchemy.orm import Session, aliased, joinedload

from app.errors import Conflict, DomainError, NotFound
from app.models import Unit, UnitKind
from app.services import normalise_phone
from app.urls import MAX_DB_INT

from ...models import Activity, Registration
from .common import _PHONE, CANCELLED
from .messages import tell
from .seats import _take_seat_and_insert, waitlist_position
from .tickets import ticket_token
from .window import check_registration_open, check_walk_ins_open


class InvalidRegistration(DomainError):
    """What the person typed cannot make a registration; ``field`` says which entry to correct."""

    code = "invalid"
    status = 422


class AlreadyRegistered(Conflict):
    """The phone already holds a live registration for the activity. ``registration`` is that registration, for
    the caller's own use: it must NOT be shown to whoever merely typed the phone number (its token is a ticket)."""

    code = "already_registered"

    def __init__(self, message: str, registration: Registration):
        super().__init__(message, field="phone")
        self.registration = registration


@dataclass(frozen=True)
class RegistrationResult:
    """What ``register`` did: the registration, whether this call created it (False for a replay of the same
    submission), and the waitlist position (None when confirmed)."""

    registration: Registration
    created: bool
    position: int | None


def _live_by_phone(session: Session, activity_id: int, phone: str) -> Registration | None:
    return session.scalar(
        select(Registration).where(
            Registration.activity_id == activity_id, Registration.phone == phone, Registration.status != CANCELLED
        )
    )


def _replay_or_refuse(session: Session, existing: Registration, token: str | None) -> RegistrationResult:
    # The same submission (same token) that a concurrent copy already saved is answered with that registration;
    # anyone else typing this phone only learns that it is taken.
    if token and existing.token == token:
        return RegistrationResult(existing, False, waitlist_position(session, existing))
    raise AlreadyRegistered(
        _l(
            "This phone number is already registered for this activity. To see or cancel that registration, "
            "open the confirmation page shown when you registered (keep its link). If you lost it, the "
            "organizers at the welcome desk can find you by name."
        ),
        existing,
    )


@dataclass(frozen=True)
class _Registering:
    activity: Activity
    ward: Unit | None  # the unit chosen as the person's ward (its kind still to check)
    live: Registration | None  # this phone's live registration for the activity
    earlier: Registration | None  # the registration made with this submission's ticket token, for any activity


@functools.cache
def _registering_statement(ward_given: bool, with_token: bool):
    """The statement of ``_what_registering_reads`` (built once per shape: it is on the busiest write path)."""
    live = aliased(Registration, name="live")
    earlier = aliased(Registration, name="earlier")
    phone = bindparam("phone", type_=String)
    return (
        select(Activity, Unit, live, earlier)
        .select_from(Activity)
        .outerjoin(Unit, Unit.id == bindparam("ward_id", type_=Integer) if ward_given else false())
        .outerjoin(live, (live.activity_id == Activity.id) & (live.phone == phone) & (live.status != CANCELLED))
        .outerjoin(earlier, earlier.token == bindparam("token", type_=String) if with_token else false())
        .where(Activity.id == bindparam("activity_id", type_=Integer))
        .options(joinedload(Activity.plan), joinedload(Activity.venue))
        .limit(1)
    )


def _what_registering_reads(
    session: Session, activity_id: int, *, ward_id, phone: str, token: str | None
) -> _Registering | None:
    """Everything ``register`` checks before it takes a seat, in ONE round trip: the activity with its plan (is it
    public?) and venue (the message names it), the chosen ward, the phone's live registration and the one made by
    this submission's token. None when the activity does not exist. What is read here only decides what to try:
    the seat UPDATE and the unique indexes still decide under concurrency."""
    ward_given = isinstance(ward_id, int) and 0 < ward_id <= MAX_DB_INT
    params = {"activity_id": activity_id, "phone": phone, "ward_id": ward_id if ward_given else 0, "token": token}
    row = session.execute(_registering_statement(ward_given, bool(token)), params).first()
    return None if row is None else _Registering(*row)


def register(
    session: Session,
    activity_id: int,
    *,
    name: str,
    phone: str,
    ward_id: int | None,
    email: str | None,
    consent: bool,
    now: datetime,
    tz: ZoneInfo,
    secret: str,
    submission_key: str | None = None,
    locale: str = "vi",
    walk_in: bool = False,
) -> RegistrationResult:
    """Sign a citizen up for a public activity: a seat if one is free, else a place on the waitlist.

    ``submission_key`` (the page's hidden key or the API's Idempotency-Key) makes a submission idempotent: the same
    key for the same activity and phone returns the registration it already made (``created=False``) instead of a
    duplicate; the ticket's token is derived from it with ``secret``. Raises NotFound (missing or not public),
    ``registration_closed`` (409), InvalidRegistration (422: ``consent_required``, ``name_required``,
    ``invalid_phone``, ``unknown_ward``, with the field) or AlreadyRegistered (409, field ``phone``).
    The person is told (confirmation with the ticket link, or their waiting-list place) through the outbox, in
    ``locale``. Nothing is kept, or sent, unless the caller commits. ``walk_in`` registers a person at the venue
    (the check-in feature's booth form): the online window does not apply, only ``check_walk_ins_open``."""
    phone = normalise_phone(phone) or ""
    token = ticket_token(secret, submission_key)
    found = _what_registering_reads(session, activity_id, ward_id=ward_id, phone=phone, token=token)
    if found is None or not found.activity.is_visible:
        raise NotFound(_l("This activity does not exist or is not public."))
    activity = found.activity
    if token:
        earlier = found.earlier
        if earlier is not None:
            # A replay (double click, reload, retry after a timeout) answers what the first submission made.
            if earlier.activity_id == activity.id and earlier.phone == phone and earlier.status != CANCELLED:
                return RegistrationResult(earlier, False, waitlist_position(session, earlier))
            token = None  # the same form sent again for someone else, or after cancelling: a new ticket
    if walk_in:
        check_walk_ins_open(activity, now)
    else:
        check_registration_open(activity, now, tz=tz)
    if consent is not True:
        raise InvalidRegistration(
            _l("Please agree to the use of your data to register."), code="consent_required", field="consent"
        )
    name = " ".join(name.split())
    if not name:
        raise InvalidRegistration(_l("Enter your full name."), code="name_required", field="name")
    if not _PHONE.fullmatch(phone):
        raise InvalidRegistration(_l("Enter a valid phone number."), code="invalid_phone", field="phone")
    ward = found.ward
    if ward is None or ward.kind != UnitKind.WARD:
        raise InvalidRegistration(
            _l("Choose your ward or commune from the list."), code="unknown_ward", field="ward_id"
        )
    email = (email or "").strip().lower() or None
    existing = found.live
    if existing is not None:
        return _replay_or_refuse(session, existing, token)

    for _attempt in range(2):
        registration, seated = _take_seat_and_insert(
            session,
            activity,
            now,
            activity_id=activity.id,
            name=name,
            phone=phone,
            ward_unit_id=ward.id,
            email=email,
            consent_at=now,
            locale=locale,
            token=token or secrets.token_urlsafe(24),
            created_at=now,
        )
        if registration is None:  # a live registration of this phone, or this token, got there first
            existing = _live_by_phone(session, activity.id, phone)
            if existing is None:
                token = None  # the token was taken (a replayed submission for another phone): retry with a new one
                continue
            return _replay_or_refuse(session, existing, token)
        if seated:  # told in the statement that took the seat
            return RegistrationResult(registration, True, None)
        # Waiting holds no lock (the seat UPDATE matched nothing): the place is counted after the insert.
        position = waitlist_position(session, registration)
        tell(session, registration, "registration_waitlisted", now=now, key="created", position=position)
        return RegistrationResult(registration, True, position)
    raise Conflict(_l("Your registration could not be saved. Please try again."), code="registration_retry")

"""Citizens' registration for activities: seats, the waitlist, cancelling, and what check-in needs.

Correctness under concurrency rests on the database, never on a count read earlier:
- a seat is taken by ONE conditional UPDATE of ``activities.seats_taken`` (rowcount 1 = confirmed, 0 = waitlisted);
- one live registration per phone per activity is kept by the partial unique index ``uq_registrations_live_phone``;
- every status change is a compare-and-set UPDATE (``WHERE status = <what we saw>``), so two writers never both win.
The same code is correct on SQLite (one writer at a time) and PostgreSQL (READ COMMITTED re-checks the WHERE
clause of an UPDATE that waited for a row lock)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, bindparam, delete, false, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload, selectinload
from sqlalchemy.orm.util import identity_key

from app import audit, outbox
from app.errors import Conflict, DomainError, NotFound
from app.models import AuditEntry, Unit, UnitKind
from app.scheduler import JobResult
from app.services import normalise_phone, unit_tree, vietnamese_sort_key  # noqa: F401 (re-exported)
from app.urls import MAX_DB_INT

from ..models import Activity, Plan, Registration, RegistrationStatus

log = logging.getLogger(__name__)

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED

# Personal data is kept this long after the campaign's report deadline (or the end of its period when the plan
# sets no deadline): long enough to answer questions about the report, then it is deleted (Decree 13/2023).
RETENTION_AFTER_REPORT = timedelta(days=30)

# A status can change at most twice (waitlisted -> confirmed -> cancelled), so a compare-and-set that keeps
# losing more often than this means something is wrong; stop rather than spin.
_MAX_STATUS_RACES = 5

_PHONE = re.compile(r"0[35789][0-9]{8}")  # normalised form of app.forms.PHONE_PATTERN
# A submission key (the page's hidden key, or the API's Idempotency-Key) has this shape; anything else is ignored.
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


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


# --- the registration window -------------------------------------------------------------------------------


def registration_state(activity: Activity, now: datetime) -> str:
    """Where ``activity`` stands for sign-ups at ``now``: "open", "not_yet", "closed" (the window or the activity
    has passed), "cancelled" (the activity was called off) or "unavailable" (not public, not taking sign-ups)."""
    if activity.cancelled:
        return "cancelled"
    if not activity.is_visible or not activity.registration_open:
        return "unavailable"
    if activity.registration_opens_at is not None and now < activity.registration_opens_at:
        return "not_yet"
    if activity.registration_closes_at is not None and now >= activity.registration_closes_at:
        return "closed"
    if now >= activity.starts_at:
        return "closed"
    return "open"


def check_registration_open(activity: Activity, now: datetime, *, tz: ZoneInfo) -> None:
    """Raise ``registration_closed`` (with the reason a citizen understands) unless sign-ups are open at ``now``;
    times in the message are shown in ``tz``."""
    state = registration_state(activity, now)
    if state == "open":
        return
    if state == "cancelled":
        message = _l("This activity has been cancelled, so it no longer takes registrations.")
    elif state == "unavailable":
        message = _l("This activity does not take registrations online.")
    elif state == "not_yet":
        when = activity.registration_opens_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
        message = _l("Registration for this activity opens at %(when)s.", when=when)
    elif activity.starts_at <= now < activity.ends_at:
        message = _l(
            "The activity has started, so online registration has closed. You can still register at the venue's "
            "welcome desk until it ends at %(when)s.",
            when=activity.ends_at.astimezone(tz).strftime("%H:%M %d/%m/%Y"),
        )
    else:
        message = _l("Registration for this activity has closed.")
    raise DomainError(message, code="registration_closed", status=409)


def check_walk_ins_open(activity: Activity, now: datetime) -> None:
    """Raise ``registration_closed`` unless a person may still be registered at the venue (a walk-in, by a
    volunteer or an organizer at ``now``): until the activity ends, whatever its online registration window,
    unless it was cancelled."""
    if activity.cancelled:
        raise DomainError(
            _l("This activity has been cancelled, so it no longer takes registrations."),
            code="registration_closed",
            status=409,
        )
    if now >= activity.ends_at:
        raise DomainError(_l("This activity has ended."), code="registration_closed", status=409)


def public_activity(session: Session, activity_id: int) -> Activity:
    """The activity as citizens may see it (public, in a published or closed plan), with its plan, venue and
    lead units loaded; NotFound otherwise, so internal activities are not revealed."""
    activity = _activity(session, activity_id)
    if activity is None or not activity.is_visible:
        raise NotFound(_l("This activity does not exist or is not public."))
    return activity


def _activity(session: Session, activity_id: int) -> Activity | None:
    return session.scalar(
        select(Activity)
        .where(Activity.id == activity_id)
        .options(
            selectinload(Activity.plan).selectinload(Plan.lead_unit),
            selectinload(Activity.plan).selectinload(Plan.issuing_unit),
            selectinload(Activity.venue),
            selectinload(Activity.lead_unit),
        )
    )


def retention_until(plan: Plan) -> date:
    """The last day registrants' personal data for ``plan`` is kept (stated in the consent text)."""
    try:
        return (plan.report_deadline or plan.period_end) + RETENTION_AFTER_REPORT
    except OverflowError:  # a plan dated at the end of the calendar (a typo) keeps its data until it is fixed
        return date.max


def wards_by_district(session: Session) -> list[tuple[str, list[tuple[int, str]]]]:
    """Wards and communes grouped under their district, both ordered by name: ``[(district, [(id, ward)])]``.
    Wards without a district come last under an empty group name."""
    wards = session.scalars(select(Unit).where(Unit.kind == UnitKind.WARD).options(selectinload(Unit.parent))).all()
    groups: dict[str, list[tuple[int, str]]] = {}
    for ward in sorted(wards, key=lambda unit: vietnamese_sort_key(unit.name)):
        groups.setdefault(ward.parent.name if ward.parent else "", []).append((ward.id, ward.name))
    return sorted(groups.items(), key=lambda item: (item[0] == "", vietnamese_sort_key(item[0])))


def person_sort_key(name: str) -> tuple:
    """Order people as Vietnamese lists do: by given name (the last word), then by the whole name."""
    words = (name or "").split()
    return (vietnamese_sort_key(words[-1] if words else ""), vietnamese_sort_key(" ".join(words)))


def _bare(text: str) -> str:
    """Lower case without marks or repeated spaces, for searching: "Đỗ  Quang" -> "do quang"."""
    return " ".join(vietnamese_sort_key(text or "")[0].split())


def unit_options_in_order(session: Session, kinds=None) -> list[tuple[int, str]]:
    """(id, label) of units in tree order, indented by depth, siblings in Vietnamese order ("Định Quán" before
    "Xuân Lộc"); optionally only some kinds. The same as ``app.services.unit_options``, ordered for a reader."""
    children: dict[int | None, list[Unit]] = {}
    for unit, _depth in unit_tree(session):
        children.setdefault(unit.parent_id, []).append(unit)
    wanted = set(kinds) if kinds else None
    options: list[tuple[int, str]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent_id, ()), key=lambda u: vietnamese_sort_key(u.name)):
            if wanted is None or unit.kind in wanted:
                options.append((unit.id, "\u00a0\u00a0" * depth + unit.name))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return options


# --- the organizer's list of registrations: search, counts by ward, export -----------------------------------


def sort_people(rows: list[tuple[Registration, int | None]]) -> list[tuple[Registration, int | None]]:
    """Registrations (with their waitlist positions) in Vietnamese order of the people's names."""
    return sorted(rows, key=lambda row: person_sort_key(row[0].name))


def filter_registrations(rows: list[tuple[Registration, int | None]], query: str | None) -> list:
    """The rows whose name holds ``query`` (accents, case and spacing ignored) or, when ``query`` is a phone
    number or part of one (spaces, dots, dashes and a leading +84 allowed), whose phone holds its digits."""
    query = (query or "").strip()
    if not query:
        return list(rows)
    compact = re.sub(r"[\s.\-()]", "", query)
    if re.fullmatch(r"\+?[0-9]+", compact):
        digits = compact.lstrip("+")
        if compact.startswith("+84") or (compact.startswith("84") and len(digits) > 9):
            digits = "0" + digits[2:]
        return [row for row in rows if digits in (row[0].phone or "")]
    wanted = _bare(query)
    return [row for row in rows if wanted in _bare(row[0].name)]


@dataclass(frozen=True)
class WardCount:
    name: str  # "" for registrations without a ward
    district: str
    count: int
    percent: int  # of the largest count, for the bar


def ward_counts(rows: list[tuple[Registration, int | None]]) -> list[WardCount]:
    """Live registrations (confirmed or waiting) counted by ward, wards in Vietnamese order, the ones without a
    ward last."""
    counts: dict[object, list] = {}
    for registration, _position in rows:
        if registration.status == CANCELLED:
            continue
        ward = registration.ward
        key = ward.id if ward is not None else None
        entry = counts.setdefault(key, [ward, 0])
        entry[1] += 1
    if not counts:
        return []
    most = max(count for _ward, count in counts.values())
    result = []
    for ward, count in counts.values():
        parent = getattr(ward, "parent", None) if ward is not None else None
        result.append(
            WardCount(ward.name if ward is not None else "", parent.name if parent else "", count, 100 * count // most)
        )
    return sorted(result, key=lambda c: (c.name == "", vietnamese_sort_key(c.name), vietnamese_sort_key(c.district)))


def registrations_workbook(rows: list[tuple[Registration, int | None]], activity: Activity, *, tz: ZoneInfo) -> bytes:
    """The activity's registrations as an XLSX file, full phone numbers included (for organizers only; the view
    records the export with ``record_export``). Every text typed by a citizen is written as text, never a formula."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .transfer.writing import write_cell

    status_labels = {CONFIRMED: _l("Confirmed"), WAITLISTED: _l("On the waitlist"), CANCELLED: _l("Cancelled")}
    headers = [
        _l("No."),
        _l("Full name"),
        _l("Phone number"),
        _l("Ward or commune"),
        _l("District"),
        _l("Email"),
        _l("Status"),
        _l("Waitlist position"),
        _l("Registered at"),
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = str(_l("Registrations"))[:31]
    write_cell(sheet, 1, 1, activity.title).font = Font(bold=True, size=14)
    for column, header in enumerate(headers, start=1):
        write_cell(sheet, 3, column, str(header)).font = Font(bold=True)
    for widths, letter in zip((6, 30, 14, 26, 26, 28, 18, 10, 18), "ABCDEFGHI", strict=True):
        sheet.column_dimensions[letter].width = widths
    sheet.freeze_panes = "A4"
    for number, (registration, position) in enumerate(rows, start=1):
        ward = registration.ward
        values = [
            number,
            registration.name,
            registration.phone,
            ward.name if ward is not None else "",
            ward.parent.name if ward is not None and ward.parent is not None else "",
            registration.email or "",
            str(status_labels.get(registration.status, registration.status)),
            position,
            registration.created_at.astimezone(tz).replace(tzinfo=None) if registration.created_at else None,
        ]
        for column, value in enumerate(values, start=1):
            cell = write_cell(sheet, number + 3, column, value)
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def record_export(session: Session, activity_id: int, count: int, actor_id: int | None) -> None:
    """Put the export of an activity's registrations in the audit trail: who, when, which activity, how many rows;
    never the personal data itself. Its entity id names the activity ("activity:12"), so the purge of expired
    registrations (which deletes entries by registration id) cannot mistake it for one registration's."""
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action="export",
            entity="Registration",
            entity_id=f"activity:{activity_id}",
            changes={"activity_id": activity_id, "count": count},
        )
    )


# --- what people are told (through the outbox, in the transaction that changes their registration) -------------


def message_payload(registration: Registration, activity: Activity, position: int | None = None) -> dict:
    """The values every registration message shows: who, what, when, where, and the ticket's token."""
    return {
        "name": registration.name,
        "activity_title": activity.title,
        "starts_at": activity.starts_at.isoformat(),
        "venue": activity.venue.name if activity.venue else "",
        "token": registration.token,
        "position": position,
    }


def tell(session: Session, registration: Registration, template: str, *, now: datetime, key: str, **extra) -> None:
    """Queue ``template`` for the person who holds ``registration`` (by e-mail if they gave one, else SMS), once
    per ``key``."""
    activity = session.get(Activity, registration.activity_id)
    outbox.enqueue(
        session,
        to=outbox.recipients(email=registration.email, phone=registration.phone),
        template=template,
        payload={**message_payload(registration, activity), **extra},
        locale=registration.locale,
        now=now,
        dedupe_key=f"registration:{registration.id}:{key}",
        subject_ref=f"Registration:{registration.id}",
    )


def tell_everyone_registered(session: Session, activity: Activity, template: str, *, now: datetime, key: str) -> int:
    """Queue ``template`` for every person still registered (confirmed or waiting) for ``activity``, once per
    ``key`` (e.g. the activity's new SEQUENCE, so each change is told once); returns how many."""
    live = session.scalars(
        select(Registration).where(Registration.activity_id == activity.id, Registration.status != CANCELLED)
    ).all()
    for registration in live:
        tell(session, registration, template, now=now, key=key)
    return len(live)


def queue_reminders(session: Session, now: datetime, *, tz: ZoneInfo) -> JobResult:
    """Remind every confirmed person of an activity that starts tomorrow (by the local date in ``tz``); a person
    is reminded once however often this runs."""
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tz)
    due = session.scalars(
        select(Registration)
        .join(Registration.activity)
        .where(
            Registration.status == CONFIRMED,
            Activity.cancelled.is_(False),
            Activity.starts_at >= start,
            Activity.starts_at < start + timedelta(days=1),
        )
    ).all()
    for registration in due:
        tell(session, registration, "registration_reminder", now=now, key="reminder")
    return JobResult(changed=len(due), message=_l("%(count)s reminders queued", count=len(due)))


LINKS_BY_SMS = 5  # "find my registration" by SMS: the nearest activities, one SMS each


def resend_links(session: Session, phone: str, email: str | None, now: datetime) -> int:
    """Send the person holding ``phone`` the links of their live registrations of activities still to come, to
    the e-mail they registered with (when ``email`` matches it, all in one message) or else by SMS to that phone
    (one SMS per activity, naming it, for the nearest ``LINKS_BY_SMS``). Returns how many
    registrations were found, for the log only: the page answers the same whether there were any or not."""
    phone = normalise_phone(phone) or ""
    if not _PHONE.fullmatch(phone):
        return 0
    found = session.scalars(
        select(Registration)
        .join(Registration.activity)
        .where(Registration.phone == phone, Registration.status != CANCELLED, Activity.ends_at > now)
        .order_by(Activity.starts_at)
    ).all()
    if not found:
        return 0
    email = (email or "").strip().lower() or None
    on_file = {r.email for r in found if r.email}
    items = [
        {"activity_title": r.activity.title, "starts_at": r.activity.starts_at.isoformat(), "token": r.token}
        for r in found
    ]
    # At most one resend per phone per quarter-hour, whatever the rate limit lets through.
    window = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    key = f"links:{phone}:{window.isoformat()}"
    if email in on_file:
        batches = [(outbox.Recipient(outbox.Channel.EMAIL, email), key, items, found[0])]
    else:
        # By SMS, one message per activity (the nearest few), each naming it: a list of links would not fit.
        batches = [
            (outbox.Recipient(outbox.Channel.SMS, phone), f"{key}:{r.id}", [item], r)
            for r, item in list(zip(found, items, strict=True))[:LINKS_BY_SMS]
        ]
    for recipient, dedupe_key, payload_items, first in batches:
        outbox.enqueue(
            session,
            to=[recipient],
            template="registration_links",
            payload={"registrations": payload_items},
            locale=first.locale,
            now=now,
            dedupe_key=dedupe_key,
            subject_ref=f"Registration:{first.id}",
        )
    return len(found)


# --- small atomic steps --------------------------------------------------------------------------------------


def _expire(session: Session, model, pk: int, attributes: list[str] | None = None) -> None:
    # Core UPDATEs bypass the identity map; drop a loaded copy (or the columns the UPDATE wrote) so the next read
    # sees the database.
    obj = session.identity_map.get(identity_key(model, pk))
    if obj is not None:
        session.expire(obj, attributes)


def _take_seat(session: Session, activity_id: int) -> bool:
    """One conditional UPDATE: True if a seat was free and is now ours."""
    result = session.execute(
        update(Activity)
        .where(
            Activity.id == activity_id,
            (Activity.capacity.is_(None)) | (Activity.seats_taken < Activity.capacity),
        )
        .values(seats_taken=Activity.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
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


def _live_by_phone(session: Session, activity_id: int, phone: str) -> Registration | None:
    return session.scalar(
        select(Registration).where(
            Registration.activity_id == activity_id, Registration.phone == phone, Registration.status != CANCELLED
        )
    )


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


# --- registering -------------------------------------------------------------------------------------------


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


def _insert_registration(session: Session, **values) -> Registration | None:
    """Insert the registration, with its audit entry; None when a unique index refused it (this phone's live
    registration for the activity, or the ticket token), with nothing written. One statement (INSERT … ON
    CONFLICT DO NOTHING … RETURNING) on PostgreSQL and SQLite: no savepoint to open and release."""
    name = session.get_bind(mapper=Registration.__mapper__).dialect.name
    if name in ("postgresql", "sqlite"):
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(Registration).values(**values).on_conflict_do_nothing().returning(Registration)
        registration = session.scalars(statement).first()
        if registration is not None:
            audit.record_created(session, registration)
        return registration
    registration = Registration(**values)
    try:
        with session.begin_nested():
            session.add(registration)
            session.flush()
    except IntegrityError:
        return None
    return registration


def ticket_token(secret: str, submission_key: str | None) -> str | None:
    """The ticket token for a submission key: unguessable without the server's ``secret``, the same for a replay
    of the same submission; None when there is no usable key (a fresh random token is then made)."""
    if not submission_key or not SUBMISSION_KEY.match(submission_key):
        return None
    digest = hmac.new(secret.encode(), b"dxday-registration:" + submission_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()  # 32 characters, like secrets.token_urlsafe(24)


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
        # The seat UPDATE comes first: it opens the write transaction (on SQLite it takes the write lock), so
        # the savepoint below is nested in it and a failed insert leaves only the seat to give back.
        seated = _take_seat(session, activity.id)
        registration = _insert_registration(
            session,
            activity_id=activity.id,
            name=name,
            phone=phone,
            ward_unit_id=ward.id,
            email=email,
            consent_at=now,
            locale=locale,
            status=CONFIRMED if seated else WAITLISTED,
            token=token or secrets.token_urlsafe(24),
            created_at=now,
        )
        if registration is None:  # a live registration of this phone, or this token, got there first
            if seated:
                _give_back_seat(session, activity.id)
            existing = _live_by_phone(session, activity.id, phone)
            if existing is None:
                token = None  # the token was taken (a replayed submission for another phone): retry with a new one
                continue
            return _replay_or_refuse(session, existing, token)
        position = waitlist_position(session, registration)
        template = "registration_confirmed" if seated else "registration_waitlisted"
        tell(session, registration, template, now=now, key="created", position=position)
        return RegistrationResult(registration, True, position)
    raise Conflict(_l("Your registration could not be saved. Please try again."), code="registration_retry")


# --- cancelling and promoting --------------------------------------------------------------------------------


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


# --- what other features read ----------------------------------------------------------------------------------


def ticket_for(session: Session, token: str) -> Registration | None:
    """The registration holding ``token`` with its activity (venue, plan) and ward loaded, or None. The check-in
    feature turns it into a ticket and QR code; only a confirmed registration should be admitted."""
    if not token:
        return None
    return session.scalar(
        select(Registration)
        .where(Registration.token == token)
        .options(
            selectinload(Registration.activity).selectinload(Activity.venue),
            selectinload(Registration.activity).selectinload(Activity.plan).selectinload(Plan.lead_unit),
            selectinload(Registration.ward),
        )
    )


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


def list_registrations(session: Session, activity_id: int) -> list[tuple[Registration, int | None]]:
    """Every registration of the activity in sign-up order, each with its waitlist position (None if not
    waitlisted); wards and their districts are loaded with it."""
    rows = session.scalars(
        select(Registration)
        .where(Registration.activity_id == activity_id)
        .options(selectinload(Registration.ward).selectinload(Unit.parent))
        .order_by(Registration.id)
    ).all()
    listed, position = [], 0
    for row in rows:
        if row.status == WAITLISTED:
            position += 1
        listed.append((row, position if row.status == WAITLISTED else None))
    return listed


def mask_phone(phone: str | None) -> str:
    """``0912345678`` -> ``09******78``: enough for a person to recognise their own number, not to call it."""
    if not phone:
        return ""
    if len(phone) <= 4:
        return "*" * len(phone)
    return phone[:2] + "*" * (len(phone) - 4) + phone[-2:]


def purge_expired_registrations(session: Session, now: datetime, *, tz: ZoneInfo) -> JobResult:
    """Delete the registrations (and so the personal data) of plans whose retention period ended
    (``retention_until``, by the local date in ``tz``), with their audit entries. Idempotent."""
    today = now.astimezone(tz).date()
    expired = []
    for plan in session.scalars(select(Plan)):
        try:
            if retention_until(plan) < today:
                expired.append(plan.id)
        except Exception:  # one broken plan must not keep every other plan's personal data past its retention
            log.exception("purge: cannot compute the retention of plan %s; skipped", plan.id)
    ids = (
        list(session.scalars(select(Registration.id).join(Registration.activity).where(Activity.plan_id.in_(expired))))
        if expired
        else []
    )
    outbox.forget(session, [f"Registration:{i}" for i in ids])
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        session.execute(
            delete(AuditEntry).where(
                AuditEntry.entity == "Registration", AuditEntry.entity_id.in_([str(i) for i in chunk])
            )
        )
        session.execute(
            delete(Registration).where(Registration.id.in_(chunk)).execution_options(synchronize_session=False)
        )
    return JobResult(changed=len(ids), message=_l("%(count)s registrations deleted", count=len(ids)))

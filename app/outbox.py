"""The outbox: every message to a person (e-mail, SMS) is a row written in the transaction that causes it, and a
scheduled job sends it later, once, with retries.

Why a table and not a send in the request: a request never waits on a mail server or an SMS gateway, a message is
never sent for a change that was rolled back, and a gateway that is down delays messages instead of losing them.

Exactly once: a sender claims a message with a compare-and-set UPDATE (``pending`` → ``sending``) committed before
it sends, so two job runs or two processes never send the same message. A sender that dies after claiming leaves
the message ``sending``; after ``CLAIM_TIMEOUT`` it is handed back (at-least-once for that rare case, which is
the right side to err on for a ticket link).

Channels: e-mail through Flask-Mailman (SMTP settings from the environment; without ``MAIL_SERVER`` the messages
are printed on the console), SMS through a gateway chosen by ``SMS_BACKEND``: ``log`` (default: logged and printed
on the console too) or ``http`` (see ``HttpSmsGateway`` for the contract a Vietnamese brand-name SMS provider's
adapter must meet). SMS go out unaccented (``fold_to_ascii``): their templates are worded for it.
"""

from __future__ import annotations

import json
import logging
import sys
import unicodedata
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Channel, Lane, MessageState, OutboxMessage
from .scheduler import JobResult

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=10)
KEEP_SENT = timedelta(days=30)
SMS_MAX_CHARS = 160  # one segment of unaccented (GSM-7) text
SMS_MAX_SEGMENTS = 2  # every SMS template keeps to two segments with the longest names (tests check)


@dataclass(frozen=True)
class Recipient:
    channel: Channel
    address: str


def recipients(*, email: str | None, phone: str | None) -> list[Recipient]:
    """Where to tell a person: by e-mail when they gave one (free, and room for the details), else by SMS."""
    if email:
        return [Recipient(Channel.EMAIL, email)]
    if phone:
        return [Recipient(Channel.SMS, phone)]
    return []


def enqueue(
    session: Session,
    *,
    to: Iterable[Recipient],
    template: str,
    payload: dict,
    locale: str,
    now: datetime,
    dedupe_key: str | None = None,
    subject_ref: str | None = None,
    lane: Lane = Lane.NORMAL,
) -> int:
    """Write the message for each recipient into the outbox (in the caller's transaction); returns how many were
    new. The same ``dedupe_key`` (per recipient) is written once, however often this is called. ``lane``:
    ``Lane.FAST`` for a message someone waits for on the screen (a one-time code), sent within seconds."""
    written = 0
    insert_once = _insert_once(session)
    for recipient in to:
        key = f"{dedupe_key}:{recipient.channel}" if dedupe_key else None
        values = _row(recipient, template, payload, locale, key, subject_ref, now) | {"lane": lane}
        if insert_once is not None:
            # One round trip: a message already there under this key (enqueued before, or at the same moment by
            # another request) is left alone by the database.
            statement = insert_once(OutboxMessage).values(**values).on_conflict_do_nothing()
            written += session.execute(statement.returning(OutboxMessage.id)).first() is not None
            continue
        if key and session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
            continue
        try:
            with session.begin_nested():
                session.add(OutboxMessage(**values))
                session.flush()
        except IntegrityError:  # the same news enqueued at the same moment by another request
            continue
        written += 1
    return written


def message_columns() -> tuple[str, ...]:
    """The columns ``message_parameters`` gives values for (all but the two keys), for a statement that writes a
    change and its message at once (as PostgreSQL's data-modifying CTEs can) and builds the keys itself."""
    return _BOUND


# The columns of ``_row`` but the two keys.
_BOUND = ("channel", "recipient", "template", "payload", "locale", "state", "attempts", "next_attempt_at",
          "created_at", "last_error", "lane")  # fmt: skip


def message_parameters(recipient: Recipient, template: str, payload: dict, locale: str, now: datetime) -> dict:
    """The values of ``message_columns`` as ``message_<column>`` parameters, and ``message_key_channel``, which
    ends the recipient's dedupe key: the same row as ``enqueue`` writes for ``recipient``."""
    row = _row(recipient, template, payload, locale, None, None, now)
    return {f"message_{name}": row[name] for name in _BOUND} | {"message_key_channel": f":{recipient.channel}"}


@dataclass(frozen=True)
class Outgoing:
    """One person's message for ``enqueue_many``: where to, what to fill the template with, and its keys."""

    to: list[Recipient]
    payload: dict
    locale: str
    dedupe_key: str
    subject_ref: str | None = None


def enqueue_many(session: Session, template: str, messages: Iterable[Outgoing], *, now: datetime) -> int:
    """``enqueue`` for many people at once (the results of a round for every participant): the already-queued
    keys are read and the new rows inserted in batches of 500, so the number of statements does not grow with each
    person. Meant for the one scheduler process; returns how many messages were new."""
    rows = [
        _row(
            recipient,
            template,
            message.payload,
            message.locale,
            f"{message.dedupe_key}:{recipient.channel}",
            message.subject_ref,
            now,
        )
        for message in messages
        for recipient in message.to
    ]
    if session.get_bind(mapper=OutboxMessage.__mapper__).dialect.name == "postgresql":
        return sum(_insert_from_json(session, rows[start : start + 5000]) for start in range(0, len(rows), 5000))
    insert_once = _insert_once(session)
    written = 0
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        if insert_once is not None:
            statement = insert_once(OutboxMessage).on_conflict_do_nothing().returning(OutboxMessage.id)
            result = session.execute(statement, batch)
            written += len(result.all())
            continue
        keys = [row["dedupe_key"] for row in batch]
        queued = set(session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))))
        fresh = [row for row in batch if row["dedupe_key"] not in queued]
        if fresh:
            session.execute(insert(OutboxMessage), fresh)
            written += len(fresh)
    return written


def _row(
    recipient: Recipient,
    template: str,
    payload: dict,
    locale: str,
    key: str | None,
    subject_ref: str | None,
    now: datetime,
) -> dict:
    """The outbox row of one message to one recipient, waiting to be sent."""
    return {
        "channel": recipient.channel,
        "recipient": recipient.address,
        "template": template,
        "payload": payload,
        "locale": locale if locale in ("vi", "en") else "vi",
        "dedupe_key": key,
        "subject_ref": subject_ref,
        "state": MessageState.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "last_error": "",
        "lane": Lane.NORMAL,
    }


_FROM_JSON = text(
    "INSERT INTO outbox_messages (channel, recipient, template, payload, locale, dedupe_key, subject_ref, state, "
    "attempts, next_attempt_at, created_at, last_error) SELECT channel, recipient, template, payload, locale, "
    "dedupe_key, subject_ref, state, attempts, next_attempt_at, created_at, last_error "
    "FROM json_to_recordset(CAST(:rows AS json)) AS new(channel varchar, recipient varchar, template varchar, "
    "payload json, locale varchar, dedupe_key varchar, subject_ref varchar, state varchar, attempts integer, "
    "next_attempt_at timestamptz, created_at timestamptz, last_error varchar) "
    "ON CONFLICT DO NOTHING RETURNING id"
)


def _insert_from_json(session: Session, rows: list[dict]) -> int:
    """PostgreSQL: a batch of rows sent as one JSON document and inserted by ``INSERT … SELECT FROM
    json_to_recordset(…) ON CONFLICT DO NOTHING``. A multi-row VALUES list would be parsed by the driver in
    Python, and arrays escaped element by element: 15 and 10 of the 20 s that queuing 100,000 "results are out"
    messages took; one JSON text costs neither. Returns how many rows were new."""
    document = json.dumps(
        [
            {name: getattr(value, "value", value) for name, value in row.items()}
            | {"next_attempt_at": row["next_attempt_at"].isoformat(), "created_at": row["created_at"].isoformat()}
            for row in rows
        ],
        ensure_ascii=False,
    )
    return len(session.execute(_FROM_JSON, {"rows": document}).all())


def _insert_once(session: Session):
    """The dialect's INSERT that can skip a duplicate (ON CONFLICT DO NOTHING), or None for another database."""
    name = session.get_bind(mapper=OutboxMessage.__mapper__).dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert

        return insert
    return None


def forget(session: Session, subject_refs: Iterable[str]) -> None:
    """Delete the messages about these subjects (when their personal data is purged)."""
    refs = list(subject_refs)
    for start in range(0, len(refs), 500):
        session.execute(delete(OutboxMessage).where(OutboxMessage.subject_ref.in_(refs[start : start + 500])))


# --- rendering ------------------------------------------------------------------------------------------------


def fold_to_ascii(text: str) -> str:
    """Vietnamese without its marks ("Đăng ký" → "Dang ky"): brand-name SMS go out unaccented, which also keeps
    a message to one 160-character segment instead of 70-character UCS-2 ones."""
    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).encode("ascii", "replace").decode()


# GSM 03.38: the characters an unaccented SMS is sent in, one septet each (the extension table's cost two).
_GSM7 = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = "^{}\\[~]|€\f"


def sms_segments(text: str) -> int:
    """How many segments the SMS ``text`` costs: GSM-7 (160 septets alone, 153 a part when concatenated), or
    UCS-2 (70, then 67) as soon as one character is outside GSM-7, which is what accented Vietnamese does."""
    if all(ch in _GSM7 or ch in _GSM7_EXTENDED for ch in text):
        septets = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
        return 1 if septets <= SMS_MAX_CHARS else -(-septets // 153)
    return 1 if len(text) <= 70 else -(-len(text) // 67)


def shorten(value, length: int) -> str:
    """``value`` on one line, cut to at most ``length`` characters on a word boundary with "..." after the last
    whole word (never "thàn..." for "thành phố", which folds to "than", coal); a single over-long word is cut."""
    text = " ".join(str(value or "").split())
    if len(text) <= length:
        return text
    room = text[: length - 3]
    if text[length - 3] != " " and " " in room:
        room = room.rsplit(" ", 1)[0]
    return room.rstrip(" ,;:-–—(") + "..."


def register_template_filters(app) -> None:
    """Filters the message templates use."""

    @app.template_filter("sms_text")
    def sms_text(value, length: int = 40) -> str:
        return shorten(value, length)

    @app.template_filter("sms_time")
    def sms_time(value) -> str:
        from flask_babel import format_datetime

        return format_datetime(value, "HH:mm") if value else ""

    @app.template_filter("sms_date")
    def sms_date(value) -> str:
        from flask_babel import format_datetime

        return format_datetime(value, "dd/MM") if value else ""

    @app.template_filter("ticket_url")
    def ticket_url(token: str) -> str:
        from flask import url_for

        return url_for("events.registration_page", token=token, _external=True)


def _values(payload: dict) -> dict:
    # Payloads are JSON: instants travel as ISO strings and come back as datetimes for the templates' filters.
    def revive(key, value):
        if key.endswith("_at") and isinstance(value, str):
            return datetime.fromisoformat(value)
        if isinstance(value, list):
            return [_values(item) if isinstance(item, dict) else item for item in value]
        return value

    return {key: revive(key, value) for key, value in payload.items()}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(message: OutboxMessage) -> Rendered:
    """The message's text in its locale, from ``templates/messages/<template>.txt``: the first line is the
    subject, the rest the body; an SMS gets ``<template>.sms.txt`` if it exists (shorter), else the body."""
    names = [f"messages/{message.template}.txt"]
    if message.channel == Channel.SMS:
        names.insert(0, f"messages/{message.template}.sms.txt")
    # A request context for url_for(_external=True) at the site's address: CANONICAL_URL, else where this
    # process serves (LOCAL_URL, which make run sets from its HOST and PORT); the locale is forced inside it.
    base_url = current_app.config.get("CANONICAL_URL") or current_app.config["LOCAL_URL"]
    with current_app.test_request_context(base_url=base_url), force_locale(message.locale):
        text = render_template(names, **_values(message.payload)).strip()
    if message.channel == Channel.SMS:
        text = text.replace("....", "...")  # a name cut just before a full stop
    subject, _sep, body = text.partition("\n")
    return Rendered(subject.strip(), body.strip() or subject.strip())


# --- channels ---------------------------------------------------------------------------------------------------


class DeliveryError(Exception):
    """The channel refused or failed; the message is tried again later."""


def send_email(address: str, rendered: Rendered) -> None:
    from flask_mailman import EmailMessage

    try:
        EmailMessage(subject=rendered.subject, body=rendered.body, to=[address]).send()
    except Exception as error:  # SMTP errors, refused connections, timeouts: all mean "try again later"
        raise DeliveryError(f"{type(error).__name__}: {error}") from error


class LogSmsGateway:
    """The default until a provider is configured: each SMS is logged and printed on the console, as the console
    e-mail backend prints e-mails (the log's INFO lines are not shown by ``make run``)."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, phone: str, text: str, request_id: str) -> None:
        log.info("SMS to %s (%s): %s", phone, request_id, text)
        stream = self.stream or sys.stdout
        stream.write(f"SMS to: {phone} ({request_id}, {sms_segments(text)} segment(s))\n{text}\n{'-' * 79}\n")
        stream.flush()


class HttpSmsGateway:
    """A brand-name SMS provider behind an HTTP adapter. The contract:

    ``POST {SMS_HTTP_URL}`` with ``Authorization: Bearer {SMS_HTTP_TOKEN}`` and a JSON body
    ``{"to": "84912345678", "brandname": SMS_BRANDNAME, "message": "<text>", "request_id": "<outbox id>"}``;
    any 2xx means accepted. ``request_id`` is stable per message, so an adapter can drop a repeat. Anything else
    (another status, a timeout) is a failure and the message is tried again with a growing delay."""

    def __init__(self, url: str, token: str, brandname: str, timeout: float = 10):
        self.url, self.token, self.brandname, self.timeout = url, token, brandname, timeout

    def send(self, phone: str, text: str, request_id: str) -> None:
        body = {
            "to": "84" + phone[1:] if phone.startswith("0") else phone,
            "brandname": self.brandname,
            "message": text,
            "request_id": request_id,
        }
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's configuration)
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"SMS gateway answered {response.status}")
        except OSError as error:
            raise DeliveryError(f"SMS gateway: {error}") from error


def sms_gateway():
    config = current_app.config
    if config.get("SMS_BACKEND") == "http":
        return HttpSmsGateway(config["SMS_HTTP_URL"], config.get("SMS_HTTP_TOKEN") or "", config["SMS_BRANDNAME"])
    return LogSmsGateway()


def deliver(message: OutboxMessage) -> None:
    """Send one message through its channel; DeliveryError when it must be tried again."""
    rendered = render(message)
    if message.channel == Channel.EMAIL:
        send_email(message.recipient, rendered)
    else:
        sms_gateway().send(message.recipient, fold_to_ascii(rendered.body), f"outbox-{message.id}")


# --- the job ------------------------------------------------------------------------------------------------------


def _retry_delay(attempts: int) -> timedelta:
    return min(timedelta(minutes=2**attempts), timedelta(hours=6))


def send_due(engine, now: datetime, *, batch: int = 200, send=deliver, lane: Lane = Lane.NORMAL) -> JobResult:
    """Send the messages of ``lane`` that are due, each in its own short transactions on ``engine`` (claim, then
    result), so a slow gateway holds no lock and a crash loses at most the message in hand. Each lane has its own
    job: a code waited for on the screen never queues behind a round's 100,000 "results are out" messages."""
    sent = failed = 0
    with Session(engine) as session:
        # Hand back messages whose sender died after claiming them.
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.state == MessageState.SENDING,
                OutboxMessage.lane == lane,
                OutboxMessage.claimed_at < now - CLAIM_TIMEOUT,
            )
            .values(state=MessageState.PENDING)
        )
        session.commit()
        due = session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.state == MessageState.PENDING,
                OutboxMessage.lane == lane,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch)
        ).all()
        for message_id in due:
            claimed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.state == MessageState.PENDING)
                .values(state=MessageState.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
            ).rowcount
            session.commit()
            if claimed != 1:
                continue  # another sender took it
            message = session.get(OutboxMessage, message_id)
            try:
                send(message)
            except Exception as error:  # noqa: BLE001 (any failure of one message must not stop the others)
                final = message.attempts >= MAX_ATTEMPTS
                message.state = MessageState.FAILED if final else MessageState.PENDING
                message.next_attempt_at = now + _retry_delay(message.attempts)
                message.last_error = f"{type(error).__name__}: {error}"[:500]
                failed += 1
                log.warning("outbox message %s not sent (attempt %s): %s", message.id, message.attempts, error)
            else:
                message.state, message.sent_at, message.last_error = MessageState.SENT, now, ""
                sent += 1
            if message.lane == Lane.FAST and message.state != MessageState.PENDING:
                message.payload = {}  # a one-time code: kept no longer than its sending needs
            session.commit()
    return JobResult(changed=sent, message=_l("%(sent)s sent, %(failed)s failed", sent=sent, failed=failed), ok=True)


def prune_sent(session: Session, now: datetime) -> JobResult:
    """Delete messages sent or given up more than ``KEEP_SENT`` ago: they hold names, phones and links."""
    count = (
        session.execute(
            delete(OutboxMessage).where(
                or_(OutboxMessage.state == MessageState.SENT, OutboxMessage.state == MessageState.FAILED),
                OutboxMessage.created_at < now - KEEP_SENT,
            )
        ).rowcount
        or 0
    )
    return JobResult(changed=count, message=_l("%(count)s old messages removed", count=count))

"""What people are told about their registrations, through the outbox, in the transaction that changes their
registration: confirmations, waitlist places, promotions, cancellations, reminders and their links resent."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import outbox
from app.scheduler import JobResult
from app.services import normalise_phone

from ...models import Activity, Registration
from .common import _PHONE, CANCELLED, CONFIRMED


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

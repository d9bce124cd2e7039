"""Citizens' registration for activities: seats, the waitlist, cancelling, and what check-in needs.

One module per concern:
- ``window``: whether an activity takes sign-ups at a moment (online, or walk-ins at the venue);
- ``signup``: ``register`` and what it refuses;
- ``tickets``: submission keys (idempotency), ticket tokens and the ticket a token opens;
- ``seats``: seats and the waitlist (every write to the seat count, promotion, cancelling, the counts); how they
  stay correct under concurrency is told there;
- ``messages``: what people are told, through the outbox;
- ``listing``, ``ordering`` and ``export``: the organizer's list, searched, sorted, counted and exported;
- ``purge``: how long personal data is kept, and its deletion;
- ``common``: the statuses' short names and the phone pattern.

Other packages (check-in, the views and API of registration) import from here; modules elsewhere in events import
from the precise module."""

from app.services import vietnamese_sort_key

from .common import CANCELLED, CONFIRMED, WAITLISTED
from .export import record_export, registrations_workbook
from .listing import WardCount, filter_registrations, list_registrations, mask_phone, sort_people, ward_counts
from .messages import LINKS_BY_SMS, message_payload, queue_reminders, resend_links, tell, tell_everyone_registered
from .ordering import person_sort_key, unit_options_in_order, wards_by_district
from .purge import RETENTION_AFTER_REPORT, purge_expired_registrations, retention_until
from .seats import cancel, promote_waitlist, registration_summaries, registration_summary, waitlist_position
from .signup import AlreadyRegistered, InvalidRegistration, RegistrationResult, register
from .tickets import SUBMISSION_KEY, ticket_for, ticket_token
from .window import check_registration_open, check_walk_ins_open, public_activity, registration_state

__all__ = [
    "CANCELLED",
    "CONFIRMED",
    "LINKS_BY_SMS",
    "RETENTION_AFTER_REPORT",
    "SUBMISSION_KEY",
    "WAITLISTED",
    "AlreadyRegistered",
    "InvalidRegistration",
    "RegistrationResult",
    "WardCount",
    "cancel",
    "check_registration_open",
    "check_walk_ins_open",
    "filter_registrations",
    "list_registrations",
    "mask_phone",
    "message_payload",
    "person_sort_key",
    "promote_waitlist",
    "public_activity",
    "purge_expired_registrations",
    "queue_reminders",
    "record_export",
    "register",
    "registration_state",
    "registration_summaries",
    "registration_summary",
    "registrations_workbook",
    "resend_links",
    "retention_until",
    "sort_people",
    "tell",
    "tell_everyone_registered",
    "ticket_for",
    "ticket_token",
    "unit_options_in_order",
    "vietnamese_sort_key",
    "waitlist_position",
    "ward_counts",
    "wards_by_district",
]

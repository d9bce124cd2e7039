"""Scheduled jobs of the contests feature, registered when its blueprint is set up: rounds open and close at
their times, and flags are raised for review after a close and while a round is open (idempotent; the one
scheduler process runs them)."""

from flask_babel import lazy_gettext as _l

from app.scheduler import scheduled

from .services import flags, rounds
from .services.participants import retention


@scheduled("contests.open_rounds", "interval", _l("Open quiz rounds whose opening time has come"), minutes=1)
def open_rounds(session, now):
    return rounds.open_due_rounds(session, now)


@scheduled(
    "contests.close_rounds",
    "interval",
    _l("Close quiz rounds whose time is over, compute their results and tell the participants"),
    minutes=1,
)
def close_rounds(session, now):
    return rounds.close_due_rounds(session, now)


@scheduled(
    "contests.detect_flags",
    "interval",
    _l("Look for attempts to review in rounds just closed, and in open rounds every few minutes"),
    minutes=1,
)
def detect_flags(session, now):
    return flags.detect_due_rounds(session, now)


@scheduled(
    "contests.erase_participants",
    "cron",
    _l("Erase quiz participants' personal data once their contest's retention period has ended (Decree 13/2023)"),
    hour=2,
    minute=45,
)
def erase_participants(session, now):
    from flask import current_app  # here: the scheduler reads this module's names outside any app context

    return retention.erase_expired_participants(session, now, retention_days=current_app.config["QUIZ_RETENTION_DAYS"])


@scheduled(
    "contests.prune_return_codes", "cron", _l("Delete one-time return codes older than two days"), hour=3, minute=50
)
def prune_return_codes(session, now):
    from app.scheduler import JobResult

    from .services.participants.return_codes import prune_codes

    count = prune_codes(session, now)
    return JobResult(changed=count, message=_l("%(count)s old codes removed", count=count))

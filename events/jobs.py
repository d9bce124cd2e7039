"""Scheduled jobs of the events feature, registered when its blueprint is set up. Each runs in the scheduler's
app context, reads the time zone from the configuration and hands it to its service."""

from flask_babel import lazy_gettext as _l

from app.scheduler import scheduled
from app.timezone import campaign_zone

from .services import plans
from .services.registration import messages, purge


@scheduled("events.close_finished_plans", "interval", _l("Close published plans whose period has ended"), minutes=30)
def close_finished_plans(session, now):
    return plans.close_finished_plans(session, now, tz=campaign_zone())


@scheduled(
    "events.purge_expired_registrations",
    "cron",
    _l("Delete citizens' registrations once their plan's retention period has ended (Decree 13/2023)"),
    hour=2,
    minute=30,
)
def purge_expired_registrations(session, now):
    return purge.purge_expired_registrations(session, now, tz=campaign_zone())


@scheduled("events.queue_reminders", "interval", _l("Remind registered people the day before their activity"), hours=1)
def queue_reminders(session, now):
    return messages.queue_reminders(session, now, tz=campaign_zone())

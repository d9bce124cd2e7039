"""The one time-zone source: the ``TIMEZONE`` setting, read where a request, a job or a command runs and handed
to the services as an argument (services never read the configuration themselves)."""

from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app


def campaign_zone() -> ZoneInfo:
    """The zone in which the campaign's days and times count and are shown (Asia/Ho_Chi_Minh by default)."""
    return _zone(current_app.config["TIMEZONE"])


@cache
def _zone(key: str) -> ZoneInfo:
    return ZoneInfo(key)

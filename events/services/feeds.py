"""iCalendar feeds (RFC 5545) of public activities, so a phone calendar can subscribe and keep up with changes:
stable UIDs, SEQUENCE and LAST-MODIFIED on every event, STATUS:CANCELLED instead of silently dropping one."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event, Timezone, vText

from app.services import vietnamese_sort_key

PRODID = "-//dxday//Digital Transformation Day calendar//VI"
# Control characters have no place in a calendar (RFC 5545 forbids them); a line break inside a one-line
# property (a title, a calendar name) would end the property and start a forged one.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def one_line(text) -> str:
    """Text for a one-line property: control characters dropped, line breaks turned into spaces."""
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", str(text or ""))).strip()


def _multi_line(text) -> str:
    return _CONTROL.sub("", str(text or "").replace("\r\n", "\n").replace("\r", "\n"))


def activity_uid(activity_id: int, host: str) -> str:
    """The UID of an activity's event: the same in every feed and every build, so updates replace, not duplicate."""
    return f"activity-{activity_id}@{host}"


def stop_uid(stop_id: int, host: str) -> str:
    """The UID of one cluster-tour stop's event."""
    return f"stop-{stop_id}@{host}"


def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def _default_url(base_url: str) -> Callable[[int], str]:
    root = base_url.rstrip("/")
    return lambda activity_id: f"{root}/events/activities/{activity_id}"


def _programme_lines(items: Iterable, tz: ZoneInfo) -> list[str]:
    lines = []
    items = list(items)
    several_days = len({item.starts_at.astimezone(tz).date() for item in items}) > 1
    for item in items:
        start = item.starts_at.astimezone(tz)
        when = start.strftime("%d/%m %H:%M" if several_days else "%H:%M")
        if item.ends_at:
            when += "–" + item.ends_at.astimezone(tz).strftime("%H:%M")
        lines.append(f"{when} {item.title}")
    return lines


def _description(text: str, what_to_bring: str, programme: list[str], extra: Iterable[str] = ()) -> str:
    parts = [text.strip()] if text and text.strip() else []
    parts.extend(line for line in extra if line)
    if what_to_bring and what_to_bring.strip():
        parts.append(f"{_l('What to bring')}: {what_to_bring.strip()}")
    if programme:
        parts.append(f"{_l('Programme')}:\n" + "\n".join(programme))
    return _multi_line("\n\n".join(parts))


def _location(venue) -> str | None:
    if venue is None:
        return None
    return one_line(", ".join(part for part in (venue.name, venue.address) if part))


def _common(event: Event, activity, *, now: datetime, url: str) -> None:
    event.add("dtstamp", now.astimezone(UTC))
    event.add("url", url)
    event.add("last-modified", (activity.updated_at or activity.created_at or now).astimezone(UTC))
    event.add("sequence", activity.sequence or 0)
    event.add("status", "CANCELLED" if activity.cancelled else "CONFIRMED")
    event.add("categories", [str(activity.kind.label)])
    event.add("class", "PUBLIC" if activity.is_public else "PRIVATE")


def _summary(title: str, cancelled: bool) -> str:
    # Many phone calendars do not show STATUS at all; the prefix tells the person anyway.
    return f"{_l('Cancelled')}: {title}" if cancelled else title


def activity_events(activity, *, now: datetime, host: str, url: str, tz: ZoneInfo) -> list[Event]:
    """The VEVENTs of one activity: the activity itself and, for a cluster tour, one per stop (so each cluster's
    days show up on their own)."""
    stops = list(activity.stops or [])
    programme = list(activity.programme or [])
    event = Event()
    event.add("uid", activity_uid(activity.id, host))
    event.add("summary", _summary(one_line(activity.title), activity.cancelled))
    event.add("dtstart", activity.starts_at.astimezone(tz))
    event.add("dtend", activity.ends_at.astimezone(tz))
    event.add(
        "description",
        _description(
            activity.description,
            activity.what_to_bring,
            _programme_lines([item for item in programme if item.stop_id is None], tz),
        ),
    )
    location = _location(activity.venue)
    if location:
        event.add("location", location)
    _common(event, activity, now=now, url=url)
    events = [event]
    for stop in stops:
        sub = Event()
        sub.add("uid", stop_uid(stop.id, host))
        sub.add("summary", _summary(one_line(f"{activity.title} – {stop.name}"), activity.cancelled))
        sub.add("dtstart", stop.starts_at.astimezone(tz))
        sub.add("dtend", stop.ends_at.astimezone(tz))
        hosts = [f"{_l('Host unit')}: {stop.host_unit.name}"] if stop.host_unit else []
        if stop.participating_units:
            names = sorted((u.name for u in stop.participating_units), key=vietnamese_sort_key)
            hosts.append(f"{_l('Participating units')}: " + ", ".join(names))
        sub.add(
            "description",
            _description(
                activity.description,
                activity.what_to_bring,
                _programme_lines([item for item in programme if item.stop_id == stop.id], tz),
                extra=hosts,
            ),
        )
        location = _location(stop.venue) or (stop.host_unit.name if stop.host_unit else None)
        if location:
            sub.add("location", location)
        sub.add("related-to", activity_uid(activity.id, host))
        _common(sub, activity, now=now, url=url)
        events.append(sub)
    return events


def build_calendar(
    activities: Iterable,
    *,
    name: str,
    now: datetime,
    base_url: str,
    activity_url: Callable[[int], str] | None = None,
    tz: ZoneInfo,
) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) of ``activities`` as bytes, ready to serve as ``text/calendar``.

    ``base_url`` is the site's root ("https://host/"): its host makes the UIDs, and activity pages live under it
    unless ``activity_url(id)`` says where. Times are written with the TZID of ``tz`` and the VTIMEZONE that
    defines it; ``now`` is the DTSTAMP. The caller decides what is public: everything given is written."""
    host = _host(base_url)
    url_of = activity_url or _default_url(base_url)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", vText(one_line(name)))
    cal.add("x-wr-timezone", tz.key)
    # Always present (even in an empty feed) so a client subscribing early knows the zone of what comes later.
    cal.add_component(Timezone.from_tzid(tz.key))
    for activity in activities:
        for event in activity_events(activity, now=now, host=host, url=url_of(activity.id), tz=tz):
            cal.add_component(event)
    return cal.to_ical()


_DTSTAMP = re.compile(rb"^DTSTAMP[:;].*\r\n", re.MULTILINE)


def feed_etag(body: bytes) -> str:
    """A strong validator of a feed's content. DTSTAMP lines are left out: they only say when the file was made,
    so two builds of unchanged data share an ETag and a subscribed phone gets 304 Not Modified."""
    return hashlib.sha256(_DTSTAMP.sub(b"", body)).hexdigest()[:32]


def feed_last_modified(activities: Iterable) -> datetime | None:
    """The latest change among ``activities`` (their ``updated_at``), for the Last-Modified header."""
    stamps = [a.updated_at for a in activities if a.updated_at is not None]
    return max(stamps) if stamps else None

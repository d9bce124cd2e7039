"""The public calendar: upcoming (the default), month, week and list, with a search, filters and the feeds to
subscribe to."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import abort, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import cache
from app.extensions import db
from app.fields import implausible_date
from app.models import Unit
from app.services import unit_options
from app.timezone import campaign_zone
from app.urls import external_url

from .. import bp
from ..forms.calendar import VIEWS, CalendarFilterForm
from ..models import ActivityKind, AudienceGroup
from ..services import calendar as cal
from ..services.calendar import WEEKDAY_NAMES, WEEKDAY_SHORT, webcal

MOVE_LABELS = {
    "upcoming": (_l("Earlier"), _l("Later")),
    "month": (_l("Previous month"), _l("Next month")),
    "week": (_l("Previous week"), _l("Next week")),
    "list": (_l("Earlier"), _l("Later")),
}


def _period_heading(period: cal.Period, anchor: date) -> str:
    if period.view == "month":
        return _("Month %(month)s/%(year)s", month=f"{anchor.month:02d}", year=anchor.year)
    first, last = format_date(period.first, "dd/MM/yyyy"), format_date(period.last, "dd/MM/yyyy")
    return _("Week %(start)s – %(end)s", start=first, end=last)


def area_choices(session) -> tuple[tuple[int, str], ...]:
    return tuple(unit_options(session, kinds=cal.AREA_KINDS))


def _feed_links(kind: str | None, area: Unit | None) -> list[tuple[str, list[dict]]]:
    def link(label, endpoint, **values):
        https = external_url(endpoint, **values)
        return {"label": label, "https": https, "webcal": webcal(https)}

    groups = [
        (
            _("By plan"),
            [link(plan.title, "events.plan_ics", plan_id=plan.id) for plan in cal.public_plans(db.session)],
        ),
        (
            _("By kind of activity"),
            [
                link(member.label, "events.kind_ics", kind=member.value)
                for member in ActivityKind
                if kind is None or member == kind
            ],
        ),
    ]
    if area is not None:
        groups.append((_("By area"), [link(area.name, "events.unit_ics", unit_id=area.id)]))
    return [(title, links) for title, links in groups if links]


@bp.route("/calendar")
def calendar():
    now = datetime.now(UTC)
    # Anonymous visitors share the page, kept per data version; the upcoming and list views move with the minute
    # (what is under way), the month and week views with the day (today is marked).
    if request.args.get("view") in ("month", "week"):
        moment = now.astimezone(campaign_zone()).date().isoformat()
    else:
        moment = now.strftime("%Y-%m-%dT%H:%M")
    return cache.page(
        db.session, "events", f"calendar:{moment}", lambda: (_calendar_page(now), None), now=now,
        params=_cacheable_params(),
    )  # fmt: skip


def _iso_day(value: str) -> bool:
    try:
        return date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _cacheable_params() -> dict:
    """The filters as the calendar's own links write them: a page asked with these is kept for every visitor.
    A search (``q``, free text) and any value in another form are served fresh, never kept: each would be one
    more page in the cache."""

    def known_area(value: str) -> bool:
        options = cache.memo(db.session, "events", "calendar-area", lambda: area_choices(db.session))
        ids = cache.memo(db.session, "events", "calendar-area-ids", lambda: frozenset(str(uid) for uid, _ in options))
        return value in ids

    return {
        "view": lambda value: value in VIEWS,
        "date": _iso_day,
        "after": _iso_day,
        "kind": lambda value: value in {member.value for member in ActivityKind},
        "audience": lambda value: value in {member.value for member in AudienceGroup},
        "area": known_area,
        "q": lambda value: False,
    }


def _calendar_page(now: datetime) -> str:
    tz = campaign_zone()
    today = now.astimezone(tz).date()
    # The area filter lists some 500 units: listed once per data version, its <option>s rendered once per
    # version and language (KeptOptionsSelect), not on every page.
    area_options = cache.memo(db.session, "events", "calendar-area", lambda: area_choices(db.session))
    form = CalendarFilterForm(request.args, area_options=area_options)
    form.area.options_key = f"calendar-area:{cache.version(db.session, 'events')}:{get_locale()}"
    form.validate()
    view = form.valid_value("view") or "upcoming"
    if implausible_date(request.args.get("date", "")) or implausible_date(request.args.get("after", "")):
        abort(400)  # year 0001 or 9999: no link makes one, and there is nothing to show (a typo is only marked)
    chosen_day = form.valid_value("date")
    after = form.valid_value("after") if view in ("upcoming", "list") else None
    for day in (chosen_day, after):
        if day and not cal.within_calendar_range(day, today):
            abort(400)
    if chosen_day:
        form.date.raw_data = None  # shown back as dd/mm/yyyy even when the link said 2024-10-01
    anchor = chosen_day or today
    kind = form.valid_value("kind")
    area_id = int(form.valid_value("area")) if form.valid_value("area") else None
    audience = form.valid_value("audience")
    query = (form.valid_value("q") or "").strip() or None
    filters = {"kind": kind, "area": area_id, "audience": audience, "q": query}
    query_filters = {
        "kinds": [kind] if kind else None,
        "area_unit_id": area_id,
        "audience_group": audience,
        "q": query,
    }

    def calendar_url(**changes):
        params = {"view": view, "date": chosen_day.isoformat() if chosen_day else None, **filters, **changes}
        if params["view"] == "upcoming":
            params.pop("view")
        return url_for("events.calendar", **{key: value for key, value in params.items() if value})

    context: dict = {}
    if view in ("upcoming", "list"):
        page = cal.upcoming_page(
            db.session, now=now, tz=tz, from_day=chosen_day, after=after, today=today, **query_filters
        )
        context["days"] = page.days
        context["has_entries"] = bool(page.days)
        if after:
            heading = _("After %(day)s", day=format_date(after, "dd/MM/yyyy"))
        elif chosen_day:
            heading = _("From %(start)s", start=format_date(chosen_day, "dd/MM/yyyy"))
        else:
            heading = _("Upcoming activities")
        earlier = chosen_day - timedelta(days=cal.LIST_DAYS) if chosen_day else None
        moves = {
            "prev_url": calendar_url(date=earlier.isoformat()) if earlier else None,
            "next_url": calendar_url(after=page.later_after.isoformat()) if page.later_after else None,
            "today_url": calendar_url(date=None) if (chosen_day or after) else None,
        }
    else:
        period = cal.calendar_period(view, anchor, tz)
        activities = cal.public_activities(db.session, start=period.start, end=period.end, **query_filters)
        if view == "month":
            context["weeks"] = cal.month_grid(anchor.year, anchor.month, activities, tz, today=today)
            context["has_entries"] = any(day.entries for week in context["weeks"] for day in week if day.in_month)
        else:
            context["days"] = cal.week_days(anchor, activities, tz, today=today)
            context["has_entries"] = any(day.entries for day in context["days"])
        heading = _period_heading(period, anchor)
        moves = {
            "prev_url": calendar_url(date=period.previous.isoformat()),
            "next_url": calendar_url(date=period.next.isoformat()),
            "today_url": calendar_url(date=None),
        }

    area = db.session.get(Unit, area_id) if area_id else None
    return render_template(
        "events/calendar/index.html",
        form=form,
        view=view,
        period=heading,
        query=query,
        calendar_url=calendar_url,
        prev_label=MOVE_LABELS[view][0],
        next_label=MOVE_LABELS[view][1],
        filtered=any(value for key, value in filters.items() if key != "q"),
        feed_groups=_feed_links(kind, area),
        weekday_names=WEEKDAY_NAMES,
        weekday_short=WEEKDAY_SHORT,
        **moves,
        **context,
    )

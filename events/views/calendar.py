"""The public calendar (month, week and list) and each activity's public page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.models import Unit
from app.services import unit_options

from .. import bp
from ..forms.calendar import CalendarFilterForm
from ..forms.schedule import activity_kind_choices, audience_group_choices
from ..services import calendar as cal
from ..services import registration

WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
WEEKDAY_SHORT = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
MOVE_LABELS = {
    "month": (_l("Previous month"), _l("Next month")),
    "week": (_l("Previous week"), _l("Next week")),
    "list": (_l("Earlier"), _l("Later")),
}


def _is_organizer() -> bool:
    return current_user.is_authenticated and current_user.has_role("admin", "organizer")


def webcal(url: str) -> str:
    """The same feed URL with the webcal:// scheme, which phones open as "subscribe to this calendar"."""
    return "webcal://" + url.split("://", 1)[1]


def _period_heading(period: cal.Period, anchor: date) -> str:
    if period.view == "month":
        return _("Month %(month)s/%(year)s", month=f"{anchor.month:02d}", year=anchor.year)
    first, last = period.first.strftime("%d/%m/%Y"), period.last.strftime("%d/%m/%Y")
    if period.view == "week":
        return _("Week %(start)s – %(end)s", start=first, end=last)
    return _("From %(start)s to %(end)s", start=first, end=last)


def _feed_links(kind: str | None, area: Unit | None) -> list[tuple[str, list[dict]]]:
    def link(label, endpoint, **values):
        https = url_for(endpoint, _external=True, **values)
        return {"label": label, "https": https, "webcal": webcal(https)}

    groups = [
        (
            _("By plan"),
            [link(plan.title, "events.plan_ics", plan_id=plan.id) for plan in cal.public_plans(db.session)],
        ),
        (
            _("By kind of activity"),
            [
                link(label, "events.kind_ics", kind=code)
                for code, label in activity_kind_choices()
                if kind is None or code == kind
            ],
        ),
    ]
    if area is not None:
        groups.append((_("By area"), [link(area.name, "events.unit_ics", unit_id=area.id)]))
    return [(title, links) for title, links in groups if links]


@bp.route("/calendar")
def calendar():
    now = datetime.now(UTC)
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    today = now.astimezone(tz).date()
    form = CalendarFilterForm(request.args, area_options=unit_options(db.session, kinds=cal.AREA_KINDS))
    form.validate()
    view = form.valid_value("view") or "month"
    chosen_day = form.valid_value("date")
    if chosen_day:
        form.date.raw_data = None  # shown back as dd/mm/yyyy even when the link said 2024-10-01
    anchor = chosen_day or today
    kind = form.valid_value("kind")
    area_id = int(form.valid_value("area")) if form.valid_value("area") else None
    audience = form.valid_value("audience")
    filters = {"kind": kind, "area": area_id, "audience": audience}

    def calendar_url(**changes):
        params = {"view": view, "date": chosen_day.isoformat() if chosen_day else None, **filters, **changes}
        if params["view"] == "month":
            params.pop("view")
        return url_for("events.calendar", **{key: value for key, value in params.items() if value})

    period = cal.calendar_period(view, anchor, tz, now=None if chosen_day else now)
    activities = cal.public_activities(
        db.session,
        start=period.start,
        end=period.end,
        kinds=[kind] if kind else None,
        area_unit_id=area_id,
        audience_group=audience,
    )
    context: dict = {}
    if view == "month":
        context["weeks"] = cal.month_grid(anchor.year, anchor.month, activities, tz, today=today)
        context["has_entries"] = any(day.entries for week in context["weeks"] for day in week if day.in_month)
    elif view == "week":
        context["days"] = cal.week_days(anchor, activities, tz, today=today)
        context["has_entries"] = any(day.entries for day in context["days"])
    else:
        context["days"] = cal.list_upcoming(activities, now=period.start, tz=tz, until=period.end, today=today)
        context["has_entries"] = bool(context["days"])

    area = db.session.get(Unit, area_id) if area_id else None
    return render_template(
        "events/calendar/index.html",
        form=form,
        view=view,
        period=_period_heading(period, anchor),
        calendar_url=calendar_url,
        prev_url=calendar_url(date=period.previous.isoformat()),
        next_url=calendar_url(date=period.next.isoformat()),
        today_url=calendar_url(date=None),
        prev_label=MOVE_LABELS[view][0],
        next_label=MOVE_LABELS[view][1],
        filtered=any(filters.values()),
        feed_groups=_feed_links(kind, area),
        weekday_names=WEEKDAY_NAMES,
        weekday_short=WEEKDAY_SHORT,
        kind_labels=cal.KIND_LABELS,
        **context,
    )


def register_url(activity_id: int) -> str:
    """The sign-up page of an activity (built by the registration feature, linked by its path if not yet routed)."""
    for endpoint in ("events.register", "events.registration_form"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, activity_id=activity_id)
    return url_for("events.activity_detail", activity_id=activity_id) + "/register"


@bp.route("/activities/<int:activity_id>")
def activity_detail(activity_id: int):
    activity = cal.public_activity(db.session, activity_id, include_internal=_is_organizer())
    if activity is None:
        abort(404)
    now = datetime.now(UTC)
    ics = url_for("events.activity_ics", activity_id=activity.id, _external=True)
    public = activity.is_public and activity.plan.status in cal.VISIBLE_PLAN_STATUSES
    return render_template(
        "events/activity.html",
        activity=activity,
        public=public,
        registration_state=registration.registration_state(activity, now),
        ended=activity.ends_at <= now,
        register_url=register_url(activity.id),
        ics_url=ics,
        webcal_url=webcal(ics),
        audience_labels=dict(audience_group_choices()),
        kind_label=cal.kind_label(activity.kind),
        weekday_names=WEEKDAY_NAMES,
    )

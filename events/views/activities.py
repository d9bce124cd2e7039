"""Activities: the public page of one activity, and the organizer's side (the activity form with its
conflict warnings, cancelling, the programme)."""

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import cache
from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.timezone import campaign_zone
from app.urls import external_url

from .. import bp
from ..forms.activities import ActivityForm, ProgrammeItemForm
from ..forms.tours import StopForm
from ..models import Activity, Plan, ProgrammeItem
from ..services import activities as services
from ..services.calendar import WEEKDAY_NAMES, activity_for_page, webcal
from ..services.registration.common import CONFIRMED, WAITLISTED
from ..services.registration.ordering import unit_options_in_order
from ..services.registration.seats import registration_summary
from ..services.registration.window import registration_state
from ..services.venues import venue_options
from . import confirm_page, refuse_unconfirmed, save_once

NULLABLE_IDS = ("venue_id", "area_unit_id", "lead_unit_id")


@bp.route("/activities/<int:activity_id>")
def activity_detail(activity_id: int):
    now = datetime.now(UTC)

    def seats() -> str:  # the page shows the free seats, which registrations change without a new data version
        taken = select(Activity.seats_taken).where(Activity.id == activity_id).scalar_subquery()
        version, taken = db.session.execute(select(cache.version_query("events").scalar_subquery(), taken)).one()
        cache.seen_version("events", version)  # one round trip for both
        return f"activity:{activity_id}:{taken}"

    return cache.page(db.session, "events", seats, lambda: _activity_page(activity_id, now), now=now)


def _activity_page(activity_id: int, now: datetime) -> tuple[str, datetime | None]:
    activity = activity_for_page(db.session, activity_id, current_user)
    if activity is None:
        abort(404)
    ics = external_url("events.activity_ics", activity_id=activity.id)
    html = render_template(
        "events/activities/page.html",
        activity=activity,
        public=activity.is_visible,
        registration_state=registration_state(activity, now),
        ended=activity.ends_at <= now,
        started=activity.starts_at <= now,
        ics_url=ics,
        webcal_url=webcal(ics),
        weekday_names=WEEKDAY_NAMES,
    )
    # The page reads differently, with no change to the data, when registration opens or closes, the activity
    # starts (registration closes) or ends.
    moments = (activity.registration_opens_at, activity.registration_closes_at, activity.starts_at, activity.ends_at)
    return html, min((moment for moment in moments if moment is not None and moment > now), default=None)


def _activity_form(activity: Activity | None, **kwargs) -> ActivityForm:
    form = ActivityForm(obj=activity, **kwargs)
    units = unit_options_in_order(db.session)
    form.venue_id.choices = [(0, "—")] + venue_options(db.session)
    form.lead_unit_id.choices = [(0, "—")] + units
    form.area_unit_id.choices = [(0, "—")] + unit_options_in_order(
        db.session, kinds=("province", "district", "ward", "hamlet")
    )
    form.coordinator_ids.choices = [(uid, label.strip()) for uid, label in units]
    if (request.method == "GET" or "formdata" in kwargs) and activity is not None:
        for name in NULLABLE_IDS:
            getattr(form, name).data = getattr(activity, name) or 0
        form.coordinator_ids.data = [u.id for u in activity.coordinating_units]
        form.audience_groups.data = activity.audience_group_list
    return form


def _programme_form(activity: Activity, prefix: str = "item", **kwargs) -> ProgrammeItemForm:
    # Prefixed on the activity page: it shares it with the activity form, whose field names and ids it would
    # otherwise repeat. The page that edits one item has it alone, unprefixed.
    form = ProgrammeItemForm(prefix=prefix, **kwargs)
    form.responsible_unit_id.choices = [(0, "—")] + unit_options_in_order(db.session)
    form.stop_id.choices = [(0, _("The whole activity"))] + [(s.id, s.name) for s in activity.stops]
    return form


def _form_page(activity: Activity | None, plan: Plan, form: ActivityForm, warnings=(), item_form=None):
    if item_form is None and activity is not None:
        item_form = _programme_form(activity, formdata=None)
    return render_template(
        "events/activities/form.html",
        form=form,
        plan=plan,
        activity=activity,
        warnings=warnings,
        stop_form=StopForm(formdata=None),
        item_form=item_form,
    )


@bp.route("/plans/<int:plan_id>/activities/new", methods=["GET", "POST"])
@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_activity(plan_id: int | None = None, activity_id: int | None = None):
    activity = db.get_or_404(Activity, activity_id) if activity_id else None
    plan = activity.plan if activity else db.get_or_404(Plan, plan_id)
    form = _activity_form(activity)
    warnings = []
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.ACTIVITY_FIELDS}
        for name in NULLABLE_IDS:
            values[name] = values[name] or None

        def save() -> str:
            saved, _warnings = services.save_activity(
                db.session,
                plan,
                activity,
                coordinator_ids=form.coordinator_ids.data or [],
                audience_groups=form.audience_groups.data or [],
                accept=form.accept_warnings.data,
                tz=campaign_zone(),
                now=utcnow(),
                **values,
            )
            return url_for("events.edit_activity", activity_id=saved.id)

        response, warnings = save_once(form, save, _("The activity was saved."))
        if response:
            closes, starts = values.get("registration_closes_at"), values.get("starts_at")
            if closes is not None and starts is not None and closes > starts:
                flash(
                    _(
                        "Registration closes after the activity starts: online registration will close at the "
                        "start anyway; from then on, people register at the venue (walk-in) until the end."
                    ),
                    "warning",
                )
            return response
    return _form_page(activity, plan, form, warnings)


@bp.route("/activities/<int:activity_id>/cancel", methods=["GET", "POST"])
@role_required("organizer")
def cancel_activity(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    here = url_for("events.cancel_activity", activity_id=activity.id)
    if request.method == "POST":
        if refused := refuse_unconfirmed(here):
            return refused
        if services.cancel_activity(db.session, activity, utcnow()):
            db.session.commit()
            flash(_("The activity is cancelled. It stays on the calendar, marked as cancelled."), "success")
        return redirect(url_for("events.plan_detail", plan_id=activity.plan_id))
    back = url_for("events.edit_activity", activity_id=activity.id)
    if activity.cancelled:
        flash(_("This activity is already cancelled."), "info")
        return redirect(back)
    told = _still_registered(activity)
    losses = [
        ngettext(
            "%(num)s person who registered will be told that it is cancelled.",
            "%(num)s people who registered will be told that it is cancelled.",
            told,
        )
        if told
        else _("Nobody has registered yet, so nobody needs to be told."),
        _("Registration closes and cannot be reopened."),
        _("The activity stays on the calendar and in subscribed calendars, marked as cancelled."),
    ]
    return confirm_page(
        title=_("Cancel “%(title)s”?", title=activity.title),
        losses=losses,
        action=here,
        button=_("Yes, cancel the activity"),
        back=back,
    )


def _still_registered(activity: Activity) -> int:
    """How many people a cancellation or a restore tells: everyone confirmed or waiting."""
    summary = registration_summary(db.session, activity.id)
    return summary[CONFIRMED] + summary[WAITLISTED]


@bp.route("/activities/<int:activity_id>/restore", methods=["GET", "POST"])
@role_required("organizer")
def restore_activity(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    here = url_for("events.restore_activity", activity_id=activity.id)
    back = url_for("events.edit_activity", activity_id=activity.id)
    if request.method == "POST":
        if refused := refuse_unconfirmed(here):
            return refused
        try:
            restored = services.restore_activity(db.session, activity, utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(back)
        if restored:
            db.session.commit()
            flash(_("The activity is on again: its tickets are valid and everyone registered is told."), "success")
        return redirect(back)
    if not activity.cancelled:
        flash(_("This activity is not cancelled."), "info")
        return redirect(back)
    told = _still_registered(activity)
    changes = [
        ngettext(
            "%(num)s person who registered will be told that it is on again.",
            "%(num)s people who registered will be told that it is on again.",
            told,
        )
        if told
        else _("Nobody has registered, so nobody needs to be told."),
        _("Its tickets are valid again at the gates, online and offline."),
        _("Registration stays closed until you open it in the activity's form."),
    ]
    return confirm_page(
        title=_("Restore “%(title)s”?", title=activity.title),
        losses=changes,
        action=here,
        button=_("Yes, restore the activity"),
        back=back,
    )


@bp.route("/activities/<int:activity_id>/programme", methods=["POST"])
@role_required("organizer")
def add_programme_item(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    form = _programme_form(activity)
    if form.validate_on_submit():

        def save() -> str:
            return _save_item(form, activity, None)

        response, _warnings = save_once(form, save, _("The item was added to the programme."))
        if response:
            return response
    # The activity form beside it is shown as stored, not filled from this post.
    return _form_page(activity, activity.plan, _activity_form(activity, formdata=None), item_form=form), 422


def _save_item(form: ProgrammeItemForm, activity: Activity, item: ProgrammeItem | None) -> str:
    services.save_programme_item(
        db.session,
        activity,
        item,
        title=form.title.data,
        starts_at=form.starts_at.data,
        ends_at=form.ends_at.data,
        responsible_unit_id=form.responsible_unit_id.data or None,
        description=form.description.data or "",
        stop_id=form.stop_id.data or None,
    )
    db.session.flush()
    return url_for("events.edit_activity", activity_id=activity.id) + "#programme"


@bp.route("/programme/<int:item_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_programme_item(item_id: int):
    """One programme item on a page of its own, checked as when it was added."""
    item = db.get_or_404(ProgrammeItem, item_id)
    activity = item.activity
    form = _programme_form(activity, prefix="", obj=item)
    form.submit.label.text = _("Save the item")
    if request.method == "GET":
        form.responsible_unit_id.data = item.responsible_unit_id or 0
        form.stop_id.data = item.stop_id or 0
    if form.validate_on_submit():
        response, _warnings = save_once(form, lambda: _save_item(form, activity, item), _("The item was saved."))
        if response:
            return response
    status = 422 if request.method == "POST" else 200
    return render_template("events/activities/item_form.html", form=form, activity=activity, item=item), status


@bp.route("/programme/<int:item_id>/delete", methods=["GET", "POST"])
@role_required("organizer")
def delete_programme_item(item_id: int):
    item = db.get_or_404(ProgrammeItem, item_id)
    here = url_for("events.delete_programme_item", item_id=item.id)
    back = url_for("events.edit_activity", activity_id=item.activity_id) + "#programme"
    if request.method == "POST":
        if refused := refuse_unconfirmed(here):
            return refused
        activity_id = services.remove_programme_item(db.session, item)
        db.session.commit()
        flash(_("The item was removed from the programme."), "success")
        return redirect(url_for("events.edit_activity", activity_id=activity_id) + "#programme")
    when = format_datetime(item.starts_at, "dd/MM/yyyy HH:mm")
    return confirm_page(
        title=_("Remove “%(title)s” from the programme?", title=item.title),
        losses=[
            _(
                "The item at %(when)s disappears from the programme of “%(activity)s”.",
                when=when,
                activity=item.activity.title,
            ),
            _("Citizens no longer see it on the activity's page."),
        ],
        action=here,
        button=_("Yes, remove the item"),
        back=back,
    )

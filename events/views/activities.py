"""The organizer's side of activities: the activity form (with conflict warnings), cluster-tour stops, the
programme, and venues."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.forms import ConfirmForm
from app.models import utcnow
from app.services import unit_options

from .. import bp
from ..forms.schedule import ActivityForm, ProgrammeItemForm, StopForm, VenueForm
from ..models import Activity, Plan, ProgrammeItem, TourStop, Venue
from ..services import registration, schedule
from .saving import save_once

NULLABLE_IDS = ("venue_id", "area_unit_id", "lead_unit_id")


def _venue_choices() -> list[tuple[int, str]]:
    venues = db.session.scalars(select(Venue).order_by(Venue.name))
    return [(0, "—")] + [(v.id, f"{v.name} ({v.capacity})" if v.capacity else v.name) for v in venues]


def _activity_form(activity: Activity | None, **kwargs) -> ActivityForm:
    form = ActivityForm(obj=activity, **kwargs)
    units = unit_options(db.session)
    form.venue_id.choices = _venue_choices()
    form.lead_unit_id.choices = [(0, "—")] + units
    form.area_unit_id.choices = [(0, "—")] + unit_options(db.session, kinds=("province", "district", "ward", "hamlet"))
    form.coordinator_ids.choices = [(uid, label.strip()) for uid, label in units]
    if (request.method == "GET" or "formdata" in kwargs) and activity is not None:
        for name in NULLABLE_IDS:
            getattr(form, name).data = getattr(activity, name) or 0
        form.coordinator_ids.data = [u.id for u in activity.coordinating_units]
        form.audience_groups.data = activity.audience_group_list
    return form


@bp.route("/plans/<int:plan_id>/activities/new", methods=["GET", "POST"])
@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_activity(plan_id: int | None = None, activity_id: int | None = None):
    activity = db.get_or_404(Activity, activity_id) if activity_id else None
    plan = activity.plan if activity else db.get_or_404(Plan, plan_id)
    form = _activity_form(activity)
    warnings = []
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in schedule.ACTIVITY_FIELDS}
        for name in NULLABLE_IDS:
            values[name] = values[name] or None
        capacity_before = activity.capacity if activity else None

        def save() -> str:
            saved, _warnings = schedule.save_activity(
                db.session,
                plan,
                activity,
                coordinator_ids=form.coordinator_ids.data or [],
                audience_groups=form.audience_groups.data or [],
                accept=form.accept_warnings.data,
                **values,
            )
            if activity is not None and _seats_grew(capacity_before, saved.capacity):
                _promote_waitlist(saved)
            return url_for("events.edit_activity", activity_id=saved.id)

        response, warnings = save_once(form, save, _("The activity was saved."))
        if response:
            return response
    return render_template(
        "events/activity_form.html",
        form=form,
        plan=plan,
        activity=activity,
        warnings=warnings,
        stop_form=StopForm(formdata=None),
        item_form=_programme_form(activity, formdata=None) if activity else None,
    )


def _seats_grew(before: int | None, after: int | None) -> bool:
    return before is not None and (after is None or after > before)


def _promote_waitlist(activity: Activity) -> None:
    """More seats: let the waiting list in, oldest first."""
    registration.promote_waitlist(db.session, activity.id, utcnow())


@bp.route("/activities/<int:activity_id>/cancel", methods=["POST"])
@role_required("organizer")
def cancel_activity(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    if not _csrf_ok():
        abort(400)
    if schedule.cancel_activity(activity):
        db.session.commit()
        flash(_("The activity is cancelled. It stays on the calendar, marked as cancelled."), "success")
    return redirect(url_for("events.plan_detail", plan_id=activity.plan_id))


def _csrf_ok() -> bool:
    """Buttons that change state post an empty form; only its CSRF token is checked."""
    return ConfirmForm().validate_on_submit()


# ---------------------------------------------------------------- cluster-tour stops


def _stop_form(activity: Activity, stop: TourStop | None, **kwargs) -> StopForm:
    form = StopForm(obj=stop, **kwargs)
    units = unit_options(db.session)
    form.host_unit_id.choices = [(0, "—")] + units
    form.participant_ids.choices = [(uid, label.strip()) for uid, label in units]
    form.venue_id.choices = _venue_choices()
    if request.method == "GET" and stop is not None:
        form.participant_ids.data = [u.id for u in stop.participating_units]
        form.venue_id.data = stop.venue_id or 0
    return form


@bp.route("/activities/<int:activity_id>/stops/new", methods=["GET", "POST"])
@bp.route("/stops/<int:stop_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_stop(activity_id: int | None = None, stop_id: int | None = None):
    stop = db.get_or_404(TourStop, stop_id) if stop_id else None
    activity = stop.activity if stop else db.get_or_404(Activity, activity_id)
    form = _stop_form(activity, stop)
    warnings = []
    if form.validate_on_submit():
        if not form.host_unit_id.data:
            form.host_unit_id.errors.append(_("Choose the host unit."))
        else:

            def save() -> str:
                schedule.save_stop(
                    db.session,
                    activity,
                    stop,
                    name=form.name.data,
                    host_unit_id=form.host_unit_id.data,
                    starts_at=form.starts_at.data,
                    ends_at=form.ends_at.data,
                    venue_id=form.venue_id.data or None,
                    participant_ids=form.participant_ids.data or [],
                    accept=form.accept_warnings.data,
                )
                return url_for("events.edit_activity", activity_id=activity.id) + "#stops"

            response, warnings = save_once(form, save, _("The stop was saved."))
            if response:
                return response
    return render_template("events/stop_form.html", form=form, activity=activity, stop=stop, warnings=warnings)


@bp.route("/stops/<int:stop_id>/move", methods=["POST"])
@role_required("organizer")
def move_stop(stop_id: int):
    stop = db.get_or_404(TourStop, stop_id)
    if not _csrf_ok():
        abort(400)
    schedule.move_stop(db.session, stop, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(url_for("events.edit_activity", activity_id=stop.activity_id) + "#stops")


@bp.route("/stops/<int:stop_id>/delete", methods=["POST"])
@role_required("organizer")
def delete_stop(stop_id: int):
    stop = db.get_or_404(TourStop, stop_id)
    if not _csrf_ok():
        abort(400)
    activity_id = stop.activity_id
    db.session.delete(stop)
    db.session.commit()
    flash(_("The stop was removed from the itinerary."), "success")
    return redirect(url_for("events.edit_activity", activity_id=activity_id) + "#stops")


# ---------------------------------------------------------------- programme


def _programme_form(activity: Activity, **kwargs) -> ProgrammeItemForm:
    # Prefixed: it shares a page with the activity form, whose field names and ids it would otherwise repeat.
    form = ProgrammeItemForm(prefix="item", **kwargs)
    form.responsible_unit_id.choices = [(0, "—")] + unit_options(db.session)
    form.stop_id.choices = [(0, _("The whole activity"))] + [(s.id, s.name) for s in activity.stops]
    return form


@bp.route("/activities/<int:activity_id>/programme", methods=["POST"])
@role_required("organizer")
def add_programme_item(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    form = _programme_form(activity)
    if form.validate_on_submit():

        def save() -> str:
            schedule.save_programme_item(
                db.session,
                activity,
                None,
                title=form.title.data,
                starts_at=form.starts_at.data,
                ends_at=form.ends_at.data,
                responsible_unit_id=form.responsible_unit_id.data or None,
                description=form.description.data or "",
                stop_id=form.stop_id.data or None,
            )
            db.session.flush()
            return url_for("events.edit_activity", activity_id=activity.id) + "#programme"

        response, _warnings = save_once(form, save, _("The item was added to the programme."))
        if response:
            return response
    # The activity form beside it is shown as stored, not filled from this post.
    return render_template(
        "events/activity_form.html",
        form=_activity_form(activity, formdata=None),
        plan=activity.plan,
        activity=activity,
        warnings=[],
        stop_form=StopForm(formdata=None),
        item_form=form,
    ), 422


@bp.route("/programme/<int:item_id>/delete", methods=["POST"])
@role_required("organizer")
def delete_programme_item(item_id: int):
    item = db.get_or_404(ProgrammeItem, item_id)
    if not _csrf_ok():
        abort(400)
    activity_id = item.activity_id
    db.session.delete(item)
    db.session.commit()
    flash(_("The item was removed from the programme."), "success")
    return redirect(url_for("events.edit_activity", activity_id=activity_id) + "#programme")


# ---------------------------------------------------------------- venues


@bp.route("/venues")
@role_required("organizer")
def venues():
    items = db.session.scalars(select(Venue).order_by(Venue.name)).all()
    return render_template("events/venues.html", venues=items)


@bp.route("/venues/new", methods=["GET", "POST"])
@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
@role_required("organizer")
def edit_venue(venue_id: int | None = None):
    venue = db.get_or_404(Venue, venue_id) if venue_id else None
    form = VenueForm(obj=venue)
    form.unit_id.choices = [(0, "—")] + unit_options(db.session, kinds=("province", "district", "ward", "hamlet"))
    if request.method == "GET" and venue is not None:
        form.unit_id.data = venue.unit_id or 0
    if form.validate_on_submit():
        try:
            schedule.save_venue(
                db.session,
                venue,
                name=form.name.data,
                address=form.address.data or "",
                capacity=form.capacity.data,
                unit_id=form.unit_id.data or None,
                directions=form.directions.data or "",
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            flash(_("The venue was saved."), "success")
            return redirect(url_for("events.venues"))
    return render_template("events/venue_form.html", form=form, venue=venue)

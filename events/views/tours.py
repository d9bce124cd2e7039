"""Cluster tours: the organizer adds, moves and removes the stops of a tour."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from app.auth import role_required
from app.extensions import db
from app.timezone import campaign_zone

from .. import bp
from ..forms.tours import StopForm
from ..models import Activity, TourStop
from ..services import tours as services
from ..services.registration.ordering import unit_options_in_order
from ..services.venues import venue_options
from . import button_posted, confirm_page, refuse_unconfirmed, save_once


def _stop_form(stop: TourStop | None) -> StopForm:
    form = StopForm(obj=stop)
    units = unit_options_in_order(db.session)
    form.host_unit_id.choices = [(0, "—")] + units
    form.participant_ids.choices = [(uid, label.strip()) for uid, label in units]
    form.venue_id.choices = [(0, "—")] + venue_options(db.session)
    if request.method == "GET" and stop is not None:
        form.participant_ids.data = [u.id for u in stop.participating_units]
        form.venue_id.data = stop.venue_id or 0
    return form


def _itinerary(activity_id: int) -> str:
    return url_for("events.edit_activity", activity_id=activity_id) + "#stops"


@bp.route("/activities/<int:activity_id>/stops/new", methods=["GET", "POST"])
@bp.route("/stops/<int:stop_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit_stop(activity_id: int | None = None, stop_id: int | None = None):
    stop = db.get_or_404(TourStop, stop_id) if stop_id else None
    activity = stop.activity if stop else db.get_or_404(Activity, activity_id)
    form = _stop_form(stop)
    warnings = []
    if form.validate_on_submit():
        if not form.host_unit_id.data:
            form.host_unit_id.errors.append(_("Choose the host unit."))
        else:

            def save() -> str:
                services.save_stop(
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
                    tz=campaign_zone(),
                )
                return _itinerary(activity.id)

            response, warnings = save_once(form, save, _("The stop was saved."))
            if response:
                return response
    return render_template("events/tours/form.html", form=form, activity=activity, stop=stop, warnings=warnings)


@bp.route("/stops/<int:stop_id>/move", methods=["POST"])
@role_required("organizer")
def move_stop(stop_id: int):
    stop = db.get_or_404(TourStop, stop_id)
    if not button_posted():
        abort(400)
    services.move_stop(db.session, stop, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(_itinerary(stop.activity_id))


@bp.route("/stops/<int:stop_id>/delete", methods=["GET", "POST"])
@role_required("organizer")
def delete_stop(stop_id: int):
    stop = db.get_or_404(TourStop, stop_id)
    here = url_for("events.delete_stop", stop_id=stop.id)
    if request.method == "POST":
        if refused := refuse_unconfirmed(here):
            return refused
        activity_id = services.remove_stop(db.session, stop)
        db.session.commit()
        flash(_("The stop was removed from the itinerary."), "success")
        return redirect(_itinerary(activity_id))
    items = [item for item in stop.activity.programme if item.stop_id == stop.id]
    losses = [
        _(
            "%(stop)s (%(start)s – %(end)s, hosted by %(host)s) leaves the itinerary of “%(tour)s”.",
            stop=stop.name,
            start=format_date(stop.starts_at, "dd/MM/yyyy"),
            end=format_date(stop.ends_at, "dd/MM/yyyy"),
            host=stop.host_unit.name,
            tour=stop.activity.title,
        )
    ]
    if items:
        losses.append(
            ngettext(
                "Its %(num)s programme item is removed with it: %(items)s.",
                "Its %(num)s programme items are removed with it: %(items)s.",
                len(items),
                items=", ".join(item.title for item in items),
            )
        )
    losses.append(_("Subscribed calendars drop the stop."))
    return confirm_page(
        title=_("Remove the stop “%(stop)s”?", stop=stop.name),
        losses=losses,
        action=here,
        button=_("Yes, remove the stop"),
        back=_itinerary(stop.activity_id),
    )

"""Venues: the organizer's list and form."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.services import unit_options

from .. import bp
from ..forms.venues import VenueForm
from ..models import Venue
from ..services import venues as services


@bp.route("/venues")
@role_required("organizer")
def venues():
    return render_template("events/venues/index.html", venues=services.list_venues(db.session))


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
            services.save_venue(
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
    return render_template("events/venues/form.html", form=form, venue=venue)

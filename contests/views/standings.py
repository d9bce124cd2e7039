"""The organizer's full ranking of a round (every attempt, 100 a page, by ward if asked), with the reinstate
button beside disqualified attempts and the winners' phones in full (audited); before the close, live counts only."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from app.auth import role_required
from app.extensions import db
from app.models import utcnow
from app.urls import MAX_DB_INT

from .. import bp
from ..forms.flags import ReinstateForm
from ..models import RoundState
from ..services import pages, standings


def _positive_arg(name: str) -> int | None:
    """A whole number from the query string, or None (a hand-edited URL is a filter less, not an error)."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_DB_INT else None


@bp.route("/rounds/<int:round_id>/ranking")
@role_required("organizer")
def round_ranking(round_id: int):
    quiz_round = pages.round_or_404(db.session, round_id)
    wards = standings.wards_of_round(db.session, quiz_round)
    ward_id = _positive_arg("ward")
    if ward_id not in {unit_id for unit_id, _name in wards}:
        ward_id = None
    # Organizers must reach the winners: their phones in full, and each showing in the audit trail.
    full = current_user.is_organizer
    page = standings.ranking_page(
        db.session, quiz_round, page=_positive_arg("page") or 1, ward_id=ward_id, winner_phones=full
    )
    if standings.record_winner_phones(db.session, quiz_round, page.rows, current_user.id):
        db.session.commit()
    return render_template(
        "contests/standings/index.html",
        quiz_round=quiz_round,
        contest=quiz_round.contest,
        wards=wards,
        ward_id=ward_id,
        page=page,
        counts=standings.live_counts(db.session, quiz_round, ward_id=ward_id),
        by_ward=standings.ward_counts(db.session, quiz_round) if quiz_round.state != RoundState.CLOSED else [],
        reinstate_form=ReinstateForm(formdata=None),
        now=utcnow(),
    )

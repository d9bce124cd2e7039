"""The public results of a closed round: winners (name, ward, masked phone) with prizes, ties shown as ties, and
participation by ward against the population or headcount the organizer entered."""

from __future__ import annotations

from flask import abort, render_template

from app.extensions import db

from .. import bp
from ..services import pages


@bp.route("/rounds/<int:round_id>/results")
def round_results(round_id: int):
    quiz_round = pages.public_round(db.session, round_id)
    if quiz_round is None or quiz_round.state != "closed":
        abort(404)
    return render_template(
        "contests/results/round.html",
        quiz_round=quiz_round,
        contest=quiz_round.contest,
        winners=pages.winners(db.session, quiz_round),
        by_unit=pages.participation_by_unit(db.session, quiz_round),
    )
